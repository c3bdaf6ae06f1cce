// Chooses the fastest TF.js backend that loads here: tfjs-node-gpu (only with CUDA), then
// tfjs-node, then wasm, then cpu. The native packages download libtensorflow at install and
// are optional dependencies, so their absence or breakage is normal and only reported.
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { realpathSync } from "node:fs";
import path from "node:path";
import { tf } from "../tf.ts";
import { BackendError } from "../errors.ts";
import { registerWasmTrainingKernels } from "./wasm-kernels.ts";

export const BACKEND_NAMES = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendChoice {
  name: BackendName;
  /** One line per backend tried, saying why it was taken or skipped. */
  reasons: string[];
}

const require = createRequire(import.meta.url);

/**
 * The backend TF.js would train on in a worker started here, without starting it: the native
 * one where tfjs-node(-gpu) is installed, else wasm (for checks before a run is queued).
 */
export function expectedTfjsBackend(): "tensorflow" | "wasm" {
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
      return "tensorflow";
    } catch {
      // not installed: the optional dependency's download failed or was skipped
    }
  }
  return "wasm";
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** A native package registers its backend on the tfjs-core copy it resolves; ours must be that copy. */
function coreCopyMismatch(pkg: string): string | undefined {
  const ours = realpathSync(require.resolve("@tensorflow/tfjs-core"));
  const theirs = realpathSync(createRequire(require.resolve(`${pkg}/package.json`)).resolve("@tensorflow/tfjs-core"));
  return ours === theirs ? undefined : `${pkg} uses another @tensorflow/tfjs-core (${theirs}, ours ${ours}), so its backend is invisible here; dedupe to a single tfjs-core 4.22`;
}

interface NodeBackend {
  isUsingGpuDevice?: boolean;
}

/** Imports tfjs-node(-gpu); returns why it cannot be used, or undefined when 'tensorflow' is active. */
async function tryNative(pkg: string, needGpu: boolean): Promise<string | undefined> {
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional package.
    const specifier: string = pkg;
    await import(specifier);
  } catch (error) {
    return `${pkg} did not load: ${firstLine(error)}`;
  }
  const mismatch = coreCopyMismatch(pkg);
  if (mismatch) return mismatch;
  if (!tf.findBackend("tensorflow")) return `${pkg} loaded but registered no 'tensorflow' backend`;
  if (!(await tf.setBackend("tensorflow"))) return `${pkg} loaded but its backend failed to initialise`;
  if (needGpu && (tf.backend() as NodeBackend).isUsingGpuDevice !== true) return `${pkg} loaded but found no CUDA device`;
  return undefined;
}

async function tryWasm(): Promise<{ failure?: string; note?: string }> {
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // The .wasm binaries sit beside the package's main file; Node reads them as files.
    wasm.setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + path.sep);
    const cores = availableParallelism();
    wasm.setThreadsCount(cores);
    registerWasmTrainingKernels();
    if (!(await tf.setBackend("wasm"))) return { failure: "@tensorflow/tfjs-backend-wasm failed to initialise" };
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
    const threads = wasm.getThreadsCount();
    const threadNote = threads < cores ? ` (asked for ${cores}; TF.js wasm has no threads in Node, so it runs single-threaded)` : "";
    return { note: `SIMD ${simd ? "on" : "off"}, ${threads} thread${threads === 1 ? "" : "s"}${threadNote}` };
  } catch (error) {
    return { failure: `@tensorflow/tfjs-backend-wasm did not load: ${firstLine(error)}` };
  }
}

async function tryBackend(name: BackendName): Promise<{ failure?: string; note?: string }> {
  switch (name) {
    case "tensorflow-gpu":
      return { failure: await tryNative("@tensorflow/tfjs-node-gpu", true) };
    case "tensorflow":
      return { failure: await tryNative("@tensorflow/tfjs-node", false) };
    case "wasm":
      return tryWasm();
    case "cpu":
      return (await tf.setBackend("cpu")) ? {} : { failure: "the cpu backend failed to initialise" };
  }
}

/** Reads THAW_BACKEND; an unknown value fails with the valid ones listed. */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const value = env.THAW_BACKEND?.trim();
  if (!value) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(value)) {
    throw new BackendError(`THAW_BACKEND=${value} is not a backend; use one of ${BACKEND_NAMES.join(", ")} or unset it to choose automatically.`);
  }
  return value as BackendName;
}

async function select(forced: BackendName | undefined): Promise<BackendChoice> {
  const reasons: string[] = [];
  for (const name of forced ? [forced] : BACKEND_NAMES) {
    const { failure, note } = await tryBackend(name);
    if (failure === undefined) {
      reasons.push(`${name}: in use${note ? `; ${note}` : ""}${forced ? " (forced)" : ""}`);
      return { name, reasons };
    }
    reasons.push(`${name}: skipped; ${failure}`);
  }
  throw new BackendError(`Backend ${forced} cannot be used here (${reasons.join("; ")}); pick another with THAW_BACKEND or install it.`);
}

const selections = new Map<string, Promise<BackendChoice>>();

/**
 * Makes a backend active and reports the choice. `prefer` (else THAW_BACKEND) forces one
 * backend and fails if it cannot load; without either the first that loads wins.
 * Idempotent: the same request returns the same choice.
 */
export function initBackend(prefer?: BackendName): Promise<BackendChoice> {
  if (prefer !== undefined && !(BACKEND_NAMES as readonly string[]).includes(prefer)) {
    return Promise.reject(new BackendError(`Backend '${String(prefer)}' is unknown; use one of ${BACKEND_NAMES.join(", ")}.`));
  }
  const forced = prefer ?? backendFromEnv();
  const key = forced ?? "auto";
  let selection = selections.get(key);
  if (!selection) {
    selection = select(forced);
    selection.catch(() => selections.delete(key));
    selections.set(key, selection);
  }
  return selection.then(async (choice) => {
    // Another request may have switched backends since; make this one active again.
    const tfName = choice.name === "tensorflow-gpu" ? "tensorflow" : choice.name;
    if (tf.getBackend() !== tfName) await tf.setBackend(tfName);
    return choice;
  });
}
