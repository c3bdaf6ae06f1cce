// `thaw cache ls` and `thaw cache prune`: the frozen-prefix feature caches under THAW_HOME,
// their size, last use and users, and least-recently-used eviction to THAW_CACHE_MAX_GB (or
// --max-gb), never removing a cache a running run uses.
import path from "node:path";
import type { Command } from "commander";
import { thawPaths } from "../config.ts";
import { UsageError } from "../errors.ts";
import { fmtBytes, table } from "../format.ts";

export function featureCacheRoot(): string {
  return path.join(thawPaths().cache, "features");
}

export function registerCache(program: Command): void {
  const cache = program.command("cache").description("list or prune the frozen-prefix feature caches");
  cache
    .command("ls")
    .description("list the feature caches, least recently used first")
    .action(async () => {
      const { cacheCapBytes, listCacheFolders } = await import("@thaw/vgg");
      const folders = listCacheFolders(featureCacheRoot());
      if (folders.length === 0) return console.log(`No feature caches in ${featureCacheRoot()}.`);
      const rows = folders.map((f) => [
        path.basename(f.dir),
        fmtBytes(f.bytes),
        new Date(f.lastUsedMs).toISOString().replace("T", " ").slice(0, 19),
        f.users.length > 0 ? `in use (pid ${f.users.join(", ")})` : "",
        `frozen ${String(f.meta?.frozenLayers ?? "?")} at ${Array.isArray(f.meta?.inputSize) ? (f.meta.inputSize as number[]).join("x") : "?"}`,
      ]);
      console.log(table(["cache", "size", "last used", "users", "prefix"], rows));
      const total = folders.reduce((sum, f) => sum + f.bytes, 0);
      console.log(`\n${fmtBytes(total)} in ${folders.length} cache(s); cap ${fmtBytes(cacheCapBytes())} (THAW_CACHE_MAX_GB).`);
    });
  cache
    .command("prune")
    .description("remove least recently used caches until they fit the cap (never one in use)")
    .option("--max-gb <gb>", "the cap for this prune (default THAW_CACHE_MAX_GB, else 20)")
    .action(async (opts: { maxGb?: string }) => {
      const { cacheCapBytes, evictFeatureCaches } = await import("@thaw/vgg");
      const gb = opts.maxGb === undefined ? undefined : Number(opts.maxGb);
      if (gb !== undefined && !(Number.isFinite(gb) && gb >= 0)) throw new UsageError(`--max-gb must be a number of gigabytes, 0 or more, such as 5; got "${opts.maxGb}".`);
      const cap = gb === undefined ? cacheCapBytes() : Math.round(gb * 1024 ** 3);
      const removed = evictFeatureCaches(featureCacheRoot(), cap);
      for (const folder of removed) console.log(`removed ${folder.dir} (${fmtBytes(folder.bytes)})`);
      console.log(removed.length > 0 ? `Freed ${fmtBytes(removed.reduce((s, f) => s + f.bytes, 0))}.` : `The caches fit ${fmtBytes(cap)}; nothing removed.`);
    });
}
