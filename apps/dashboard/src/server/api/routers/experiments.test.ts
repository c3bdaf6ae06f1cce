import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, type Harness } from "../../../test/harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

describe("experiments", () => {
  it("creates an experiment once and lists it with its counts", async () => {
    const created = await h.caller.experiments.create({ name: "  cats vs dogs ", description: "first" });
    expect(created.name).toBe("cats vs dogs");
    const again = await h.caller.experiments.create({ name: "cats vs dogs" });
    expect(again.id).toBe(created.id);
    const list = await h.caller.experiments.list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: created.id, runCount: 0, runningCount: 0, champion: null });
  });

  it("refuses an empty or overlong name", async () => {
    await expect(h.caller.experiments.create({ name: "   " })).rejects.toThrow("Give the experiment a name.");
    await expect(h.caller.experiments.create({ name: "x".repeat(81) })).rejects.toThrow(/under 80 characters/);
  });
});
