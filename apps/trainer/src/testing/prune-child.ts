// Test support: prunes one run's checkpoints in its own process, printing each folder before
// removing it, so that a test can SIGKILL it in the middle of the deletion.
import { openStore } from "@thaw/tracking";
import { pruneRunCheckpoints } from "../disk/checkpoint-files.ts";

const [dbPath, runId, keep] = process.argv.slice(2);
const store = await openStore({ path: dbPath });
await pruneRunCheckpoints(store, Number(runId), Number(keep), (dir) => console.log(`removing ${dir}`));
console.log("done");
await store.close();
