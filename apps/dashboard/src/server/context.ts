// The context of a request: the process's store and the parsed environment.
import "server-only";
import type { Context } from "./api/trpc.ts";
import { env } from "./env.ts";
import { getStore } from "./store.ts";

export async function requestContext(): Promise<Context> {
  const e = env();
  return {
    store: await getStore(),
    config: { dataRoots: e.dataRoots, sweepLimit: e.sweepLimit, weightSearch: {} },
  };
}
