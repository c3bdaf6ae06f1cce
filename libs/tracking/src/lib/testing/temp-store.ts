// Test helpers: a fresh store in a temporary folder (SQLite) or a temporary database
// (PostgreSQL), and a valid set of run parameters.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatabaseProvider } from "../thaw-paths.ts";
import { openStore } from "../open-store.ts";
import type { RunParams, TrackingStore } from "../tracking-store.ts";
import { tempPostgresDatabase } from "./postgresql.ts";

export const PARAMS: RunParams = {
  frozenLayers: 15,
  learningRate: 0.001,
  optimizer: "sgd",
  momentum: 0.9,
  batchSize: 8,
  epochs: 5,
  patience: 2,
  imageSize: 32,
  base: "vgg16-imagenet",
  augment: false,
  seed: 7,
};

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "thaw-tracking-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An empty database of the provider: a file path or a URL that openStore accepts. */
export async function tempDatabase(provider: DatabaseProvider = "sqlite"): Promise<{ location: string; remove(): Promise<void> }> {
  if (provider === "postgresql") {
    const { url, drop } = await tempPostgresDatabase();
    return { location: url, remove: drop };
  }
  const { dir, remove } = tempDir();
  return { location: path.join(dir, "thaw.db"), remove: async () => remove() };
}

export async function tempStore(
  provider: DatabaseProvider = "sqlite",
): Promise<{ store: TrackingStore; dbPath: string; dispose(): Promise<void> }> {
  const { location, remove } = await tempDatabase(provider);
  const store = await openStore({ path: location });
  return {
    store,
    dbPath: location,
    async dispose() {
      await store.close();
      await remove();
    },
  };
}
