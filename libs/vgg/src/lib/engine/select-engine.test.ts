import { beforeAll, describe, expect, it } from "vitest";
import { tf, type LayersModel } from "../tf.ts";
import { vgg16 } from "../model/vgg16.ts";
import { InferenceEngineError, OnnxExportError } from "../errors.ts";
import { createEngine, describeEngines } from "./select-engine.ts";
import { ortSessionOptions, resolveOrtProvider } from "./onnx-engine.ts";

function tinyVgg(): LayersModel {
  return vgg16({ inputShape: [32, 32, 3], classes: 3, widthMultiplier: 1 / 16, seed: 1 });
}

/** Dense then BatchNormalization: TF.js runs it, the ONNX exporter does not translate it. */
function modelOnnxCannotExpress(): LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.batchNormalization({ name: "bn_head" })] });
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("createEngine selection rule", () => {
  it("picks ONNX Runtime on a CPU backend when it loads, and says why", async () => {
    const engine = await createEngine(tinyVgg(), { env: {} });
    expect(engine.name).toBe("onnxruntime");
    expect(engine.reason).toMatch(/^ONNX Runtime 1\.\d+\.\d+, CPU provider, \d+ thread/);
    await engine.dispose();
  });

  it("THAW_ENGINE forces either engine, over `prefer`", async () => {
    const model = tinyVgg();
    const tfjs = await createEngine(model, { env: { THAW_ENGINE: "tfjs" }, prefer: "onnxruntime" });
    expect([tfjs.name, tfjs.reason]).toEqual(["tfjs", "THAW_ENGINE=tfjs"]);
    const ort = await createEngine(model, { env: { THAW_ENGINE: "onnxruntime" }, prefer: "tfjs" });
    expect([ort.name, ort.reason]).toEqual(["onnxruntime", "THAW_ENGINE=onnxruntime"]);
    await ort.dispose();
  });

  it("reads THAW_ENGINE from process.env by default", async () => {
    const before = process.env.THAW_ENGINE;
    process.env.THAW_ENGINE = "tfjs";
    try {
      expect((await createEngine(tinyVgg())).name).toBe("tfjs");
    } finally {
      if (before === undefined) delete process.env.THAW_ENGINE;
      else process.env.THAW_ENGINE = before;
    }
  });

  it("rejects an unknown THAW_ENGINE or prefer value, listing the valid ones", async () => {
    await expect(createEngine(tinyVgg(), { env: { THAW_ENGINE: "ort" } })).rejects.toThrow(
      new InferenceEngineError('THAW_ENGINE is "ort"; use one of: tfjs, onnxruntime.'),
    );
    // a JavaScript caller can pass anything
    const prefer = "gpu" as unknown as "tfjs";
    await expect(createEngine(tinyVgg(), { env: {}, prefer })).rejects.toThrow(/prefer is "gpu"; use one of: tfjs, onnxruntime/);
  });

  it("prefer: 'tfjs' gives TF.js without THAW_ENGINE", async () => {
    const engine = await createEngine(tinyVgg(), { env: {}, prefer: "tfjs" });
    expect(engine.name).toBe("tfjs");
  });

  it("falls back to TF.js for a model ONNX export cannot express, naming the layer; forcing ONNX Runtime fails instead", async () => {
    const model = modelOnnxCannotExpress();
    const engine = await createEngine(model, { env: {} });
    expect(engine.name).toBe("tfjs");
    expect(engine.reason).toMatch(/"bn_head" \(BatchNormalization\).*TF\.js on "cpu" instead/);
    const out = await engine.run(Float32Array.from([1, 2, 3, 4]), 1);
    expect(out.shape).toEqual([1, 3]);
    await expect(createEngine(model, { env: { THAW_ENGINE: "onnxruntime" } })).rejects.toThrow(OnnxExportError);
  });

  it("passes the prefix to the engine chosen: both return block5_pool's NHWC output for prefixLayers 19", async () => {
    const model = tinyVgg();
    const x = new Float32Array(2 * 32 * 32 * 3).fill(10);
    for (const THAW_ENGINE of ["tfjs", "onnxruntime"]) {
      const engine = await createEngine(model, { env: { THAW_ENGINE }, prefixLayers: 19 });
      expect((await engine.run(x, 2)).shape).toEqual([2, 1, 1, 32]);
      await engine.dispose();
    }
    await expect(createEngine(model, { env: {}, prefixLayers: 24 })).rejects.toThrow(/prefixLayers must be an integer from 1 to 23/);
  });
});

describe("describeEngines", () => {
  it("reports both engines with availability and reason", async () => {
    const engines = await describeEngines();
    expect(engines).toEqual([
      { name: "tfjs", available: true, reason: 'TF.js backend "cpu"' },
      { name: "onnxruntime", available: true, reason: "onnxruntime-node loads (native CPU kernels)" },
    ]);
  });
});

describe("ONNX Runtime's execution provider", () => {
  it("is CPU by default, CUDA when THAW_ORT_PROVIDER or the option says so, and refuses anything else", () => {
    expect(resolveOrtProvider({ env: {} })).toBe("cpu");
    expect(resolveOrtProvider({ env: { THAW_ORT_PROVIDER: "cuda" } })).toBe("cuda");
    expect(resolveOrtProvider({ provider: "cpu", env: { THAW_ORT_PROVIDER: "cuda" } })).toBe("cpu");
    expect(() => resolveOrtProvider({ env: { THAW_ORT_PROVIDER: "rocm" } })).toThrow('THAW_ORT_PROVIDER is "rocm"; use one of: cpu, cuda (cuda needs onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=cuda12).');
  });

  it("puts the provider into the session options and the description the run records", () => {
    const cuda = ortSessionOptions({ env: { THAW_ORT_PROVIDER: "cuda" }, threads: 2 });
    expect(cuda.provider).toBe("cuda");
    expect(cuda.options.executionProviders).toEqual(["cuda", "cpu"]);
    expect(cuda.description).toBe("CUDA provider (CPU for the rest, 2 thread(s))");
    const cpu = ortSessionOptions({ env: {}, threads: 3 });
    expect(cpu.options.executionProviders).toEqual(["cpu"]);
    expect(cpu.options.intraOpNumThreads).toBe(3);
    expect(cpu.description).toBe("CPU provider, 3 thread(s)");
  });
});
