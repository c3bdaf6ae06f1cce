// One selection rule for forward-only work: ONNX Runtime on CPU when it loads, TF.js where
// TF.js runs natively on a GPU (tfjs-node-gpu with CUDA) or ONNX Runtime is unavailable.
// THAW_ENGINE forces one; the chosen engine's name and reason go into the run record.
import { tf, type LayersModel } from "../tf.ts";
import { InferenceEngineError, VggError } from "../errors.ts";
import type { EngineName, InferenceEngine } from "./inference-engine.ts";
import { TfjsEngine } from "./tfjs-engine.ts";
import { loadOnnxRuntime, OnnxEngine } from "./onnx-engine.ts";

export const ENGINE_NAMES: readonly EngineName[] = ["tfjs", "onnxruntime"];

export interface CreateEngineOptions {
  /** Use this engine unless THAW_ENGINE says otherwise; falls back to TF.js if ONNX Runtime cannot run the model. */
  prefer?: EngineName;
  /** Run only Keras' `layers[:N]` (the frozen prefix). Default: the whole model. */
  prefixLayers?: number;
  /** Where THAW_ENGINE is read from. Default: process.env. */
  env?: Record<string, string | undefined>;
}

export interface EngineAvailability {
  name: EngineName;
  available: boolean;
  reason: string;
}

function parseEngineName(value: string, source: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new InferenceEngineError(`${source} is "${value}"; use one of: ${ENGINE_NAMES.join(", ")}.`);
}

/** True on tfjs-node-gpu with a CUDA device: there TF.js itself is the fast engine. */
function tfjsOnNativeGpu(): boolean {
  if (tf.getBackend() !== "tensorflow") return false;
  return (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
}

async function onnxRuntimeProblem(): Promise<string | undefined> {
  try {
    await loadOnnxRuntime();
    return undefined;
  } catch (e) {
    return `onnxruntime-node does not load: ${(e as Error).message}`;
  }
}

/** Which engines could run here and why, for `thaw` diagnostics and the dashboard. */
export async function describeEngines(): Promise<EngineAvailability[]> {
  const problem = await onnxRuntimeProblem();
  const backend = tf.getBackend();
  return [
    { name: "tfjs", available: true, reason: `TF.js backend "${backend}"${tfjsOnNativeGpu() ? " on a CUDA GPU" : ""}` },
    problem === undefined
      ? { name: "onnxruntime", available: true, reason: "onnxruntime-node loads (native CPU kernels)" }
      : { name: "onnxruntime", available: false, reason: problem },
  ];
}

async function forced(model: LayersModel, name: EngineName, prefixLayers: number | undefined): Promise<InferenceEngine> {
  const reason = `THAW_ENGINE=${name}`;
  if (name === "tfjs") return TfjsEngine.create(model, { prefixLayers, reason });
  try {
    return await OnnxEngine.create(model, { prefixLayers, reason });
  } catch (e) {
    if (e instanceof VggError) throw e;
    throw new InferenceEngineError(`THAW_ENGINE=onnxruntime but ONNX Runtime cannot start (${(e as Error).message}); unset THAW_ENGINE to fall back to TF.js.`);
  }
}

/** The rule's outcome before anything is built: the engine, why, and whether THAW_ENGINE forced it. */
export interface EngineChoice {
  name: EngineName;
  reason: string;
  forced: boolean;
}

/**
 * The selection rule: THAW_ENGINE forces; else `prefer`; else TF.js on a native GPU backend,
 * TF.js when ONNX Runtime does not load, and ONNX Runtime otherwise.
 */
export async function chooseEngine(options: Pick<CreateEngineOptions, "prefer" | "env"> = {}): Promise<EngineChoice> {
  const envValue = (options.env ?? process.env).THAW_ENGINE?.trim();
  if (envValue) {
    const name = parseEngineName(envValue, "THAW_ENGINE");
    return { name, reason: `THAW_ENGINE=${name}`, forced: true };
  }
  if (options.prefer !== undefined) parseEngineName(options.prefer, "prefer");
  if (options.prefer === "tfjs") return { name: "tfjs", reason: "asked for TF.js", forced: false };
  if (options.prefer === undefined && tfjsOnNativeGpu()) return { name: "tfjs", reason: "TF.js runs natively on a CUDA GPU (tfjs-node-gpu)", forced: false };
  const problem = await onnxRuntimeProblem();
  if (problem !== undefined) return { name: "tfjs", reason: `${problem}; TF.js on "${tf.getBackend()}"`, forced: false };
  return { name: "onnxruntime", reason: "ONNX Runtime loads (native CPU kernels)", forced: false };
}

/**
 * Builds the inference engine for `model` (or its first `prefixLayers` layers) by
 * chooseEngine's rule. Unforced, a model ONNX Runtime cannot express falls back to TF.js.
 */
export async function createEngine(model: LayersModel, options: CreateEngineOptions = {}): Promise<InferenceEngine> {
  const { prefixLayers } = options;
  const choice = await chooseEngine(options);
  if (choice.forced) return forced(model, choice.name, prefixLayers);
  if (choice.name === "tfjs") return TfjsEngine.create(model, { prefixLayers, reason: choice.reason });
  try {
    return await OnnxEngine.create(model, { prefixLayers });
  } catch (e) {
    // a bad prefix or input fails the same on TF.js; anything else ONNX-specific falls back
    if (e instanceof InferenceEngineError) throw e;
    return TfjsEngine.create(model, { prefixLayers, reason: `ONNX Runtime cannot run this model (${(e as Error).message}); TF.js on "${tf.getBackend()}" instead` });
  }
}
