// The `thaw` command line: one file per command under commands/; errors are caught here and
// shown as their one sentence (the stack only with THAW_DEBUG=1).
import { Command, CommanderError } from "commander";
import { registerCompare } from "./commands/compare.ts";
import { registerData } from "./commands/data.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerExport } from "./commands/export.ts";
import { registerCache } from "./commands/cache.ts";
import { registerGc } from "./commands/gc.ts";
import { registerPredict } from "./commands/predict.ts";
import { registerPromote } from "./commands/promote.ts";
import { registerRuns } from "./commands/runs.ts";
import { registerShow } from "./commands/show.ts";
import { registerStop } from "./commands/stop.ts";
import { registerSweep } from "./commands/sweep.ts";
import { registerTrain } from "./commands/train.ts";
import { registerWeights } from "./commands/weights.ts";
import { registerWorker } from "./commands/worker.ts";
import { NotFoundError, RunEndedError, UsageError } from "./errors.ts";

const program = new Command("thaw")
  .description("VGG16 transfer learning with experiment tracking")
  .showHelpAfterError(false)
  .exitOverride();

const commands = [
  registerTrain,
  registerSweep,
  registerWorker,
  registerRuns,
  registerShow,
  registerCompare,
  registerStop,
  registerPromote,
  registerPredict,
  registerExport,
  registerWeights,
  registerData,
  registerDemo,
  registerGc,
  registerCache,
];
for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
// TF.js and the store may leave timers behind; the command is done, so leave now.
process.exit(process.exitCode ?? 0);

function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof RunEndedError) {
    console.error(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`thaw: ${message}`);
  if (process.env.THAW_DEBUG === "1" && error instanceof Error && error.stack) console.error(error.stack);
  return isInputError(error) ? 2 : 1;
}

/** Errors about what the user typed exit 2, like commander's own usage errors. */
function isInputError(error: unknown): boolean {
  if (error instanceof UsageError || error instanceof NotFoundError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === "NOT_FOUND" || code === "BAD_REQUEST";
}
