import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.ts";
import { parseOptions, sweepSchema, trainSchema } from "./validate.ts";

const required = { data: "/tmp/x", experiment: "e" };

describe("option validation", () => {
  it("fills Keras' seed-recipe defaults for options left out", () => {
    const opts = parseOptions(trainSchema, required);
    expect(opts).toMatchObject({ frozen: 19, lr: 1e-4, optimizer: "sgd", momentum: 0.9, epochs: 100, batch: 32, patience: 40, imageSize: 224, augment: false, base: "vgg16-imagenet" });
    // Head and width are the planner's to default: a checkpoint base fixes them.
    expect("head" in opts && opts.head !== undefined).toBe(false);
    expect(opts.width).toBeUndefined();
    expect(opts.keepCheckpoints).toBe(2);
    expect(parseOptions(trainSchema, { ...required, keepCheckpoints: "5" }).keepCheckpoints).toBe(5);
    expect(() => parseOptions(trainSchema, { ...required, keepCheckpoints: "0" })).toThrow('--keep-checkpoints must be a whole number of at least 1 such as 2 (the best and the one before); got "0".');
  });

  it("leaves the split, the file reading and the test split to the dataset unless given", () => {
    const opts = parseOptions(trainSchema, required);
    expect(opts.split).toBeUndefined();
    expect(opts.testSplit).toBeUndefined();
    expect(opts.kerasCompatible).toBe(false);
    expect(parseOptions(trainSchema, { ...required, split: "keras", kerasCompatible: true, testSplit: "0.2" })).toMatchObject({ split: "keras", kerasCompatible: true, testSplit: 0.2 });
  });

  it("parses the numbers users type, including exponents", () => {
    const opts = parseOptions(trainSchema, { ...required, lr: "3e-4", frozen: "15", batch: "8", width: "0.125" });
    expect(opts).toMatchObject({ lr: 3e-4, frozen: 15, batch: 8, width: 0.125 });
  });

  it.each([
    [{ lr: "0" }, '--lr must be a positive number such as 1e-4; got "0".'],
    [{ lr: "1e-4x" }, '--lr must be a positive number such as 1e-4; got "1e-4x".'],
    [{ batch: "0" }, '--batch must be a whole number of at least 1 such as 32; got "0".'],
    [{ batch: "2.5" }, '--batch must be a whole number of at least 1 such as 32; got "2.5".'],
    [{ frozen: "-1" }, '--frozen must be a whole number of layers, 0 or more, such as 19; got "-1".'],
    [{ optimizer: "rmsprop" }, '--optimizer must be one of sgd, adam; got "rmsprop".'],
    [{ imageSize: "16" }, '--image-size must be a whole number of pixels of at least 32 (VGG16 pools five times) such as 224; got "16".'],
    [{ momentum: "1" }, '--momentum must be a number from 0 up to (not including) 1 such as 0.9; got "1".'],
    [{ split: "last" }, '--split must be one of stratified, keras; got "last".'],
    [{ testSplit: "1" }, '--test-split must be a fraction from 0 up to (not including) 1 such as 0.2; got "1".'],
  ])("refuses %j with one sentence", (bad, sentence) => {
    expect(() => parseOptions(trainSchema, { ...required, ...bad })).toThrow(new UsageError(sentence));
  });

  it("names the missing required option and what to give", () => {
    expect(() => parseOptions(trainSchema, { experiment: "e" })).toThrow("--data is required; point it at a folder with one sub-folder per class.");
  });

  it("reads sweep grids as de-duplicated lists and names the bad element", () => {
    expect(parseOptions(sweepSchema, { ...required, frozen: "11,15,19,15", lr: "1e-3, 1e-4" })).toMatchObject({
      frozen: { kind: "set", values: [11, 15, 19] },
      lr: { kind: "set", values: [1e-3, 1e-4] },
    });
    expect(() => parseOptions(sweepSchema, { ...required, frozen: "11,x" })).toThrow(
      '--frozen must be a comma-separated list of whole numbers of layers such as 11,15,19; "x" is not.',
    );
  });

  it("reads ranges with their scale for random and TPE sweeps, and names a bad range's fix", () => {
    expect(parseOptions(sweepSchema, { ...required, lr: "1e-5..1e-2:log", frozen: "11..19", sampler: "tpe", runs: "24" })).toMatchObject({
      lr: { kind: "range", min: 1e-5, max: 1e-2, scale: "log" },
      frozen: { kind: "range", min: 11, max: 19, scale: "linear", integer: true },
      sampler: "tpe",
      runs: 24,
    });
    expect(() => parseOptions(sweepSchema, { ...required, lr: "1e-2..1e-5:log" })).toThrow(
      '--lr range "1e-2..1e-5:log" is not valid: the lower bound comes first; write it as 1e-5..1e-2:log.',
    );
    expect(() => parseOptions(sweepSchema, { ...required, lr: "0..1e-2:log" })).toThrow(/both bounds must be positive numbers/);
    expect(() => parseOptions(sweepSchema, { ...required, sampler: "bayes" })).toThrow('--sampler must be one of grid, random, tpe; got "bayes".');
  });
});
