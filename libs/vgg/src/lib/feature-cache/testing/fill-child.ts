// Test support: one "run" filling a feature cache: for each image, read the store and, when
// absent, compute (here: 50 ms of work) and write. Starts when `<root>/../go` appears, so
// that two of them start together; prints how many it computed and read.
import fs from "node:fs";
import path from "node:path";
import { FeatureStore } from "../feature-store.ts";

const [root, count] = process.argv.slice(2);
console.log("ready");
while (!fs.existsSync(path.join(root, "..", "go"))) await new Promise((resolve) => setTimeout(resolve, 20));
const store = new FeatureStore(root, { datasetFingerprint: "d", prefixWeightsHash: "w", frozenLayers: 19, inputSize: [32, 32], featureShape: [4] });
let computed = 0;
let read = 0;
for (let i = 0; i < Number(count); i++) {
  const key = FeatureStore.imageKey(new Float32Array([i]), [1, 1, 1]);
  const cached = await store.read(key);
  if (cached) {
    if (cached[0] !== i) throw new Error(`entry ${i} holds ${cached[0]}`);
    read++;
    continue;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  await store.write(key, new Float32Array([i, i, i, i]));
  computed++;
}
console.log(JSON.stringify({ computed, read }));
