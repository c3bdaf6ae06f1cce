// One store per command: opened on first use, closed when the command ends.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { openStore, type TrackingStore } from "@thaw/tracking";
import { thawPaths } from "./config.ts";

export async function withStore<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
  const { db } = thawPaths();
  mkdirSync(path.dirname(db), { recursive: true });
  const store = await openStore({ path: db });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
