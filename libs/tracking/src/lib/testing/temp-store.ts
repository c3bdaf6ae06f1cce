// Test helpers: a fresh store in a temporary folder, and a valid set of run parameters.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "../open-store.ts";
import type { RunParams, TrackingStore } from "../tracking-store.ts";

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

export async function tempStore(): Promise<{ store: TrackingStore; dbPath: string; dispose(): Promise<void> }> {
  const { dir, remove } = tempDir();
  const dbPath = path.join(dir, "thaw.db");
  const store = await openStore({ path: dbPath });
  return {
    store,
    dbPath,
    async dispose() {
      await store.close();
      remove();
    },
  };
}
