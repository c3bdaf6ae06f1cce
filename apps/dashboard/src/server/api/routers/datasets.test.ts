import { mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, makeDatasetFolder, type Harness } from "../../../test/harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

describe("datasets", () => {
  it("registers a folder inside the data roots with its classes and image count", async () => {
    const folder = makeDatasetFolder(path.join(h.dir, "data"), "flowers", ["tulip", "daisy", "rose"], 4);
    const dataset = await h.caller.datasets.register({ name: "flowers", path: folder });
    expect(dataset).toMatchObject({ name: "flowers", path: folder, imageCount: 12, classNames: ["daisy", "rose", "tulip"] });
    // The store records the folder as a URI; the dashboard shows the folder on this server.
    expect((await h.store.getDataset("flowers")).path).toBe(pathToFileURL(folder).href);
    expect((await h.caller.datasets.list()).map((d) => d.path)).toEqual([folder]);
    expect((await h.caller.datasets.list()).map((d) => d.name)).toEqual(["flowers"]);
    expect(await h.caller.datasets.roots()).toEqual([path.join(h.dir, "data")]);
  });

  it("refuses folders outside the roots, also through a symbolic link, and missing or relative paths", async () => {
    const outside = makeDatasetFolder(h.dir, "outside", ["a"]);
    await expect(h.caller.datasets.register({ name: "x", path: outside })).rejects.toThrow(/outside the data folders this server may read/);
    symlinkSync(outside, path.join(h.dir, "data", "link"));
    await expect(h.caller.datasets.register({ name: "x", path: path.join(h.dir, "data", "link") })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(h.caller.datasets.register({ name: "x", path: path.join(h.dir, "data", "..", "outside") })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(h.caller.datasets.register({ name: "x", path: path.join(h.dir, "data", "nope") })).rejects.toThrow(/does not exist on the server/);
    await expect(h.caller.datasets.register({ name: "x", path: "data/flowers" })).rejects.toThrow(/absolute path/);
    expect(await h.caller.datasets.list()).toEqual([]);
  });

  it("refuses a folder without class sub-folders, and bad names", async () => {
    mkdirSync(path.join(h.dir, "data", "empty"));
    await expect(h.caller.datasets.register({ name: "empty", path: path.join(h.dir, "data", "empty") })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(h.caller.datasets.register({ name: "../evil", path: path.join(h.dir, "data") })).rejects.toThrow(/Use letters, digits/);
  });

  it("records a test split once per dataset, and refuses one where a test/ folder exists", async () => {
    const folder = makeDatasetFolder(path.join(h.dir, "data"), "flowers", ["tulip", "daisy"], 10);
    const dataset = await h.caller.datasets.register({ name: "flowers", path: folder, testSplit: 0.2 });
    expect(dataset).toMatchObject({ testSplit: 0.2, testSeed: 0, imageCount: 20 });
    // Registering again without a split keeps it; another value is refused.
    expect(await h.caller.datasets.register({ name: "flowers", path: folder })).toMatchObject({ testSplit: 0.2 });
    await expect(h.caller.datasets.register({ name: "flowers", path: folder, testSplit: 0.3 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/already holds out 0\.2 of each class as its test set/),
    });
    await expect(h.caller.datasets.register({ name: "flowers", path: folder, testSplit: 1 })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const withTest = path.join(h.dir, "data", "split");
    makeDatasetFolder(withTest, "train", ["a", "b"]);
    makeDatasetFolder(withTest, "test", ["a", "b"]);
    await expect(h.caller.datasets.register({ name: "split", path: withTest, testSplit: 0.2 })).rejects.toThrow(/already has a test\/ folder; drop testSplit/);
    expect(await h.caller.datasets.register({ name: "split", path: withTest })).toMatchObject({ testSplit: 0 });
  });
});
