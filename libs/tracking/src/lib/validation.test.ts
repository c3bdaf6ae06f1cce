import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidInputError } from "./errors.ts";
import { enqueueSweepSchema, idSchema, parseInput } from "./validation.ts";

function caught(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error("expected an InvalidInputError");
}

describe("parseInput", () => {
  it("names the field by its path, shows the bad value and says what a good one is", () => {
    const error = caught(() => parseInput(idSchema, -3, "runId"));
    expect(error.message).toBe("Invalid runId: got -3; use the id of an existing run (a whole number from 1).");
    expect(error).toMatchObject({ field: "runId", code: "BAD_REQUEST", fix: "use the id of an existing run (a whole number from 1)" });
  });

  it("reports a missing field as missing and an element of a list by its index", () => {
    expect(caught(() => parseInput(z.object({ epoch: z.number() }), {})).message).toBe(
      "Invalid epoch: it is missing; use the 0-based epoch number, a whole number 0 or more.",
    );
    const sweep = { experimentId: 1, optimizer: "sgd", momentum: 0, batchSize: 1, epochs: 1, patience: 0, imageSize: 32, base: "random", augment: false, seed: 1 };
    const error = caught(() => parseInput(enqueueSweepSchema, { ...sweep, frozenLayers: [0, 3], learningRates: [0.1, 0] }));
    expect(error.field).toBe("learningRates.1");
    expect(error.message).toBe("Invalid learningRates.1: got 0; use finite numbers greater than 0, such as [0.01, 0.001].");
  });

  it("passes valid input through with its parsed values", () => {
    expect(parseInput(z.object({ name: z.string().trim() }), { name: "  pets " })).toEqual({ name: "pets" });
  });
});
