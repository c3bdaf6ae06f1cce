// Where Thaw keeps its files, read once from the environment.
import path from "node:path";
import { thawLocations } from "@thaw/tracking";
import { z } from "zod";

const envSchema = z.object({
  THAW_HOME: z.string().min(1).optional(),
  THAW_DB: z.string().min(1).optional(),
  THAW_HEARTBEAT_MS: z.coerce.number().int().positive().optional(),
  /** Feature cache cap in GB (read by @thaw/vgg's cacheCapBytes); checked here so a typo fails at start. */
  THAW_CACHE_MAX_GB: z.coerce.number().positive().optional(),
  THAW_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
});

export interface ThawPaths {
  home: string;
  db: string;
  checkpoints: string;
  cache: string;
  demo: string;
}

export function thawPaths(env: NodeJS.ProcessEnv = process.env): ThawPaths {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") ?? "environment";
    throw new Error(`The environment variable ${field} is not valid; unset it or give it a proper value.`);
  }
  const { home, db } = thawLocations({ env });
  return {
    home,
    db,
    checkpoints: path.join(home, "checkpoints"),
    cache: path.join(home, "cache"),
    demo: path.join(home, "demo"),
  };
}

/** How often a worker refreshes its heartbeat, and after how long a silent run counts as lost. */
export function heartbeatTimings(env: NodeJS.ProcessEnv = process.env): { intervalMs: number; timeoutMs: number } {
  const parsed = envSchema.parse(env);
  return {
    intervalMs: parsed.THAW_HEARTBEAT_MS ?? 3_000,
    timeoutMs: parsed.THAW_HEARTBEAT_TIMEOUT_MS ?? 60_000,
  };
}
