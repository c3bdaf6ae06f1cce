// Artifacts (checkpoints, feature caches, datasets) are recorded as URIs under one artifact
// root, THAW_ARTIFACTS, so that every host reading the store finds them: a `file://` root on
// a mount that all hosts share at the same path (NFS or similar), as MLflow's artifact store
// does. Only `file:` is served here; another scheme (an object store) would be one more case
// of artifactPath and artifactRoot, and is refused until then.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { InvalidInputError } from "./errors.ts";

const ACCEPTED = "a file:// URL or an absolute folder path on a mount every host shares, such as file:///mnt/thaw-artifacts";

/** The artifact root: THAW_ARTIFACTS when given, else THAW_HOME itself (`file://` + home). */
export function artifactRoot(value: string | undefined, home: string): URL {
  const chosen = value?.trim();
  if (!chosen) return pathToFileURL(path.resolve(home) + path.sep);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(chosen)?.[1]?.toLowerCase();
  if (scheme === undefined) return pathToFileURL(path.resolve(chosen) + path.sep);
  if (scheme !== "file") {
    throw new InvalidInputError("THAW_ARTIFACTS", `the scheme "${scheme}:" is not supported yet`, `use ${ACCEPTED}`);
  }
  const dir = fileURLToPath(chosen);
  return pathToFileURL(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** The local folder of a root. */
export function artifactRootPath(root: URL): string {
  return fileURLToPath(root);
}

/** The URI recorded for a file or folder under the root (given as its local path). */
export function artifactUri(localPath: string): string {
  return pathToFileURL(path.resolve(localPath)).href;
}

/**
 * Where a recorded artifact is on this host: a `file:` URI's path; a plain absolute path (rows
 * written before artifacts were URIs) as it is.
 */
export function artifactPath(recorded: string): string {
  if (recorded.startsWith("file:")) return fileURLToPath(recorded);
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):\/\//.exec(recorded)?.[1];
  if (scheme) {
    throw new InvalidInputError("artifact", `"${recorded}" uses the scheme "${scheme}:", which this version of Thaw cannot read`, `store artifacts under ${ACCEPTED}`);
  }
  return path.resolve(recorded);
}
