import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveDbPath } from "./db-path.ts";
import { openStore } from "./open-store.ts";
import { tempDir } from "./testing/temp-store.ts";

afterEach(() => vi.unstubAllEnvs());

describe("resolveDbPath", () => {
  it("uses the explicit path, else THAW_DB, else .thaw/thaw.db under the working folder", () => {
    vi.stubEnv("THAW_DB", "");
    expect(resolveDbPath()).toBe(path.join(process.cwd(), ".thaw", "thaw.db"));
    vi.stubEnv("THAW_DB", "runs/env.db");
    expect(resolveDbPath()).toBe(path.join(process.cwd(), "runs", "env.db"));
    expect(resolveDbPath("/srv/explicit.db")).toBe("/srv/explicit.db");
    expect(resolveDbPath("file:/srv/url.db")).toBe("/srv/url.db");
  });

  it("lets openStore create missing parent folders of the THAW_DB file", async () => {
    const { dir, remove } = tempDir();
    const dbPath = path.join(dir, "deep", "er", "thaw.db");
    vi.stubEnv("THAW_DB", dbPath);
    const store = await openStore();
    expect(store.dbPath).toBe(dbPath);
    await store.ensureExperiment("x");
    await store.close();
    expect(existsSync(dbPath)).toBe(true);
    remove();
  });
});
