// The Thaw version a run records: the package version plus the git commit when available.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function thawVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(appDir, "package.json"), "utf8")) as { version: string };
  try {
    const commit = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: appDir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: appDir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    return `${pkg.version}+${commit}${dirty ? "-dirty" : ""}`;
  } catch {
    return pkg.version;
  }
}
