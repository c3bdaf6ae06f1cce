// One store per command: opened on first use, closed when the command ends.
import { openStore, type TrackingStore } from "@thaw/tracking";
import { thawPaths } from "./config.ts";

export async function withStore<T>(fn: (store: TrackingStore) => Promise<T>): Promise<T> {
  // A SQLite file's missing folders are created by openStore; a PostgreSQL URL is used as is.
  const { db } = thawPaths();
  const store = await openStore({ path: db });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
