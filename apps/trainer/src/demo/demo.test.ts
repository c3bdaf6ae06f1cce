// `thaw demo --quick --wait` through the real CLI: data, a pretraining run, a transfer sweep
// from it and a scratch baseline, all recorded and executed; a second call changes nothing.
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { removeSandbox, sandbox, thaw, withTestStore } from "../testing/cli-harness.ts";

describe("thaw demo", () => {
  it("prepares and runs the quick demo once, with lineage to the pretraining run", async () => {
    const box = sandbox("thaw-demo-");
    const first = thaw(box, ["demo", "--quick", "--wait", "--concurrency", "2"]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Demo done in \d+:\d\d/);
    const note = /Best transfer run (\d\.\d{4}) vs from scratch (\d\.\d{4}): transfer (beats|does not beat) scratch .*\((\d) of (\d) transfer runs above it\)/.exec(first.stdout);
    expect(note, first.stdout).not.toBeNull();
    expect(existsSync(path.join(box.dir, "home", "demo", "source"))).toBe(true);
    expect(existsSync(path.join(box.dir, "home", "demo", "target"))).toBe(true);

    const pretrainId = await withTestStore(box, async (store) => {
      const pretrain = (await store.listRuns({ experimentId: (await store.getExperiment("demo-pretrain")).id })).items;
      expect(pretrain).toHaveLength(1);
      expect(pretrain[0].status).toBe("FINISHED");
      expect(pretrain[0].base).toBe("random");
      const transfer = (await store.listRuns({ experimentId: (await store.getExperiment("demo-transfer")).id, limit: 100 })).items;
      // 2 frozen counts x 1 learning rate, plus the scratch baseline.
      expect(transfer).toHaveLength(3);
      for (const run of transfer) expect(run.status).toBe("FINISHED");
      const fromPretrain = transfer.filter((r) => r.base === `run:${pretrain[0].id}`);
      expect(fromPretrain.map((r) => r.frozenLayers).sort()).toEqual([15, 19]);
      for (const run of fromPretrain) expect(run.baseRunId).toBe(pretrain[0].id);
      // a frozen conv base leaves a dense head, which ONNX Runtime trains; frozen 15 still fine-tunes convolutions on TF.js
      const engines = Object.fromEntries(fromPretrain.map((r) => [r.frozenLayers, r.engine]));
      expect(engines).toEqual({ 15: "training onnxruntime (cpu); features onnxruntime", 19: "training onnxruntime (cpu); features onnxruntime" });
      expect(transfer.filter((r) => r.base === "random")).toHaveLength(1);
      // The closing note says what the store holds, whichever way it goes.
      const [, transferText, scratchText, verdict, above, total] = note as RegExpExecArray;
      const scratchBest = transfer.find((r) => r.base === "random")?.bestValAccuracy ?? 0;
      const transferBest = Math.max(...fromPretrain.map((r) => r.bestValAccuracy ?? 0));
      expect(Number(transferText)).toBeCloseTo(transferBest, 4);
      expect(Number(scratchText)).toBeCloseTo(scratchBest, 4);
      expect(verdict).toBe(transferBest > scratchBest ? "beats" : "does not beat");
      expect([Number(above), Number(total)]).toEqual([fromPretrain.filter((r) => (r.bestValAccuracy ?? 0) > scratchBest).length, 2]);
      return pretrain[0].id;
    });

    const second = thaw(box, ["demo", "--quick"]);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/already prepared/);
    await withTestStore(box, async (store) => {
      expect((await store.listRuns({ limit: 100 })).items).toHaveLength(4);
      expect((await store.getRun(pretrainId)).status).toBe("FINISHED");
    });
    removeSandbox(box);
  });
});
