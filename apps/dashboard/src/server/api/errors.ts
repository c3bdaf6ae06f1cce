// The libraries throw named errors; the API speaks TRPCError codes. Tracking errors carry
// their own `code`; data errors about a folder the user typed are bad input. Matching is by
// name and code rather than instanceof so that it survives a bundler loading a lib twice.
import { TRPCError } from "@trpc/server";

const CLIENT_CODES = new Set<TRPCError["code"]>(["NOT_FOUND", "BAD_REQUEST", "CONFLICT"]);

const BY_NAME: Record<string, TRPCError["code"]> = {
  DatasetNotFoundError: "BAD_REQUEST",
  DatasetLayoutError: "BAD_REQUEST",
  InvalidOptionError: "BAD_REQUEST",
  OutsideDataRootsError: "BAD_REQUEST",
};

/** A refusal about one form field; the error formatter sends it as that field's error. */
export class FieldRefusal extends Error {
  override readonly name = "FieldRefusal";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** BAD_REQUEST whose sentence the form shows beside `field`. */
export function refuseField(field: string, message: string): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message, cause: new FieldRefusal(field, message) });
}

/** A TRPCError for a known library error, or null for anything else (a real 500). */
export function toTrpcError(error: unknown): TRPCError | null {
  if (!(error instanceof Error)) return null;
  const own = (error as { code?: unknown }).code;
  const code = typeof own === "string" && CLIENT_CODES.has(own as TRPCError["code"]) ? (own as TRPCError["code"]) : BY_NAME[error.name];
  return code ? new TRPCError({ code, message: error.message, cause: error }) : null;
}
