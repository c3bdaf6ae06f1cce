import { InvalidOptionError } from "./errors.ts";

/** Keras' interpolation names; 'nearest' is flow_from_directory's default. */
export type Interpolation = "nearest" | "bilinear";
export const INTERPOLATIONS: readonly Interpolation[] = ["nearest", "bilinear"];

/** [height, width], Keras' target_size order. */
export type TargetSize = readonly [height: number, width: number];

export function checkValidationSplit(value: number, name = "validationSplit"): number {
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    throw new InvalidOptionError(name, `is ${String(value)}`, "pass a fraction in [0, 1), e.g. 0.2");
  }
  return value;
}

export function checkSeed(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidOptionError(name, `is ${String(value)}`, "pass a non-negative integer");
  }
  return value;
}

export function checkPositiveInt(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidOptionError(name, `is ${String(value)}`, `pass an integer from 1 to ${max}`);
  }
  return value;
}

export function checkTargetSize(value: TargetSize, name = "targetSize"): TargetSize {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => Number.isInteger(v) && v >= 1 && v <= 16384)) {
    throw new InvalidOptionError(name, `is ${JSON.stringify(value)}`, "pass [height, width] in pixels, e.g. [224, 224]");
  }
  return value;
}

export function checkOneOf<T extends string>(value: string, name: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidOptionError(name, `is "${value}"`, `use one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
  }
  return value as T;
}
