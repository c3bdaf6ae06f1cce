// The wire format the browser sees: field errors (zod's or the planner's) in the error's data, store errors as
// 404/400/409 with the store's sentence.
import path from "node:path";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, makeDatasetFolder, RUN_DEFAULTS, type Harness } from "../../test/harness.ts";
import { appRouter } from "./root.ts";

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

async function call(procedure: string, input: unknown, method: "GET" | "POST") {
  const encoded = encodeURIComponent(JSON.stringify({ json: input }));
  const req =
    method === "GET"
      ? new Request(`http://x/api/trpc/${procedure}?input=${encoded}`)
      : new Request(`http://x/api/trpc/${procedure}`, { method: "POST", body: JSON.stringify({ json: input }), headers: { "content-type": "application/json" } });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => h.ctx });
  return { status: res.status, body: (await res.json()) as { error?: { json: { message: string; data: { code: string; fieldErrors: Record<string, string[]> | null } } } } };
}

describe("error formatting", () => {
  it("sends zod's field errors so the form can show each beside its field", async () => {
    const experimentId = (await h.store.createExperiment({ name: "e" })).id;
    const datasetId = (await h.store.registerDataset({ name: "d", path: makeDatasetFolder(path.join(h.dir, "data"), "d", ["a"]) })).id;
    const { status, body } = await call("launch.run", { ...RUN_DEFAULTS, experimentId, datasetId, frozenLayers: 30, learningRate: 0, epochs: 2 }, "POST");
    expect(status).toBe(400);
    expect(body.error?.json.data.fieldErrors).toEqual({
      frozenLayers: ["At most 22 layers can be frozen; the new head must stay trainable."],
      learningRate: ["The learning rate must be greater than 0."],
    });
  });

  it("turns the store's NotFoundError into a 404 with its sentence", async () => {
    const { status, body } = await call("runs.get", { id: 77 }, "GET");
    expect(status).toBe(404);
    expect(body.error?.json.data.code).toBe("NOT_FOUND");
    expect(body.error?.json.message).toContain("Run with id 77 does not exist");
    expect(body.error?.json.data.fieldErrors).toBeNull();
  });
});
