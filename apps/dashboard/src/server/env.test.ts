import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "./env.ts";
import { workspaceRootOf } from "./workspace-root.ts";

const root = workspaceRootOf(process.cwd());

describe("parseEnv", () => {
  it("defaults to the trainer's layout under the repository root and a 10 MB upload limit", () => {
    const e = parseEnv({ NODE_ENV: "test" });
    expect(e.home).toBe(path.join(root, ".thaw"));
    expect(e.dbPath).toBe(path.join(root, ".thaw", "thaw.db"));
    expect(e.dataRoots).toEqual([path.join(root, ".thaw"), root]);
    expect(e.uploadMaxBytes).toBe(10 * 1024 * 1024);
    expect(e.sweepLimit).toBe(100);
  });

  it("reads explicit values, data roots separated by the path delimiter", () => {
    const e = parseEnv({ NODE_ENV: "test", THAW_HOME: "/srv/thaw", THAW_DB: "/data/t.db", THAW_DATA_ROOTS: ["/a", "/b/c"].join(path.delimiter), UPLOAD_MAX_BYTES: "2048" });
    expect(e).toMatchObject({ home: "/srv/thaw", dbPath: "/data/t.db", dataRoots: ["/a", "/b/c"], uploadMaxBytes: 2048 });
  });

  it("stops with the variable's name when a value is bad", () => {
    expect(() => parseEnv({ NODE_ENV: "test", UPLOAD_MAX_BYTES: "ten" })).toThrow(/UPLOAD_MAX_BYTES is not valid/);
    expect(() => parseEnv({ NODE_ENV: "test", PORT: "99999" })).toThrow(/PORT is not valid/);
    expect(() => parseEnv({ NODE_ENV: "test", THAW_SWEEP_LIMIT: "500" })).toThrow(/THAW_SWEEP_LIMIT is not valid/);
  });
});
