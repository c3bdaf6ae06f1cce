// The one resolver of where Thaw keeps its files and its database. THAW_HOME (default `.thaw`)
// holds checkpoints, caches and the demo. The database is THAW_DB, else `thaw.db` in THAW_HOME:
// a path or `file:` URL is a SQLite file, a `postgresql://` (or `postgres://`) URL a
// PostgreSQL database; anything else is refused here, before a stray file can be created.
// Relative values resolve against the folder the user runs Thaw from: the working folder for
// the CLI, the repository root for the dashboard (Next.js runs inside apps/dashboard).
import path from "node:path";
import { InvalidInputError } from "./errors.ts";

export type DatabaseProvider = "sqlite" | "postgresql";

export type DatabaseTarget = { provider: "sqlite"; path: string } | { provider: "postgresql"; url: string };

export interface ThawLocations {
  /** Absolute THAW_HOME. */
  home: string;
  /** The SQLite file's absolute path or the PostgreSQL URL. */
  db: string;
  database: DatabaseTarget;
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** What relative paths are relative to; default process.cwd(). */
  base?: string;
}

const ACCEPTED =
  "a SQLite file path (e.g. .thaw/thaw.db), a file: URL (file:/srv/thaw.db) or a PostgreSQL URL (postgresql://user:password@host:5432/thaw)";

function home(options: LocateOptions): string {
  const env = options.env ?? process.env;
  return path.resolve(options.base ?? process.cwd(), env.THAW_HOME?.trim() || ".thaw");
}

/** The database a store opens: the explicit value if given, else THAW_DB, else thaw.db in THAW_HOME. */
export function resolveDatabase(explicit?: string | null, options: LocateOptions = {}): DatabaseTarget {
  const base = options.base ?? process.cwd();
  const chosen = explicit?.trim() || (options.env ?? process.env).THAW_DB?.trim();
  if (!chosen) return { provider: "sqlite", path: path.join(home(options), "thaw.db") };
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === "postgresql" || scheme === "postgres") {
    try {
      new URL(chosen);
    } catch {
      throw new InvalidInputError("THAW_DB", `"${redact(chosen)}" is not a valid URL`, `use ${ACCEPTED}`);
    }
    return { provider: "postgresql", url: chosen };
  }
  if (scheme === "file") return { provider: "sqlite", path: path.resolve(base, chosen.replace(/^file:(\/\/(?=\/))?/i, "")) };
  if (scheme !== undefined) throw new InvalidInputError("THAW_DB", `the scheme "${scheme}:" is not supported`, `use ${ACCEPTED}`);
  return { provider: "sqlite", path: path.resolve(base, chosen) };
}

export function thawLocations(options: LocateOptions = {}): ThawLocations {
  const database = resolveDatabase(undefined, options);
  return { home: home(options), db: databaseLocation(database), database };
}

/** The target as one string openStore accepts again: the absolute SQLite path or the URL. */
export function databaseLocation(target: DatabaseTarget): string {
  return target.provider === "sqlite" ? target.path : target.url;
}

/** For logs and the dashboard: the location with any password replaced by `***`. */
export function redact(location: string): string {
  return location.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@");
}
