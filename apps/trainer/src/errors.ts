// Errors the CLI raises itself. Each carries one sentence that names the problem and the fix;
// main.ts prints it without a stack. Errors from the libs carry their own sentences.

/** Bad input on the command line, refused before anything is written or trained. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A run, checkpoint or alias named on the command line does not exist. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** A run ended without finishing (FAILED or STOPPED); `thaw train` exits non-zero then. */
export class RunEndedError extends Error {
  override readonly name = "RunEndedError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
