import { describe, expect, it } from "vitest";
import { ProgressMeter, describeProgress } from "./progress-meter.ts";

function meter(windowMs = 10_000) {
  const clock = { t: 1_000_000 };
  const m = new ProgressMeter({ trainCount: 100, validationCount: 20, now: () => clock.t, windowMs });
  return { m, clock };
}

describe("ProgressMeter", () => {
  it("computes images/s from the epoch's start and the ETA of the phase from it", () => {
    const { m, clock } = meter();
    m.epochBegin();
    clock.t += 2000;
    // 16 images in 2 s: 8 images/s; 84 to go: 10.5 s.
    expect(m.update({ phase: "train", epoch: 0, done: 16 })).toEqual({ phase: "train", epoch: 0, done: 16, total: 100, imagesPerSecond: 8, etaSeconds: 10.5 });
  });

  it("writes at most once a second within a phase, and always at a change of phase or epoch", () => {
    const { m, clock } = meter();
    m.epochBegin();
    const writes: (string | null)[] = [];
    const step = (ms: number, phase: "train" | "validate", epoch: number, done: number) => {
      clock.t += ms;
      const due = m.update({ phase, epoch, done });
      writes.push(due && `${due.phase}@${due.epoch}:${due.done}`);
    };
    step(300, "train", 0, 10); // first report: written
    step(300, "train", 0, 20); // 0.3 s after the write: held back
    step(300, "train", 0, 30); // 0.6 s
    step(400, "train", 0, 40); // 1.0 s: written
    step(100, "train", 0, 100); // 0.1 s: held back
    step(100, "validate", 0, 10); // new phase: written at once
    step(100, "validate", 0, 20); // held back
    step(100, "train", 1, 10); // new epoch: written
    expect(writes).toEqual(["train@0:10", null, null, "train@0:40", null, "validate@0:10", null, "train@1:10"]);
    // What is held back is still the latest state.
    expect(m.current()).toMatchObject({ phase: "train", epoch: 1, done: 10 });
  });

  it("measures the rate over a moving window, so a slow start fades out of it", () => {
    const { m, clock } = meter(5000);
    m.epochBegin();
    // 10 images in the first 10 s (slow: features computed), then 10 images/s.
    clock.t += 10_000;
    m.update({ phase: "train", epoch: 0, done: 10 });
    for (let s = 1; s <= 6; s++) {
      clock.t += 1000;
      m.update({ phase: "train", epoch: 0, done: 10 + 10 * s });
    }
    // Window of 5 s ending at done=70: the oldest kept sample is done=20 at 5 s before, 50 images / 5 s.
    expect(m.current()).toMatchObject({ done: 70, imagesPerSecond: 10, etaSeconds: 3 });
  });

  it("measures validation from the end of training, not from the epoch's start", () => {
    const { m, clock } = meter();
    m.epochBegin();
    clock.t += 10_000;
    m.update({ phase: "train", epoch: 0, done: 100 });
    clock.t += 500;
    expect(m.update({ phase: "validate", epoch: 0, done: 10 })).toMatchObject({ total: 20, imagesPerSecond: 20, etaSeconds: 0.5 });
  });

  it("reports an epoch that fills the feature cache as one fill of every image, ignoring its training and validation counts", () => {
    const { m, clock } = meter();
    m.epochBegin();
    clock.t += 4000;
    expect(m.update({ phase: "cache", epoch: 0, done: 16 })).toEqual({ phase: "cache", epoch: 0, done: 16, total: 120, imagesPerSecond: 4, etaSeconds: 26 });
    expect(m.update({ phase: "train", epoch: 0, done: 16 })).toBeNull();
    clock.t += 1000;
    expect(m.update({ phase: "validate", epoch: 0, done: 4 })).toBeNull();
    expect(m.current()).toMatchObject({ phase: "cache", done: 16 });
    // The next epoch reads features from disk and reports training again.
    m.epochBegin();
    clock.t += 1000;
    expect(m.update({ phase: "train", epoch: 1, done: 50 })).toMatchObject({ phase: "train", total: 100, imagesPerSecond: 50, etaSeconds: 1 });
  });

  it("has no rate or ETA before time has passed, and an ETA of 0 once the phase is done", () => {
    const { m, clock } = meter();
    m.epochBegin();
    expect(m.update({ phase: "train", epoch: 0, done: 8 })).toMatchObject({ imagesPerSecond: null, etaSeconds: null });
    clock.t += 1000;
    expect(m.update({ phase: "train", epoch: 0, done: 100 })).toMatchObject({ etaSeconds: 0 });
  });
});

describe("describeProgress", () => {
  it("names the phase and prints done of total, percent, rate and ETA", () => {
    expect(describeProgress({ phase: "cache", epoch: 0, done: 320, total: 1000, imagesPerSecond: 12.34, etaSeconds: 55.1 })).toBe(
      "filling the feature cache 320/1000 images (32%), 12.3 images/s, ETA 0:55",
    );
    expect(describeProgress({ phase: "validate", epoch: 2, done: 5, total: 20, imagesPerSecond: null, etaSeconds: null })).toBe("validating 5/20 images (25%)");
    expect(describeProgress({ phase: "train", epoch: 0, done: 100, total: 100, imagesPerSecond: 48, etaSeconds: 0 })).toBe("training 100/100 images (100%), 48.0 images/s, ETA 0:00");
  });
});
