import path from "node:path";

/** Where the store lives when nobody says otherwise: `.thaw/thaw.db` under the working folder. */
export const DEFAULT_DB_RELATIVE_PATH = path.join(".thaw", "thaw.db");

/**
 * The absolute path of the SQLite file: the explicit path if given, else env THAW_DB, else
 * `.thaw/thaw.db` under process.cwd(). Relative paths resolve against process.cwd().
 */
export function resolveDbPath(explicit?: string | null): string {
  const chosen = explicit?.trim() || process.env.THAW_DB?.trim() || DEFAULT_DB_RELATIVE_PATH;
  return path.resolve(process.cwd(), chosen.replace(/^file:/, ""));
}
