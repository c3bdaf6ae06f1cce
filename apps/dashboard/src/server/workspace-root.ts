// The repository root (where package.json declares workspaces): bench results go there
// whichever folder npm ran the script from.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export function workspaceRootOf(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && "workspaces" in JSON.parse(readFileSync(manifest, "utf8"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}
