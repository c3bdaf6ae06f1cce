import { describe, expect, it } from "vitest";
import { KerasProgress, formatLogs, progressBar } from "./progress.ts";

describe("progress", () => {
  it("draws a 30-wide bar with a head while the epoch runs", () => {
    expect(progressBar(0, 10)).toBe(`[>${".".repeat(29)}]`);
    expect(progressBar(5, 10)).toBe(`[${"=".repeat(15)}>${".".repeat(14)}]`);
    expect(progressBar(10, 10)).toBe(`[${"=".repeat(30)}]`);
  });

  it("names metrics as Keras 2.4+ logs them, in Keras' order", () => {
    expect(formatLogs({ val_accuracy: 0.5, loss: 0.25, accuracy: 1, val_loss: 2 })).toBe(
      " - loss: 0.2500 - accuracy: 1.0000 - val_loss: 2.0000 - val_accuracy: 0.5000",
    );
  });

  it("prints exactly one line per epoch when stdout is not a terminal, with time and ETA", () => {
    const out: string[] = [];
    let now = 0;
    const progress = new KerasProgress({ epochs: 3, stepsPerEpoch: 4, tty: false, write: (t) => out.push(t), now: () => now });
    progress.epochBegin(0);
    for (let b = 0; b < 4; b++) progress.batchEnd(0, b, { loss: 1, accuracy: 0.5 });
    now = 2000;
    progress.epochEnd(0, { loss: 0.6931, accuracy: 0.5, val_loss: 0.7, val_accuracy: 0.45 });
    progress.epochBegin(1);
    now = 6000;
    progress.epochEnd(1, { loss: 0.5, accuracy: 0.75 });
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(
      `Epoch 1/3  4/4 [${"=".repeat(30)}] - 2s 500ms/step - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.7000 - val_accuracy: 0.4500 - ETA 0:04\n`,
    );
    // Mean epoch time (2 s, 4 s) x one remaining epoch.
    expect(out[1]).toContain("- 4s 1s/step - loss: 0.5000 - accuracy: 0.7500 - ETA 0:03\n");
  });

  it("redraws the bar in place on a terminal", () => {
    const out: string[] = [];
    let now = 0;
    const progress = new KerasProgress({ epochs: 1, stepsPerEpoch: 2, tty: true, write: (t) => out.push(t), now: () => now });
    progress.epochBegin(0);
    now = 1000;
    progress.batchEnd(0, 0, { loss: 1 });
    expect(out.at(-1)).toMatch(/^\r\x1b\[2KEpoch 1\/1  1\/2 \[=+>\.+\] - ETA: 1s - loss: 1\.0000$/);
  });

  it("draws a phase's bar and text in place on a terminal, and nothing between epoch lines otherwise", () => {
    const out: string[] = [];
    new KerasProgress({ epochs: 2, stepsPerEpoch: 4, tty: true, write: (t) => out.push(t) }).phase(1, 30, 120, "validating 30/120 images");
    expect(out).toEqual([`\r\x1b[2KEpoch 2/2  [${"=".repeat(7)}>${".".repeat(22)}] validating 30/120 images`]);
    const plain: string[] = [];
    new KerasProgress({ epochs: 2, stepsPerEpoch: 4, tty: false, write: (t) => plain.push(t) }).phase(1, 30, 120, "validating");
    expect(plain).toEqual([]);
  });
});
