// Which database a store opens, read from one string (the explicit option, else env THAW_DB):
// a path or `file:` URL is a SQLite file, a `postgresql://` (or `postgres://`) URL a
// PostgreSQL database. Anything else is refused here, before a stray file can be created.
import path from "node:path";
import { InvalidInputError } from "./errors.ts";

/** Where the store lives when nobody says otherwise: `.thaw/thaw.db` under the working folder. */
export const DEFAULT_DB_RELATIVE_PATH = path.join(".thaw", "thaw.db");

export type DatabaseProvider = "sqlite" | "postgresql";

export type DatabaseTarget = { provider: "sqlite"; path: string } | { provider: "postgresql"; url: string };

const ACCEPTED =
  "a SQLite file path (e.g. .thaw/thaw.db), a file: URL (file:/srv/thaw.db) or a PostgreSQL URL (postgresql://user:password@host:5432/thaw)";

/**
 * The explicit value if given, else env THAW_DB, else `.thaw/thaw.db` under `cwd`. Relative
 * SQLite paths resolve against `cwd`; a PostgreSQL URL is kept as written.
 */
export function resolveDatabase(explicit?: string | null, cwd: string = process.cwd()): DatabaseTarget {
  const chosen = explicit?.trim() || process.env.THAW_DB?.trim() || DEFAULT_DB_RELATIVE_PATH;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === "postgresql" || scheme === "postgres") {
    try {
      new URL(chosen);
    } catch {
      throw new InvalidInputError("THAW_DB", `"${redact(chosen)}" is not a valid URL`, `use ${ACCEPTED}`);
    }
    return { provider: "postgresql", url: chosen };
  }
  if (scheme === "file") return { provider: "sqlite", path: path.resolve(cwd, chosen.replace(/^file:(\/\/(?=\/))?/i, "")) };
  if (scheme !== undefined) {
    throw new InvalidInputError("THAW_DB", `the scheme "${scheme}:" is not supported`, `use ${ACCEPTED}`);
  }
  return { provider: "sqlite", path: path.resolve(cwd, chosen) };
}

/** The target as one string openStore accepts again: the absolute SQLite path or the URL. */
export function databaseLocation(target: DatabaseTarget): string {
  return target.provider === "sqlite" ? target.path : target.url;
}

/** For logs and the dashboard: the location with any password replaced by `***`. */
export function redact(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}
