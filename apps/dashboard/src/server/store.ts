// One TrackingStore per server process, cached on globalThis so that Next's module reloads
// (dev) and its several route bundles (build) share one SQLite connection (or pg pool).
import "server-only";
import path from "node:path";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { env } from "./env.ts";
import { workspaceRootOf } from "./workspace-root.ts";

const cache = globalThis as unknown as { thawStore?: Promise<TrackingStore> };

export function getStore(): Promise<TrackingStore> {
  // The prisma/ folder (with each provider's migrations) is named explicitly: inside Next's
  // bundle the library cannot find it relative to its own (moved) source file.
  cache.thawStore ??= openStore({ path: env().dbPath, prismaDir: path.join(workspaceRootOf(process.cwd()), "prisma") });
  return cache.thawStore;
}
