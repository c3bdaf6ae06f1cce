import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetTooLargeError } from "./errors.ts";
import { flowFromDirectory } from "./flow.ts";
import { loadSplit } from "./load-split.ts";
import { scanDirectory } from "./scan.ts";
import { buildMessyDataset, removeTempDirs, tempDir } from "./testing/fixtures.ts";
import { synthesizeDataset } from "./synthesize.ts";

describe("loadSplit", () => {
  afterAll(removeTempDirs);
  let dir: string;
  beforeAll(async () => {
    dir = tempDir("load");
    await synthesizeDataset(dir, { classes: 2, perClass: { train: 5, test: 3 }, size: 12, seed: 2 });
  });

  it("decodes a whole subset in file order, equal to an unshuffled flow", async () => {
    const test = await loadSplit(dir, { targetSize: [6, 6], subset: "test" });
    expect(test.shape).toEqual([6, 6, 6, 3]);
    expect(test.classNames).toEqual(["circle", "square"]);
    expect(test.labels).toEqual([0, 0, 0, 1, 1, 1]);
    expect(test.paths).toEqual((await scanDirectory(dir)).subsets.test.map((e) => e.path));
    expect([...test.y]).toEqual([1, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 1]);
    const flow = await flowFromDirectory(dir, { targetSize: [6, 6], subset: "test", shuffle: false, batchSize: 4 });
    const parts: number[] = [];
    for await (const batch of flow) parts.push(...batch.x);
    expect([...test.x]).toEqual(parts);
  });

  it("leaves unreadable files out and reports them", async () => {
    const messy = tempDir("load-messy");
    const { bad } = await buildMessyDataset(messy);
    const split = await loadSplit(messy, { targetSize: [4, 4] });
    expect(split.shape[0]).toBe(13);
    expect(split.x.length).toBe(13 * 4 * 4 * 3);
    expect(split.skipped.map((s) => s.relPath).sort()).toEqual(bad);
  });

  it("refuses to hold more than maxBytes", async () => {
    // 10 training images x 200 x 200 x 3 floats = 4.8 MB
    await expect(loadSplit(dir, { targetSize: [200, 200], maxBytes: 4 * 2 ** 20 })).rejects.toThrow(DatasetTooLargeError);
    await expect(loadSplit(dir, { targetSize: [200, 200], maxBytes: 4 * 2 ** 20 })).rejects.toThrow(/Holding 10 decoded images needs 5 MiB, more than the 4 MiB allowed; stream the split/);
    expect((await loadSplit(dir, { targetSize: [200, 200], maxBytes: 5 * 2 ** 20 })).shape).toEqual([10, 200, 200, 3]);
  });
});
