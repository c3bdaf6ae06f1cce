// The database part of thaw-paths.ts: which store THAW_DB (or an explicit value) selects.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { databaseLocation, redact, resolveDatabase } from "./thaw-paths.ts";
import { InvalidInputError } from "./errors.ts";
import { openStore } from "./open-store.ts";
import { tempDir } from "./testing/temp-store.ts";

afterEach(() => vi.unstubAllEnvs());

describe("resolveDatabase", () => {
  it("uses the explicit value, else THAW_DB, else .thaw/thaw.db under the working folder", () => {
    vi.stubEnv("THAW_DB", "");
    vi.stubEnv("THAW_HOME", "");
    expect(resolveDatabase()).toEqual({ provider: "sqlite", path: path.join(process.cwd(), ".thaw", "thaw.db") });
    vi.stubEnv("THAW_DB", "runs/env.db");
    expect(resolveDatabase()).toEqual({ provider: "sqlite", path: path.join(process.cwd(), "runs", "env.db") });
    expect(resolveDatabase("/srv/explicit.db")).toEqual({ provider: "sqlite", path: "/srv/explicit.db" });
    expect(resolveDatabase("file:/srv/url.db")).toEqual({ provider: "sqlite", path: "/srv/url.db" });
    expect(resolveDatabase("file:///srv/url.db")).toEqual({ provider: "sqlite", path: "/srv/url.db" });
    expect(resolveDatabase("file:rel.db", { base: "/base" })).toEqual({ provider: "sqlite", path: "/base/rel.db" });
  });

  it("selects PostgreSQL for postgresql:// and postgres:// URLs and keeps them as written", () => {
    const url = "postgresql://thaw:secret@db.example:5432/thaw?schema=public";
    expect(resolveDatabase(url)).toEqual({ provider: "postgresql", url });
    expect(resolveDatabase("postgres://thaw@127.0.0.1/thaw")).toEqual({ provider: "postgresql", url: "postgres://thaw@127.0.0.1/thaw" });
    vi.stubEnv("THAW_DB", url);
    expect(databaseLocation(resolveDatabase())).toBe(url);
    expect(redact(url)).toBe("postgresql://thaw:***@db.example:5432/thaw?schema=public");
    expect(redact("/srv/thaw.db")).toBe("/srv/thaw.db");
  });

  it("refuses any other scheme, listing the accepted forms, and creates no file", () => {
    for (const bad of ["mysql://root@localhost/thaw", "s3://bucket/thaw.db", "https://example.com/db"]) {
      expect(() => resolveDatabase(bad)).toThrow(InvalidInputError);
      expect(() => resolveDatabase(bad)).toThrow(
        `Invalid THAW_DB: the scheme "${bad.split(":")[0]}:" is not supported; use a SQLite file path (e.g. .thaw/thaw.db), a file: URL (file:/srv/thaw.db) or a PostgreSQL URL (postgresql://user:password@host:5432/thaw).`,
      );
    }
  });

  it("makes openStore refuse an unknown scheme instead of creating a SQLite file named after it", async () => {
    const { dir, remove } = tempDir();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await expect(openStore({ path: "mysql://root@localhost/thaw" })).rejects.toThrow(/scheme "mysql:" is not supported/);
      expect(existsSync(path.join(dir, "mysql:"))).toBe(false);
    } finally {
      process.chdir(cwd);
      remove();
    }
  });
});
