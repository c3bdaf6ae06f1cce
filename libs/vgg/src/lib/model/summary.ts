// A Keras-style model.summary() as a string (with Keras' show_trainable column and the
// layer index, since "freeze the first N layers" is read off this table).
import { type LayersModel } from "../tf.ts";

export interface ParamCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

function size(shape: readonly (number | null)[]): number {
  return shape.reduce<number>((a, b) => a * (b ?? 1), 1);
}

/** Trainable counts follow each layer's flag, as Keras counts them. */
export function countParams(model: LayersModel): ParamCounts {
  const trainable = model.trainableWeights.reduce((n, w) => n + size(w.shape), 0);
  const nonTrainable = model.nonTrainableWeights.reduce((n, w) => n + size(w.shape), 0);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

const fmt = (n: number) => n.toLocaleString("en-US");

function shapeText(shape: unknown): string {
  const one = (s: readonly (number | null)[]) => `(${s.map((d) => (d === null ? "None" : String(d))).join(", ")})`;
  if (Array.isArray(shape) && Array.isArray(shape[0])) return (shape as (number | null)[][]).map(one).join(", ");
  return one(shape as (number | null)[]);
}

export function summary(model: LayersModel): string {
  const widths = [4, 34, 26, 13, 9];
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(" ").trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b + 1, -1));
  const lines = [`Model: "${model.name}"`, rule("_"), row(["#", "Layer (type)", "Output Shape", "Param #", "Trainable"]), rule("=")];
  model.layers.forEach((layer, i) => {
    lines.push(row([String(i), `${layer.name} (${layer.getClassName()})`, shapeText(layer.outputShape), fmt(layer.countParams()), layer.trainable ? "Y" : "N"]));
  });
  const counts = countParams(model);
  lines.push(rule("="), `Total params: ${fmt(counts.total)}`, `Trainable params: ${fmt(counts.trainable)}`, `Non-trainable params: ${fmt(counts.nonTrainable)}`, rule("_"));
  return lines.join("\n");
}
