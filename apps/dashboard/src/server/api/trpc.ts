// tRPC is initialised once here. Only the router factory, the caller factory and the one
// procedure builder leave this file, so every procedure shares the same transformer,
// error formatter and error mapping.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { TrackingStore } from "@thaw/tracking";
import { FieldRefusal, toTrpcError } from "./errors.ts";

export interface Context {
  store: TrackingStore;
  config: {
    /** Folders a dataset may be registered from (absolute). */
    dataRoots: string[];
    sweepLimit: number;
    /** Where to look for Keras' ImageNet weights (THAW_WEIGHTS_DIR, ~/.keras/models). */
    weightSearch: { env?: NodeJS.ProcessEnv; homeDir?: string };
  };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Field errors (zod's, or a planner's refusal) travel to the form so that each
        // message appears beside its field.
        fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : cause instanceof FieldRefusal ? { [cause.field]: [cause.message] } : null,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure: store errors become TRPCErrors with a code the client can act on. */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const mapped = toTrpcError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

export { TRPCError };
