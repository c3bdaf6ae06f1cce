// The one resolver of where Thaw keeps its files. THAW_HOME (default `.thaw`) holds
// checkpoints, caches and the demo; the database is THAW_DB, else `thaw.db` in THAW_HOME.
// Relative values resolve against the folder the user runs Thaw from: the working folder for
// the CLI, the repository root for the dashboard (Next.js runs inside apps/dashboard).
import path from "node:path";

export interface ThawLocations {
  /** Absolute THAW_HOME. */
  home: string;
  /** Absolute path of the SQLite file. */
  db: string;
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** What relative paths are relative to; default process.cwd(). */
  base?: string;
}

export function thawLocations(options: LocateOptions = {}): ThawLocations {
  const env = options.env ?? process.env;
  const base = options.base ?? process.cwd();
  const home = path.resolve(base, env.THAW_HOME?.trim() || ".thaw");
  const db = env.THAW_DB?.trim() ? path.resolve(base, env.THAW_DB.trim().replace(/^file:/, "")) : path.join(home, "thaw.db");
  return { home, db };
}

/** The SQLite file a store opens: the explicit path if given, else thawLocations().db. */
export function resolveDbPath(explicit?: string | null, options: LocateOptions = {}): string {
  const chosen = explicit?.trim();
  if (chosen) return path.resolve(options.base ?? process.cwd(), chosen.replace(/^file:/, ""));
  return thawLocations(options).db;
}
