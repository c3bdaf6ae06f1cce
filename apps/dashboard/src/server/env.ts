// The dashboard's environment, parsed once. A bad value stops the server at start with one
// sentence naming the variable, rather than failing later inside a request.
import "server-only";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { MAX_SWEEP_RUNS, thawLocations } from "@thaw/tracking";
import { workspaceRootOf } from "./workspace-root.ts";

const schema = z.object({
  THAW_HOME: z.string().min(1).optional(),
  THAW_DB: z.string().min(1).optional(),
  /** Folders a dataset may be registered from, separated by the OS path delimiter (":"). */
  THAW_DATA_ROOTS: z.string().min(1).optional(),
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().max(200 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Most runs one sweep may queue (the store allows at most MAX_SWEEP_RUNS). */
  THAW_SWEEP_LIMIT: z.coerce.number().int().positive().max(MAX_SWEEP_RUNS).default(MAX_SWEEP_RUNS),
  // Read by `next start` (the serve script); checked here so a typo fails with a sentence.
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
});

export interface DashboardEnv {
  home: string;
  /** The SQLite file's absolute path or the PostgreSQL URL. */
  dbPath: string;
  dataRoots: string[];
  uploadMaxBytes: number;
  sweepLimit: number;
}

/**
 * THAW_HOME and the database come from @thaw/tracking's one resolver, relative to the
 * repository root (where `npm start` runs); datasets may come from THAW_HOME (the demo lives
 * there) or the repository itself.
 */
export function parseEnv(env: NodeJS.ProcessEnv = process.env): DashboardEnv {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`The environment variable ${String(issue?.path[0])} is not valid (${issue?.message}); fix or unset it.`);
  }
  const root = workspaceRootOf(process.cwd());
  const e = parsed.data;
  const { home, db } = thawLocations({ env, base: root });
  const roots = e.THAW_DATA_ROOTS ? e.THAW_DATA_ROOTS.split(path.delimiter).filter(Boolean) : [home, root];
  return {
    home,
    dbPath: db,
    dataRoots: roots.map((r) => path.resolve(root, r.replace(/^~(?=$|\/)/, os.homedir()))),
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    sweepLimit: e.THAW_SWEEP_LIMIT,
  };
}

const cache = globalThis as unknown as { thawDashboardEnv?: DashboardEnv };

export function env(): DashboardEnv {
  cache.thawDashboardEnv ??= parseEnv();
  return cache.thawDashboardEnv;
}
