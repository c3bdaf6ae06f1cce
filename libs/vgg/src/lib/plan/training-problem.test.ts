// The door's engine check against the plan fit makes: the layer sizes it reads from Keras'
// table equal a built model's, and a TF.js run that would overflow the wasm heap is refused
// with the same sentence the worker's plan would fail with.
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend/init-backend.ts";
import { vgg16 } from "../model/vgg16.ts";
import { transfer } from "../model/transfer.ts";
import { layerSizes, planTraining } from "../train/plan.ts";
import { trainingProblem, transferLayerSizes } from "./training-problem.ts";

const tfjsOnWasm = { name: "tfjs" as const, reason: "THAW_ENGINE=tfjs", backend: "wasm" };

describe("trainingProblem's engine check", () => {
  beforeAll(async () => {
    await initBackend("wasm");
  });

  it("reads the same layer sizes from Keras' table as from a built transfer model", () => {
    for (const [head, dropout] of [["fc2", 0], ["fc2", 0.5], ["pooled", 0.25]] as const) {
      const model = transfer(vgg16({ inputShape: [48, 48, 3], classes: 10, widthMultiplier: 1 / 8, includeTop: head === "fc2", seed: 1 }), { frozenLayers: 11, classes: 3, head, dropout });
      expect(transferLayerSizes(head, 1 / 8, 48, 3, dropout).map(({ params, outputs }) => ({ params, outputs }))).toEqual(layerSizes(model));
      model.dispose();
    }
  });

  it("refuses at the door what the worker's TF.js plan would refuse, in the same words", async () => {
    const options = { base: "random" as const, head: "fc2" as const, imageSize: 224, widthMultiplier: 1, frozenLayers: 15, dropout: 0, batchSize: 16, classes: 2 };
    const problem = trainingProblem({ ...options, engine: tfjsOnWasm });
    expect(problem?.option).toBe("frozenLayers");
    const model = transfer(vgg16({ seed: 1 }), { frozenLayers: 15, classes: 2, head: "fc2" });
    await expect(planTraining(model, { batchSize: 16, env: { THAW_ENGINE: "tfjs" } })).rejects.toThrow(problem!.message);
    model.dispose();
    // the pooled head trains 7M weights there, which fit; ONNX Runtime has no such limit
    expect(trainingProblem({ ...options, head: "pooled", engine: tfjsOnWasm })).toBeUndefined();
    expect(trainingProblem({ ...options, engine: { ...tfjsOnWasm, name: "onnxruntime" } })).toBeUndefined();
    expect(trainingProblem({ ...options, engine: { ...tfjsOnWasm, backend: "tensorflow" } })).toBeUndefined();
  });
});
