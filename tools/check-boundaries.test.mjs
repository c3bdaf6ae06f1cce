// The boundary check must fail the build on a real violation, not only pass on a clean tree.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "check-boundaries.mjs");

function project(root, dir, name, type, scope, files) {
  const full = path.join(root, dir);
  mkdirSync(path.join(full, "src", "lib"), { recursive: true });
  writeFileSync(path.join(full, "project.json"), JSON.stringify({ name, tags: [`type:${type}`, `scope:${scope}`] }));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(full, file), text);
}

function run(root) {
  return spawnSync(process.execPath, [script], { env: { ...process.env, THAW_BOUNDARIES_ROOT: root }, encoding: "utf8" });
}

function workspace(overrides = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), "thaw-boundaries-"));
  project(root, "libs/tracking", "tracking", "lib", "tracking", { "src/index.ts": 'import Database from "better-sqlite3";\n', ...overrides.tracking });
  project(root, "libs/vgg", "vgg", "lib", "vgg", { "src/index.ts": 'export * from "./lib/vgg16.ts";\nimport * as tf from "@tensorflow/tfjs-core";\n', ...overrides.vgg });
  project(root, "libs/data", "data", "lib", "data", { "src/index.ts": 'import sharp from "sharp";\n' });
  project(root, "libs/planner", "planner", "lib", "planner", { "src/index.ts": 'import { scanDirectory } from "@thaw/data";\nimport type { TrackingStore } from "@thaw/tracking";\nimport { trainingProblem } from "@thaw/vgg";\n', ...overrides.planner });
  project(root, "apps/trainer", "trainer", "app", "trainer", { "src/main.ts": 'import { vgg16 } from "@thaw/vgg";\nimport { openStore } from "@thaw/tracking";\nimport { planRun } from "@thaw/planner";\n', ...overrides.trainer });
  project(root, "apps/dashboard", "dashboard", "app", "dashboard", { "src/page.tsx": 'import { scanDirectory } from "@thaw/data";\n' });
  return root;
}

describe("check-boundaries", () => {
  it("passes a workspace that keeps the rules", () => {
    const result = run(workspace());
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("passes the real workspace", () => {
    const result = spawnSync(process.execPath, [script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails when tracking imports TensorFlow", () => {
    const result = run(workspace({ tracking: { "src/lib/bad.ts": 'import * as tf from "@tensorflow/tfjs-core";\n' } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('libs/tracking/src/lib/bad.ts: import "@tensorflow/tfjs-core": scope:tracking must not depend on @tensorflow/tfjs-core');
  });

  it("fails on an import of a lib's internals", () => {
    const result = run(workspace({ trainer: { "src/deep.ts": 'import { x } from "@thaw/vgg/src/lib/vgg16.ts";\n' } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("reaches into a lib's internals");
  });

  it("fails when vgg imports data, or a relative path leaves the project", () => {
    const result = run(workspace({ vgg: { "src/lib/a.ts": 'import { scanDirectory } from "@thaw/data";\n', "src/lib/b.ts": 'import x from "../../../data/src/index.ts";\n' } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("scope:vgg may not depend on scope:data");
    expect(result.stderr).toContain("into libs/data");
  });

  it("lets the planner see data, vgg and tracking, but not TensorFlow, and no lib see the planner", () => {
    const result = run(
      workspace({
        planner: { "src/lib/tf.ts": 'import * as tf from "@tensorflow/tfjs-core";\n' },
        tracking: { "src/lib/plan.ts": 'import { planRun } from "@thaw/planner";\n' },
      }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('libs/planner/src/lib/tf.ts: import "@tensorflow/tfjs-core": scope:planner must not depend on @tensorflow/tfjs-core');
    expect(result.stderr).toContain("scope:tracking may not depend on scope:planner");
    expect(result.stderr).toMatch(/violations \(2\)/);
  });

  it("fails when an app imports another app", () => {
    const result = run(workspace({ trainer: { "src/x.ts": 'import page from "@thaw/dashboard";\n' } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("apps must not be imported");
  });
});
