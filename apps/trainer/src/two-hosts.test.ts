// Two hosts, simulated as two THAW_HOMEs that share one store and one artifact root (what an
// NFS mount gives real hosts): a run trained on one is promoted and used for prediction on the
// other, and a host whose copy of a dataset differs refuses to train on it. On SQLite, and on
// PostgreSQL (a fresh database on the THAW_TEST_PG_URL server; required under CI), where the
// CLI runs unchanged.
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PG_TESTS, pgDatabase, removeSandbox, sandbox, thaw, withTestStore, type Sandbox } from "./testing/cli-harness.ts";

const stores = PG_TESTS ? ["sqlite", "postgresql"] : ["sqlite"];
if (stores.length === 1) console.warn("\n*** THAW_TEST_PG_URL is not set: the two-hosts test on PostgreSQL is SKIPPED. ***\n");

describe.each(stores)("on %s", (provider) => {
  let hostA: Sandbox;
  let hostB: Sandbox;
  let shared: string;
  let data: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    hostA = sandbox("thaw-hosts-");
    shared = path.join(hostA.dir, "shared-artifacts");
    data = path.join(shared, "datasets", "shapes");
    let db = hostA.dbPath;
    if (provider === "postgresql") {
      const database = await pgDatabase("thaw_hosts");
      dropDatabase = database.drop;
      db = database.url;
    }
    const common = { THAW_DB: db, THAW_ARTIFACTS: `file://${shared}` };
    hostA = { ...hostA, dbPath: db, env: { ...hostA.env, ...common, THAW_HOME: path.join(hostA.dir, "home-a") } };
    hostB = { ...hostA, env: { ...hostA.env, ...common, THAW_HOME: path.join(hostA.dir, "home-b") } };
    const synth = thaw(hostA, ["data", "synth", data, "--classes", "circle,square", "--per-class", "20", "--size", "32"]);
    expect(synth.status, synth.stderr).toBe(0);
  });
  afterAll(async () => {
    removeSandbox(hostA);
    await dropDatabase?.();
  });

  const TRAIN = ["--experiment", "hosts", "--base", "random", "--head", "pooled", "--width", "0.0625", "--image-size", "32", "--epochs", "2", "--batch", "16", "--lr", "1e-3", "--frozen", "0", "--seed", "5"];

  describe("two hosts sharing a store and an artifact root", () => {
    it("trains on host A, then promotes and predicts on host B through the recorded URIs", async () => {
      const trained = thaw(hostA, ["train", "--data", data, ...TRAIN]);
      expect(trained.status, trained.stderr + trained.stdout).toBe(0);
      const { runId, checkpointPath } = await withTestStore(hostA, async (store) => {
        const run = (await store.listRuns({})).items[0];
        expect(run.status).toBe("FINISHED");
        return { runId: run.id, checkpointPath: (await store.bestCheckpoint(run.id))?.path };
      });
      expect(checkpointPath).toMatch(new RegExp(`^file://${shared}/checkpoints/run-${runId}/epoch-\\d+$`));
      // Nothing of the run went to either host's own folder.
      expect(existsSync(path.join(hostA.dir, "home-a", "checkpoints"))).toBe(false);

      const promoted = thaw(hostB, ["promote", String(runId)]);
      expect(promoted.status, promoted.stderr).toBe(0);
      const image = path.join(data, "circle", readdirSync(path.join(data, "circle")).sort()[0]);
      const predicted = thaw(hostB, ["predict", "--model", "champion", "--experiment", "hosts", image]);
      expect(predicted.status, predicted.stderr).toBe(0);
      expect(predicted.stdout).toContain(`(${checkpointPath})`);
      expect(predicted.stdout).toMatch(/circle\s+\d/);
      expect(existsSync(path.join(hostA.dir, "home-b", "checkpoints"))).toBe(false);
    });

    it("refuses a run on a host whose copy of the dataset differs, naming both fingerprints", async () => {
      const recorded = await withTestStore(hostA, async (store) => (await store.getDataset("shapes")).fingerprint);
      expect(recorded).toMatch(/^[0-9a-f]{64}$/);
      const square = path.join(data, "square", readdirSync(path.join(data, "square")).sort()[0]);
      appendFileSync(square, Buffer.from("changed on host B"));
      const result = thaw(hostB, ["train", "--data", data, ...TRAIN]);
      const output = result.stdout + result.stderr;
      expect(result.status).not.toBe(0);
      const reported = /this host's copy ([0-9a-f]{64})/.exec(output)?.[1];
      expect(output).toContain(`recorded fingerprint ${recorded}, this host's copy `);
      expect(reported).toBeDefined();
      expect(reported).not.toBe(recorded);
      const failed = await withTestStore(hostB, async (store) => (await store.listRuns({ status: ["FAILED"] })).items);
      expect(failed).toHaveLength(1);
      expect(failed[0].error).toContain(`recorded fingerprint ${recorded}`);
    });
  });
});
