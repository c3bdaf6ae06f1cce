import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { databaseLocation, resolveDatabase, thawLocations } from "./thaw-paths.ts";

const resolveDbPath = (explicit?: string) => databaseLocation(resolveDatabase(explicit));
import { openStore } from "./open-store.ts";
import { tempDir } from "./testing/temp-store.ts";

afterEach(() => vi.unstubAllEnvs());

describe("thawLocations and resolveDbPath", () => {
  it("puts the database in THAW_HOME unless THAW_DB says otherwise, relative to the base folder", () => {
    const env = (vars: Record<string, string>) => ({ ...vars }) as NodeJS.ProcessEnv;
    expect(thawLocations({ env: env({}), base: "/work/repo" })).toMatchObject({ home: "/work/repo/.thaw", db: "/work/repo/.thaw/thaw.db" });
    expect(thawLocations({ env: env({ THAW_HOME: "state" }), base: "/work/repo" })).toMatchObject({ home: "/work/repo/state", db: "/work/repo/state/thaw.db" });
    expect(thawLocations({ env: env({ THAW_HOME: "/srv/thaw", THAW_DB: "runs/env.db" }), base: "/work/repo" })).toMatchObject({ home: "/srv/thaw", db: "/work/repo/runs/env.db" });
    expect(thawLocations({ env: env({ THAW_DB: "file:/srv/url.db" }), base: "/x" }).db).toBe("/srv/url.db");
    expect(thawLocations({ env: env({ THAW_DB: "postgresql://thaw@db:5432/thaw" }), base: "/x" }).database).toEqual({ provider: "postgresql", url: "postgresql://thaw@db:5432/thaw" });
  });

  it("uses the explicit path, else THAW_DB, else THAW_HOME/thaw.db under the working folder", () => {
    vi.stubEnv("THAW_DB", "");
    vi.stubEnv("THAW_HOME", "");
    expect(resolveDbPath()).toBe(path.join(process.cwd(), ".thaw", "thaw.db"));
    vi.stubEnv("THAW_HOME", "/srv/home");
    expect(resolveDbPath()).toBe("/srv/home/thaw.db");
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
    expect(store.provider).toBe("sqlite");
    await store.ensureExperiment("x");
    await store.close();
    expect(existsSync(dbPath)).toBe(true);
    remove();
  });
});
