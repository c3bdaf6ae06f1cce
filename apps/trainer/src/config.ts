// Where Thaw keeps its files, read once from the environment.
import path from "node:path";
import { artifactRoot, artifactRootPath, thawLocations } from "@thaw/tracking";
import { z } from "zod";

const envSchema = z.object({
  THAW_HOME: z.string().min(1).optional(),
  THAW_DB: z.string().min(1).optional(),
  THAW_ARTIFACTS: z.string().min(1).optional(),
  THAW_HEARTBEAT_MS: z.coerce.number().int().positive().optional(),
  /** Feature cache cap in GB (read by @thaw/vgg's cacheCapBytes); checked here so a typo fails at start. */
  THAW_CACHE_MAX_GB: z.coerce.number().positive().optional(),
  THAW_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
});

export interface ThawPaths {
  home: string;
  /** The SQLite file's absolute path or the PostgreSQL URL (THAW_DB), else THAW_HOME/thaw.db. */
  db: string;
  /** The artifact root (THAW_ARTIFACTS, else THAW_HOME): checkpoints and caches live under it. */
  artifacts: URL;
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
  const artifacts = artifactRoot(parsed.data.THAW_ARTIFACTS, home);
  return {
    home,
    db,
    artifacts,
    checkpoints: path.join(artifactRootPath(artifacts), "checkpoints"),
    cache: path.join(artifactRootPath(artifacts), "cache"),
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
