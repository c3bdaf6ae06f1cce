"use client";
// The sweep part of the launch form: what varies (lists, or a log range of learning rates for
// random and TPE), the sampler and its run budget, the early-stopping rule, and a preview of
// what the sweep will cost in runs and epochs before anything is queued.
import { SAMPLER_NAMES, sweepBudget, type SchedulerInput, type SweepFormInput } from "../../shared/run-params.ts";
import { Field } from "./field.tsx";

type Values = Record<string, string>;

const list = (text: string) => text.split(/[\s,;]+/).filter(Boolean).map(Number);
const numberOr = (text: string | undefined, fallback: number) => (text === undefined || text.trim() === "" ? fallback : Number(text));

/** The sweep-only part of the mutation's input, read from the form's text values. */
export function sweepInputOf(v: Values): Pick<SweepFormInput, "frozenLayersList" | "learningRates" | "sampler" | "budget" | "learningRateRange"> & { scheduler: SchedulerInput } {
  const sampler = (SAMPLER_NAMES as readonly string[]).includes(v.sampler) ? (v.sampler as SweepFormInput["sampler"]) : "grid";
  const ranged = sampler !== "grid" && (v.lrMin ?? "").trim() !== "" && (v.lrMax ?? "").trim() !== "";
  const scheduler: SchedulerInput =
    v.scheduler === "asha"
      ? { kind: "asha", minEpochs: numberOr(v.minEpochs, 1), reductionFactor: numberOr(v.reductionFactor, 3) }
      : v.scheduler === "median"
        ? { kind: "median", minEpochs: numberOr(v.minEpochs, 1), minRuns: numberOr(v.minRuns, 3) }
        : { kind: "none" };
  return {
    frozenLayersList: list(v.frozenLayersList ?? ""),
    learningRates: ranged ? [] : list(v.learningRates ?? ""),
    sampler,
    budget: sampler === "grid" ? undefined : numberOr(v.budget, 20),
    learningRateRange: ranged ? { min: Number(v.lrMin), max: Number(v.lrMax) } : undefined,
    scheduler,
  };
}

export function SweepFields({
  values,
  set,
  errors,
  limit,
}: {
  values: Values;
  set: (key: string) => (value: string) => void;
  errors: Record<string, string[] | undefined>;
  limit: number;
}) {
  const input = sweepInputOf(values);
  const budget = sweepBudget({ ...input, epochs: numberOr(values.epochs, 1) });
  const sampled = input.sampler !== "grid";
  return (
    <>
      <Field label="Sampler" name="sampler" errors={errors} hint="grid: every cell; random or TPE: a budget of draws">
        <select value={values.sampler ?? "grid"} onChange={(e) => set("sampler")(e.target.value)}>
          <option value="grid">Grid (every combination)</option>
          <option value="random">Random</option>
          <option value="tpe">TPE (model-based, learns from finished runs)</option>
        </select>
      </Field>
      <Field label="Frozen layer counts" name="frozenLayersList" errors={errors} hint="comma separated, e.g. 11, 15, 19">
        <input value={values.frozenLayersList} onChange={(e) => set("frozenLayersList")(e.target.value)} />
      </Field>
      <Field label="Learning rates" name="learningRates" errors={errors} hint={sampled ? "comma separated, or leave empty and give a range" : "comma separated"}>
        <input value={values.learningRates} onChange={(e) => set("learningRates")(e.target.value)} />
      </Field>
      {sampled && (
        <>
          <Field label="Learning-rate range" name="learningRateRange" errors={errors} hint="log-uniform; used instead of the list when both are set">
            <span className="inline">
              <input name="lrMin" aria-label="Learning rate from" placeholder="1e-5" value={values.lrMin ?? ""} onChange={(e) => set("lrMin")(e.target.value)} style={{ flex: 1 }} />
              <input name="lrMax" aria-label="Learning rate to" placeholder="1e-2" value={values.lrMax ?? ""} onChange={(e) => set("lrMax")(e.target.value)} style={{ flex: 1 }} />
            </span>
          </Field>
          <Field label="Run budget" name="budget" errors={errors}>
            <input type="number" value={values.budget ?? "20"} onChange={(e) => set("budget")(e.target.value)} />
          </Field>
        </>
      )}
      <Field label="Early stopping of losing runs" name="scheduler" errors={errors} hint="decided after each epoch against the sweep's other runs">
        <select value={values.scheduler ?? "none"} onChange={(e) => set("scheduler")(e.target.value)}>
          <option value="none">None: every run trains to the end</option>
          <option value="asha">Successive halving (ASHA)</option>
          <option value="median">Median rule</option>
        </select>
      </Field>
      {input.scheduler.kind !== "none" && (
        <Field label="Minimum epochs" name="minEpochs" errors={errors} hint={input.scheduler.kind === "asha" ? "the first rung" : "before any run is pruned"}>
          <input type="number" value={values.minEpochs ?? "1"} onChange={(e) => set("minEpochs")(e.target.value)} />
        </Field>
      )}
      {input.scheduler.kind === "asha" && (
        <Field label="Reduction factor" name="reductionFactor" errors={errors} hint="keep the top 1/n at each rung">
          <input type="number" value={values.reductionFactor ?? "3"} onChange={(e) => set("reductionFactor")(e.target.value)} />
        </Field>
      )}
      {input.scheduler.kind === "median" && (
        <Field label="Minimum runs" name="minRuns" errors={errors} hint="runs that must have reached an epoch first">
          <input type="number" value={values.minRuns ?? "3"} onChange={(e) => set("minRuns")(e.target.value)} />
        </Field>
      )}
      <div className="field" data-testid="sweep-size">
        <strong>
          Budget: {budget.runs} run{budget.runs === 1 ? "" : "s"}, at most {budget.maxEpochs} epochs
        </strong>
        <span className={budget.runs > limit ? "field-error" : "muted"}>
          {input.sampler === "grid" ? `${input.frozenLayersList.length} frozen x ${input.learningRates.length} rates` : `${input.sampler}, ${budget.runs} draws`}
          {budget.expectedEpochs !== null && ` · ASHA expects about ${budget.expectedEpochs} epochs (${Math.round((100 * budget.expectedEpochs) / Math.max(1, budget.maxEpochs))}%)`}
          {input.scheduler.kind === "median" && " · the median rule stops runs below the others' median"}; limit {limit}
        </span>
      </div>
    </>
  );
}

export function sweepRunCount(values: Values): number {
  const input = sweepInputOf(values);
  return sweepBudget({ ...input, epochs: numberOr(values.epochs, 1) }).runs;
}
