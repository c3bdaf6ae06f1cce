// `thaw gc`: brings checkpoint folders and their rows back in step: finishes deletions a
// crash interrupted, marks rows whose folders are gone, removes folders no row records.
import type { Command } from "commander";
import { thawPaths } from "../config.ts";
import { repairCheckpoints } from "../disk/checkpoint-files.ts";
import { withStore } from "../store.ts";

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description("remove orphan checkpoint folders and finish interrupted checkpoint deletions")
    .action(async () => {
      await withStore(async (store) => {
        const report = await repairCheckpoints(store, thawPaths().checkpoints);
        const lines = [
          ...report.finishedDeletions.map((dir) => `finished deleting ${dir}`),
          ...report.missingFolders.map((dir) => `marked deleted (folder missing) ${dir}`),
          ...report.orphans.map((dir) => `removed orphan ${dir}`),
        ];
        console.log(lines.length > 0 ? lines.join("\n") : "Checkpoint folders and records agree; nothing to do.");
      });
    });
}
