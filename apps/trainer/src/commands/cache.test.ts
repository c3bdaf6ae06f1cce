// `thaw cache ls|prune` and `thaw gc` through the real CLI on a temporary THAW_HOME.
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeSandbox, sandbox, thaw, type Sandbox } from "../testing/cli-harness.ts";

let box: Sandbox;
let root: string;

beforeAll(() => {
  box = sandbox();
  root = path.join(box.dir, "home", "cache", "features");
  for (const [name, ageMs] of [["aaaa", 2_000_000], ["bbbb", 1_000_000]] as const) {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, "ab"), { recursive: true });
    writeFileSync(path.join(dir, "meta.json"), JSON.stringify({ frozenLayers: 19, inputSize: [32, 32] }));
    writeFileSync(path.join(dir, "ab", "x.f32"), Buffer.alloc(3000));
    const when = new Date(Date.now() - ageMs);
    writeFileSync(path.join(dir, "last-used"), "");
    utimesSync(path.join(dir, "last-used"), when, when);
  }
});
afterAll(() => removeSandbox(box));

describe("thaw cache", () => {
  it("lists the caches least recently used first, then prunes the oldest to fit a cap", () => {
    const ls = thaw(box, ["cache", "ls"]);
    expect(ls.status, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^aaaa\s+3\.0 KiB\s+\S+ \S+\s+frozen 19 at 32x32$/m);
    expect(ls.stdout.indexOf("aaaa")).toBeLessThan(ls.stdout.indexOf("bbbb"));
    expect(ls.stdout).toContain("2 cache(s); cap 20.00 GiB (THAW_CACHE_MAX_GB).");

    const prune = thaw(box, ["cache", "prune", "--max-gb", "0.000004"]);
    expect(prune.status, prune.stderr).toBe(0);
    expect(prune.stdout).toContain(`removed ${path.join(root, "aaaa")}`);
    expect(prune.stdout).not.toContain("bbbb");
    const bad = thaw(box, ["cache", "prune", "--max-gb", "lots"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('thaw: --max-gb must be a number of gigabytes, 0 or more, such as 5; got "lots".');
  });

  it("thaw gc says when checkpoint folders and records agree", () => {
    const gc = thaw(box, ["gc"]);
    expect(gc.status, gc.stderr).toBe(0);
    expect(gc.stdout.trim()).toBe("Checkpoint folders and records agree; nothing to do.");
  });
});
