import { describe, expect, it } from "vitest";
import type { Run } from "@thaw/tracking";
import { execSettings } from "./run-settings.ts";

/** The columns execSettings reads, with the given JSON extras. */
function stored(params: Record<string, unknown>): Run {
  const columns = { id: 7, frozenLayers: 19, learningRate: 1e-4, optimizer: "sgd", momentum: 0.9, batchSize: 32, epochs: 3, patience: 3, imageSize: 224, base: "random", augment: false, seed: 1, params };
  return columns as unknown as Run;
}

describe("execSettings: how a stored run reads its data folder", () => {
  it("reads Thaw's defaults when the run stored no choice (runs made before the options existed)", () => {
    expect(execSettings(stored({}))).toMatchObject({ split: "stratified", kerasCompatible: false, validationSplit: 0.2 });
  });

  it("gives Keras' split with --keras-compatible unless the split was chosen too", () => {
    expect(execSettings(stored({ kerasCompatible: true }))).toMatchObject({ split: "keras", kerasCompatible: true });
    expect(execSettings(stored({ kerasCompatible: true, split: "stratified" }))).toMatchObject({ split: "stratified", kerasCompatible: true });
    expect(execSettings(stored({ split: "keras" }))).toMatchObject({ split: "keras", kerasCompatible: false });
  });
});
