// Child process: claims a run and logs epochs as fast as it can, printing its lease first and
// then each epoch once its transaction has committed. The test kills it with SIGKILL somewhere
// in the middle.
import { openStore } from "../../open-store.ts";

const [dbPath, runId] = process.argv.slice(2);
const store = await openStore({ path: dbPath });
const run = await store.claimRun(Number(runId), "doomed-worker");
process.stdout.write(`lease ${run.leaseToken}\n`);
for (let epoch = 0; epoch < run.epochs; epoch++) {
  await store.logEpoch(run.id, { epoch, loss: 1 / (epoch + 1), accuracy: epoch / run.epochs, valAccuracy: epoch / run.epochs, durationMs: 1 });
  process.stdout.write(`committed ${epoch}\n`);
}
await store.close();
