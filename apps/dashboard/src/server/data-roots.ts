// A dataset folder typed into the browser is a path on the server's disk: it must resolve,
// symbolic links followed, inside one of the configured data roots.
import { realpathSync, statSync } from "node:fs";
import path from "node:path";

export class OutsideDataRootsError extends Error {
  override name = "OutsideDataRootsError";
}

function real(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** The folder's real path when it is a directory inside a root; throws with the reason otherwise. */
export function resolveDatasetFolder(folder: string, roots: string[]): string {
  if (!path.isAbsolute(folder)) throw new OutsideDataRootsError(`Give the folder as an absolute path (it starts with "/"), not "${folder}".`);
  const resolved = real(folder);
  if (resolved === null || !statSync(resolved).isDirectory()) {
    throw new OutsideDataRootsError(`The folder ${folder} does not exist on the server; check the path.`);
  }
  const inside = roots.some((root) => {
    const r = real(root);
    return r !== null && (resolved === r || resolved.startsWith(r + path.sep));
  });
  if (!inside) {
    throw new OutsideDataRootsError(`The folder ${folder} is outside the data folders this server may read (${roots.join(", ")}); move it there or add its parent to THAW_DATA_ROOTS.`);
  }
  return resolved;
}
