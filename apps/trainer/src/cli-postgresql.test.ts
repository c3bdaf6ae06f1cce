// Every `thaw` command that reads or writes the store, run unchanged against a fresh
// PostgreSQL database (train, promote and predict are in two-hosts.test.ts): sweep, worker,
// runs, show, compare, stop, export, gc, demo, and cache beside them. Tiny models (width
// 1/16, 32x32, one epoch). Skipped without THAW_TEST_PG_URL; required under CI.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "@thaw/tracking";
import { PG_TESTS, pgAdmin, pgDatabase, removeSandbox, sandbox, thaw, withTestStore, type Sandbox } from "./testing/cli-harness.ts";

if (!PG_TESTS) console.warn("\n*** THAW_TEST_PG_URL is not set: the CLI commands on PostgreSQL are SKIPPED. ***\n");

const MODEL = ["--base", "random", "--head", "pooled", "--width", "0.0625", "--image-size", "32", "--epochs", "1", "--batch", "8", "--seed", "3"];

describe.runIf(PG_TESTS)("every CLI command on PostgreSQL", () => {
  let box: Sandbox;
  let database: Awaited<ReturnType<typeof pgDatabase>>;
  let data: string;
  /** The grid sweep's two runs (lr 1e-3 and 1e-2), then the run trained from an old plain-path row. */
  let sweepRuns: number[] = [];
  let legacyRun: number;

  function run(args: string[]) {
    const result = thaw(box, args);
    expect(result.status, `thaw ${args.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
    return result.stdout;
  }

  beforeAll(async () => {
    database = await pgDatabase("thaw_cli");
    const local = sandbox("thaw-cli-pg-");
    box = { ...local, dbPath: database.url, env: { ...local.env, THAW_DB: database.url } };
    data = path.join(box.dir, "shapes");
    run(["data", "synth", data, "--classes", "circle,square", "--per-class", "10", "--size", "32"]);
  });
  afterAll(async () => {
    removeSandbox(box);
    await database?.drop();
  });

  it("sweep queues a grid, recording the dataset as a file:// URI", async () => {
    const out = run(["sweep", "--data", data, "--experiment", "pg", ...MODEL, "--frozen", "4", "--lr", "1e-3,1e-2"]);
    const sweepId = /^Queued sweep (\S+) \(grid, 2 run\(s\), no early stopping\) in experiment "pg":$/m.exec(out)?.[1];
    expect(sweepId, out).toBeDefined();
    await withTestStore(box, async (store) => {
      const runs = (await store.listRuns({ sweepId, sort: { key: "learningRate", direction: "asc" } })).items;
      expect(runs.map((r) => [r.status, r.frozenLayers, r.learningRate])).toEqual([["QUEUED", 4, 1e-3], ["QUEUED", 4, 1e-2]]);
      sweepRuns = runs.map((r) => r.id);
      expect((await store.getSweep(sweepId as string)).budget).toBe(2);
      const dataset = await store.getDataset("shapes");
      expect(dataset.path).toBe(pathToFileURL(data).href);
    });
  });

  it("worker trains the queued runs from the dataset's URI, recording checkpoints as URIs with their sizes", async () => {
    const out = run(["worker", "--once", "--concurrency", "1", "--poll", "200"]);
    expect(out).toContain("[worker]");
    await withTestStore(box, async (store) => {
      for (const id of sweepRuns) {
        const detail = await store.getRun(id);
        expect(detail.status, detail.error ?? "").toBe("FINISHED");
        expect(detail.epochsDone).toBe(1);
        expect(detail.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
        const [checkpoint] = detail.checkpoints;
        expect(checkpoint.path).toMatch(/^file:\/\//);
        const dir = artifactPath(checkpoint.path);
        const onDisk = readdirSync(dir).reduce((sum, file) => sum + statSync(path.join(dir, file)).size, 0);
        expect(checkpoint.sizeBytes).toBe(BigInt(onDisk));
      }
      expect((await store.getDataset("shapes")).fingerprint).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  it("worker still trains from a dataset row an older Thaw wrote as a plain path", async () => {
    await pgAdmin(`UPDATE "Dataset" SET path = $1 WHERE name = 'shapes'`, [data], database.name);
    legacyRun = await withTestStore(box, async (store) => {
      const dataset = await store.getDataset("shapes");
      expect(dataset.path).toBe(data);
      const template = await store.getRun(sweepRuns[0]);
      const queued = await store.enqueueRun({
        experimentId: template.experimentId, datasetId: dataset.id, frozenLayers: 0, learningRate: 1e-3, optimizer: "sgd", momentum: 0.9,
        batchSize: 8, epochs: 1, patience: 1, imageSize: 32, base: "random", augment: false, seed: 3, extra: template.params as Record<string, unknown>,
      });
      return queued.id;
    });
    run(["worker", "--once", "--concurrency", "1", "--poll", "200"]);
    await withTestStore(box, async (store) => {
      const detail = await store.getRun(legacyRun);
      expect(detail.status, detail.error ?? "").toBe("FINISHED");
      expect(detail.dataset?.path).toBe(data);
    });
  });

  it("runs, show and compare read what the runs recorded", () => {
    const listed = run(["runs", "--experiment", "pg"]);
    for (const id of [...sweepRuns, legacyRun]) expect(listed).toMatch(new RegExp(`^\\s*${id}\\s+pg\\s+FINISHED\\s`, "m"));
    expect(listed).toMatch(/^checkpoints on disk: pg \d+(\.\d)? KiB$/m);
    expect(run(["runs"])).toContain(`checkpoints on disk: pg `);

    const shown = run(["show", String(sweepRuns[1])]);
    expect(shown).toMatch(new RegExp(`^Run ${sweepRuns[1]} \\(frozen=4 lr=0\\.01\\)  FINISHED  experiment "pg"`));
    expect(shown).toContain(`shapes (${data})`);
    expect(shown).toMatch(/^\s*\d+\s+1\s+\d+(\.\d)? KiB\s+[0-9a-f]{12}\s+file:\/\/\S+\/checkpoints\/run-\d+\/epoch-1$/m);

    const compared = run(["compare", String(sweepRuns[0]), String(sweepRuns[1])]);
    expect(compared).toMatch(/^\* lr\s+1e-3\s+0\.01$/m);
    expect(compared).toMatch(/^status\s+FINISHED\s+FINISHED$/m);
    const importance = run(["compare", "--importance", "--experiment", "pg"]);
    expect(importance).toMatch(/^(Parameter importance for best val_accuracy over 3 run\(s\)|No importance to show: 3 run\(s\))/m);
  });

  it("stop ends a queued run at once and leaves a finished one as it is", async () => {
    const out = run(["sweep", "--data", data, "--experiment", "pg", ...MODEL, "--frozen", "4", "--lr", "1e-4"]);
    const queued = Number(/^\s+run (\d+): frozen 4, lr 1e-4 /m.exec(out)?.[1]);
    expect(run(["stop", String(queued)]).trim()).toBe(`Run ${queued} was queued and is now STOPPED.`);
    expect(run(["stop", String(sweepRuns[0])]).trim()).toBe(`Run ${sweepRuns[0]} is already FINISHED; nothing to stop.`);
    await withTestStore(box, async (store) => {
      expect((await store.getRun(queued)).status).toBe("STOPPED");
      // Registering the folder again records it as a URI, whatever an older Thaw left in the row.
      expect((await store.getDataset("shapes")).path).toBe(pathToFileURL(data).href);
    });
  });

  it("export writes a run's best checkpoint as TF.js and a checkpoint as ONNX", async () => {
    const tfjs = path.join(box.dir, "export", "tfjs");
    expect(run(["export", String(sweepRuns[0]), "--format", "tfjs", "--out", tfjs])).toContain(`to ${tfjs} (model.json`);
    expect(existsSync(path.join(tfjs, "model.json"))).toBe(true);
    const checkpointId = await withTestStore(box, async (store) => (await store.bestCheckpoint(sweepRuns[1]))?.id);
    const onnx = path.join(box.dir, "export", "model.onnx");
    expect(run(["export", `ckpt:${checkpointId}`, "--out", onnx])).toMatch(new RegExp(`^Wrote ${onnx} \\(`, "m"));
    expect(statSync(onnx).size).toBeGreaterThan(0);
  });

  it("gc marks a row whose folder is gone and removes a folder no row records", async () => {
    const gone = await withTestStore(box, async (store) => (await store.bestCheckpoint(legacyRun)) ?? undefined);
    if (!gone) throw new Error(`run ${legacyRun} recorded no checkpoint`);
    rmSync(artifactPath(gone.path), { recursive: true });
    const orphan = path.join(box.dir, "home", "checkpoints", `run-${sweepRuns[0]}`, "epoch-99");
    mkdirSync(orphan, { recursive: true });
    const out = run(["gc"]);
    expect(out).toContain(`marked deleted (folder missing) ${artifactPath(gone.path)}`);
    expect(out).toContain(`removed orphan ${orphan}`);
    expect(existsSync(orphan)).toBe(false);
    const [row] = (await pgAdmin(`SELECT "deletedAt" FROM "Checkpoint" WHERE id = $1`, [gone.id], database.name)).rows as { deletedAt: Date | null }[];
    expect(row.deletedAt).not.toBeNull();
    expect(run(["gc"]).trim()).toBe("Checkpoint folders and records agree; nothing to do.");
  });

  it("cache lists the frozen prefix's feature cache the sweep's runs shared, and prunes it", () => {
    const listed = run(["cache", "ls"]);
    expect(listed).toMatch(/frozen 4 at 32x32$/m);
    expect(listed).toMatch(/ in 1 cache\(s\); cap /);
    expect(run(["cache", "prune", "--max-gb", "0"])).toMatch(/^Freed /m);
    expect(run(["cache", "ls"])).toMatch(/^No feature caches in /);
  });

  it("demo prepares its experiments once: the pretraining run trained, the transfer runs queued", async () => {
    const out = run(["demo", "--quick"]);
    expect(out).toContain("[demo] the transfer sweep and the scratch baseline are queued");
    await withTestStore(box, async (store) => {
      const pretrain = (await store.listRuns({ experimentId: (await store.getExperiment("demo-pretrain")).id })).items;
      expect(pretrain.map((r) => r.status)).toEqual(["FINISHED"]);
      const transfer = (await store.listRuns({ experimentId: (await store.getExperiment("demo-transfer")).id })).items;
      expect(transfer.map((r) => r.status)).toEqual(["QUEUED", "QUEUED", "QUEUED"]);
      const demoData = (await store.listDatasets()).filter((dataset) => dataset.name !== "shapes");
      expect(demoData.map((dataset) => dataset.path).sort()).toEqual(["source", "target"].map((name) => pathToFileURL(path.join(box.dir, "home", "demo", name)).href));
    });
    expect(run(["demo", "--quick"])).toContain("The demo is already prepared");
  });
});
