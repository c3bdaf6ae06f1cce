// The allocator settings Thaw's training processes start with (the trainer's
// run/training-allocator.ts says why: ONNX Runtime returns every trained weight as a fresh
// buffer, and re-faulting 411 MB per run dominated the step). The bench's section processes
// start with the same, unless THAW_SYSTEM_MALLOC=1, so its figures are the product's.
export const TRAINING_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_MAX_: "0", MALLOC_TRIM_THRESHOLD_: String(2 ** 40) };

export function benchSectionEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return env.THAW_SYSTEM_MALLOC === "1" ? env : { ...TRAINING_ALLOCATOR_ENV, ...env };
}
