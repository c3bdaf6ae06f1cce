// `thaw train` trains in its own process; glibc reads the allocator settings that training on
// ONNX Runtime needs (training-allocator.ts) only at start, so the command runs
// itself again once with them, passing signals on and returning the child's exit code.
import { spawn } from "node:child_process";
import { needsTrainingAllocator, trainingProcessEnv } from "./training-allocator.ts";

/** Runs this command again with the training allocator; false when this process already has it. */
export async function restartForTraining(): Promise<boolean> {
  if (!needsTrainingAllocator()) return false;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: trainingProcessEnv() });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
    process.exitCode = code ?? (signal ? 1 : 0);
    return true;
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}
