import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../../../../server/api/root.ts";
import { requestContext } from "../../../../server/context.ts";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: requestContext,
    onError({ error, path }) {
      // Expected errors (bad input, unknown ids) are answers, not incidents.
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path ?? "?"} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };

// The store is read at request time, never at build time.
export const dynamic = "force-dynamic";
