// The ONNX Runtime engine: the model exported to ONNX and run by onnxruntime-node's native CPU
// kernels, one intra-op thread per core unless THAW_THREADS says otherwise.
import { availableParallelism } from "node:os";
import type * as Ort from "onnxruntime-node";
import type { LayersModel } from "../tf.ts";
import { InferenceEngineError } from "../errors.ts";
import { exportOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from "../onnx/export-onnx.ts";
import type { EngineOutput, InferenceEngine } from "./inference-engine.ts";
import { checkEngineInput, perImageInputShape, resolvePrefixLayers } from "./engine-input.ts";

type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | undefined;

/** Imports onnxruntime-node once; rejects when its native binding does not load on this machine. */
export function loadOnnxRuntime(): Promise<OrtModule> {
  ortModule ??= import("onnxruntime-node").then((m) => {
    // the CommonJS module arrives as `default` under Node's ESM loader, as named exports under vite
    const ort = ((m as { default?: OrtModule }).default ?? m) as OrtModule;
    if (typeof ort.InferenceSession?.create !== "function") throw new Error("onnxruntime-node has no InferenceSession");
    return ort;
  });
  return ortModule;
}

/**
 * Intra-op threads of each ONNX Runtime session: env THAW_THREADS when set (a worker running
 * several runs at once gives each its share of the cores), else one per core.
 */
export function engineThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.THAW_THREADS?.trim();
  if (!raw) return availableParallelism();
  const threads = Number(raw);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new InferenceEngineError(`THAW_THREADS must be a whole number of at least 1, such as 2; got "${raw}". Unset it to use one thread per core.`);
  }
  return threads;
}

/** Session options for Thaw's CPU graphs: `threads` intra-op threads, sequential, fully optimised. */
function cpuSessionOptions(threads: number): Ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    // Idle pool threads sleep instead of spinning: these cores are shared with TF.js training
    // and other workers, and a spinning thread takes cycles they need (measured no slower here).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}

export const ORT_PROVIDERS = ["cpu", "cuda"] as const;
export type OrtProvider = (typeof ORT_PROVIDERS)[number];

/** Where ONNX Runtime runs Thaw's graphs. */
export interface OrtPlacement {
  /** Execution provider; default THAW_ORT_PROVIDER, else "cpu". */
  provider?: OrtProvider;
  /** Intra-op threads on CPU; default one per core. */
  threads?: number;
  env?: Record<string, string | undefined>;
}

/**
 * The execution provider by rule: `provider`, else THAW_ORT_PROVIDER, else CPU. CUDA needs
 * onnxruntime-node's CUDA binaries (ONNXRUNTIME_NODE_INSTALL=cuda12 at install); ONNX Runtime
 * then places every node it can on the GPU and the rest on CPU.
 */
export function resolveOrtProvider(placement: OrtPlacement = {}): OrtProvider {
  const value = placement.provider ?? (placement.env ?? process.env).THAW_ORT_PROVIDER?.trim();
  if (!value) return "cpu";
  if ((ORT_PROVIDERS as readonly string[]).includes(value)) return value as OrtProvider;
  throw new InferenceEngineError(`THAW_ORT_PROVIDER is "${value}"; use one of: ${ORT_PROVIDERS.join(", ")} (cuda needs onnxruntime-node installed with ONNXRUNTIME_NODE_INSTALL=cuda12).`);
}

/** Session options for `placement` and a description for the run record. */
export function ortSessionOptions(placement: OrtPlacement = {}): { options: Ort.InferenceSession.SessionOptions; provider: OrtProvider; description: string } {
  const provider = resolveOrtProvider(placement);
  const threads = placement.threads ?? engineThreads((placement.env ?? process.env) as NodeJS.ProcessEnv);
  const options = cpuSessionOptions(threads);
  if (provider === "cuda") return { options: { ...options, executionProviders: ["cuda", "cpu"] }, provider, description: `CUDA provider (CPU for the rest, ${threads} thread(s))` };
  return { options: { ...options, executionProviders: ["cpu"] }, provider, description: `CPU provider, ${threads} thread(s)` };
}

export class OnnxEngine implements InferenceEngine {
  readonly name = "onnxruntime" as const;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    private readonly perImage: number[],
    readonly reason: string,
  ) {}

  /** Exports the model (or its first `prefixLayers` layers) and opens an ONNX Runtime session on it. */
  static async create(model: LayersModel, options: { prefixLayers?: number; reason?: string; threads?: number } = {}): Promise<OnnxEngine> {
    const prefixLayers = resolvePrefixLayers(model, options.prefixLayers);
    const perImage = perImageInputShape(model);
    const bytes = exportOnnx(model, { prefixLayers });
    const ort = await loadOnnxRuntime();
    const { options: sessionOptions, description } = ortSessionOptions({ threads: options.threads });
    const session = await ort.InferenceSession.create(bytes, sessionOptions);
    const reason = options.reason ?? `ONNX Runtime ${ort.env.versions.node ?? ""}, ${description}`;
    return new OnnxEngine(ort, session, perImage, reason);
  }

  async run(input: Float32Array, batch: number): Promise<EngineOutput> {
    checkEngineInput(input, batch, this.perImage);
    const x = new this.ort.Tensor("float32", input, [batch, ...this.perImage]);
    const result = await this.session.run({ [ONNX_INPUT_NAME]: x });
    const y = result[ONNX_OUTPUT_NAME];
    if (!y || y.type !== "float32") {
      throw new InferenceEngineError(`ONNX Runtime returned no float32 "${ONNX_OUTPUT_NAME}"; re-export the model with this version of Thaw.`);
    }
    return { data: y.data as Float32Array, shape: [...y.dims] };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
