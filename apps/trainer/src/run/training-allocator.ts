// The allocator settings of a process that trains on ONNX Runtime. Every graph run hands each
// trained weight and its optimizer state back as a fresh buffer (411 MB each for VGG16's fc1).
// glibc serves allocations that large with mmap and unmaps them when freed, so every run faults
// in new pages: about 1 s per 411 MB on the 2-core VMs measured, against 30 ms to refill pages
// the process already holds. With mmap off for malloc and no trimming, a freed buffer stays in
// the heap and the next run reuses it (frozen 15 at 224: 9.6 -> 20 images/s, peak RSS lower).
// glibc reads these variables only at process start, so they go into the environment of the
// process that will train (the worker's run processes, `thaw train`). This file imports
// nothing, so deciding costs no model library load; @thaw/vgg's bench sets the same values.

/** The variables, as glibc's malloc reads them at start (ignored by other C libraries). */
export const TRAINING_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_MAX_: "0",
  MALLOC_TRIM_THRESHOLD_: String(2 ** 40),
};

/** THAW_SYSTEM_MALLOC=1 keeps the C library's defaults (to compare, or where memory is tight). */
function wanted(env: Record<string, string | undefined>): boolean {
  return process.platform === "linux" && env.THAW_SYSTEM_MALLOC !== "1";
}

/** `env` plus the training allocator settings, unless the user set them or opted out. */
export function trainingProcessEnv(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  if (!wanted(env)) return env;
  const added = Object.fromEntries(Object.entries(TRAINING_ALLOCATOR_ENV).filter(([key]) => env[key] === undefined));
  return { ...env, ...added };
}

/** True when this process would train faster restarted with `trainingProcessEnv()`. */
export function needsTrainingAllocator(env: Record<string, string | undefined> = process.env): boolean {
  return wanted(env) && Object.keys(TRAINING_ALLOCATOR_ENV).some((key) => env[key] === undefined);
}
