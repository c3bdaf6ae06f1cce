// A worker's CPU budget: runs at a time x engine threads per run must fit in the cores, or
// ONNX Runtime's thread pools of parallel runs fight over them. Either number may be given;
// the other is derived from the cores, and giving both so that they do not fit is refused.
import { UsageError } from "../errors.ts";

export interface CpuBudget {
  concurrency: number;
  threads: number;
  cores: number;
}

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1 such as 2; got "${value}".`);
  return n;
}

export function cpuBudget(options: { concurrency?: string; threads?: string }, cores: number): CpuBudget {
  const concurrency = wholeNumber(options.concurrency, "--concurrency");
  const threads = wholeNumber(options.threads, "--threads");
  if (concurrency !== undefined && threads !== undefined) {
    if (concurrency * threads > cores) {
      throw new UsageError(
        `--concurrency ${concurrency} x --threads ${threads} = ${concurrency * threads} threads, more than this machine's ${cores} cores; lower one of them (or leave one out and it is derived).`,
      );
    }
    return { concurrency, threads, cores };
  }
  if (threads !== undefined) return { concurrency: Math.max(1, Math.floor(cores / threads)), threads, cores };
  // By default one run per core, each with one engine thread: as many runs as cores at once.
  const runs = concurrency ?? cores;
  return { concurrency: runs, threads: Math.max(1, Math.floor(cores / runs)), cores };
}

export function describeBudget(budget: CpuBudget): string {
  return `up to ${budget.concurrency} run(s) at a time x ${budget.threads} engine thread(s) each, on ${budget.cores} core(s)`;
}
