// Child process: a worker claiming queued runs until none is left; prints the ids it claimed
// and how long claiming took.
import { openStore } from "../../open-store.ts";
import { readyThenWaitForGo } from "../child.ts";

const [dbPath, workerId] = process.argv.slice(2);
const store = await openStore({ path: dbPath });
await readyThenWaitForGo();
const started = performance.now();
const claimed: number[] = [];
for (let run = await store.claimNextRun(workerId); run; run = await store.claimNextRun(workerId)) {
  claimed.push(run.id);
}
const elapsedMs = Math.round(performance.now() - started);
await store.close();
process.stdout.write(JSON.stringify({ workerId, claimed, elapsedMs }) + "\n");
