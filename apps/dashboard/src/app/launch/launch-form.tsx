"use client";
// Launch one run or a sweep (the grid of frozen counts x learning rates). The form checks
// itself with the API's own zod schema; the server's field errors land on the same fields.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { z } from "zod";
import { defaultParams, launchRunSchema, sweepSchema } from "../../shared/run-params.ts";
import { errorMessage, fieldErrors } from "../../trpc/errors.ts";
import { useTRPC } from "../../trpc/react.tsx";
import { DatasetPicker } from "./dataset-picker.tsx";
import { Field } from "./field.tsx";
import { LayerStrip } from "./layer-strip.tsx";
import { SweepFields, sweepInputOf, sweepRunCount } from "./sweep-fields.tsx";

type Values = Record<string, string>;

const INITIAL: Values = Object.fromEntries(Object.entries(defaultParams).map(([k, v]) => [k, String(v)]));
const NUMERIC = ["experimentId", "datasetId", "momentum", "epochs", "batchSize", "patience", "imageSize", "seed", "widthMultiplier", "validationSplit", "dropout", "keepCheckpoints", "frozenLayers", "learningRate"];

const list = (text: string) => text.split(/[\s,;]+/).filter(Boolean).map(Number);

function toInput(v: Values, sweep: boolean) {
  const out: Record<string, unknown> = {
    base: v.base,
    optimizer: v.optimizer,
    head: v.head,
    augment: v.augment === "true",
    split: v.split,
    kerasCompatible: v.kerasCompatible === "true",
    name: v.name || undefined,
  };
  for (const key of NUMERIC) out[key] = v[key] === "" || v[key] === undefined ? Number.NaN : Number(v[key]);
  if (sweep) {
    Object.assign(out, sweepInputOf(v));
    delete out.frozenLayers;
    delete out.learningRate;
  }
  return out;
}

export function LaunchForm({ cloneOf }: { cloneOf: number | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const options = useQuery(trpc.launch.options.queryOptions());
  const template = useQuery({ ...trpc.launch.template.queryOptions({ runId: cloneOf ?? 1 }), enabled: cloneOf !== null });
  const [values, setValues] = useState<Values>({ ...INITIAL, frozenLayersList: "11, 15, 19", learningRates: "0.01, 0.001, 0.0001" });
  const [sweep, setSweep] = useState(false);
  const [clientErrors, setClientErrors] = useState<Record<string, string[] | undefined>>({});
  const [newExperiment, setNewExperiment] = useState("");

  useEffect(() => {
    if (template.data) setValues((v) => ({ ...v, ...Object.fromEntries(Object.entries(template.data).map(([k, x]) => [k, x === undefined ? "" : String(x)])) }));
  }, [template.data]);
  useEffect(() => {
    // Sensible first choices once the options arrive: the first experiment, dataset and base.
    const o = options.data;
    if (!o) return;
    setValues((v) => ({
      ...v,
      experimentId: v.experimentId || String(o.experiments[0]?.id ?? ""),
      datasetId: v.datasetId || String(o.datasets[0]?.id ?? ""),
      base: o.bases.some((b) => b.value === v.base) ? v.base : (o.bases[0]?.value ?? "random"),
    }));
  }, [options.data]);

  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
  const launch = useMutation(trpc.launch.run.mutationOptions({ onSuccess }));
  const launchSweep = useMutation(trpc.launch.sweep.mutationOptions({ onSuccess }));
  const createExperiment = useMutation(
    trpc.experiments.create.mutationOptions({
      onSuccess: async (e) => {
        await queryClient.invalidateQueries({ queryKey: trpc.launch.options.queryKey() });
        setValues((v) => ({ ...v, experimentId: String(e.id) }));
        setNewExperiment("");
      },
    }),
  );

  const set = (key: string) => (value: string) => {
    setValues((v) => ({ ...v, [key]: value }));
    // An edited field's old message would now be wrong; the next submit checks it again.
    setClientErrors((e) => ({ ...e, [key]: undefined }));
  };
  const mutation = sweep ? launchSweep : launch;
  const errors = { ...fieldErrors(mutation.error), ...clientErrors };
  const size = sweepRunCount(values);
  const limit = options.data?.sweepLimit ?? 100;

  /** zod's issues keyed by their top-level field, as the server's errorFormatter sends them. */
  function showErrors(error: z.ZodError): void {
    const byField: Record<string, string[]> = {};
    for (const issue of error.issues) (byField[String(issue.path[0] ?? "form")] ??= []).push(issue.message);
    setClientErrors(byField);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = toInput(values, sweep);
    if (sweep) {
      const parsed = sweepSchema.safeParse(input);
      if (!parsed.success) return showErrors(parsed.error);
      setClientErrors({});
      const result = await launchSweep.mutateAsync(parsed.data);
      router.push(`/runs?experiment=${values.experimentId}&sweep=${result.sweepId}`);
    } else {
      const parsed = launchRunSchema.safeParse(input);
      if (!parsed.success) return showErrors(parsed.error);
      setClientErrors({});
      const result = await launch.mutateAsync(parsed.data);
      router.push(`/run/${result.runId}`);
    }
  }

  const o = options.data;
  const frozenShown = sweep ? list(values.frozenLayersList ?? "").filter(Number.isFinite) : [Number(values.frozenLayers) || 0];
  return (
    <form onSubmit={(e) => void submit(e).catch(() => undefined)} noValidate>
      <div className="page-head">
        <div>
          <h1>{cloneOf ? `Launch (clone of run #${cloneOf})` : "Launch"}</h1>
          <div className="muted">Queue a run for the worker, or a sweep: a grid, random or TPE search within a budget, optionally stopping losing runs early.</div>
        </div>
        <div className="row">
          <label className="row">
            <input type="radio" name="mode" checked={!sweep} onChange={() => setSweep(false)} /> One run
          </label>
          <label className="row">
            <input type="radio" name="mode" checked={sweep} onChange={() => setSweep(true)} /> Sweep
          </label>
        </div>
      </div>
      {options.error && <div className="alert">{errorMessage(options.error)}</div>}
      <div className="panel">
        <h2>What to train on</h2>
        <div className="form-grid">
          <Field label="Experiment" name="experimentId" errors={errors}>
            <select value={values.experimentId} onChange={(e) => set("experimentId")(e.target.value)}>
              {o?.experiments.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          </Field>
          <label className="field">
            New experiment
            <span className="inline">
              <input aria-label="New experiment name" value={newExperiment} placeholder="name" onChange={(e) => setNewExperiment(e.target.value)} style={{ flex: 1 }} />
              <button type="button" disabled={!newExperiment.trim()} onClick={() => createExperiment.mutate({ name: newExperiment })}>
                Add
              </button>
            </span>
            {createExperiment.error && <span className="field-error">{errorMessage(createExperiment.error)}</span>}
          </label>
          <Field label="Run name" name="name" errors={errors} hint="optional">
            <input value={values.name ?? ""} onChange={(e) => set("name")(e.target.value)} />
          </Field>
        </div>
        <DatasetPicker datasets={o?.datasets ?? []} value={values.datasetId} onChange={set("datasetId")} errors={errors} />
        <div className="form-grid" style={{ marginTop: 14 }}>
          <Field label="Base weights" name="base" errors={errors}>
            <select value={values.base} onChange={(e) => set("base")(e.target.value)}>
              {o?.bases.map((b) => (
                <option key={b.value} value={b.value}>
                  {b.label}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Image size" name="imageSize" errors={errors} hint="pixels, square">
            <input type="number" value={values.imageSize} onChange={(e) => set("imageSize")(e.target.value)} />
          </Field>
          <Field label="Width multiplier" name="widthMultiplier" errors={errors} hint="1 = full VGG16">
            <input type="number" step="any" value={values.widthMultiplier} onChange={(e) => set("widthMultiplier")(e.target.value)} />
          </Field>
          <Field label="Validation split" name="validationSplit" errors={errors}>
            <input type="number" step="any" value={values.validationSplit} onChange={(e) => set("validationSplit")(e.target.value)} />
          </Field>
          <Field label="Validation split method" name="split" errors={errors} hint="which images are held out">
            <select value={values.split} onChange={(e) => set("split")(e.target.value)}>
              <option value="stratified">Seeded draw per class (Thaw)</option>
              <option value="keras">First fraction of each class (Keras)</option>
            </select>
          </Field>
          <Field label="Read the folder as Keras" name="kerasCompatible" errors={errors} hint="Keras' file set, order, no EXIF rotation">
            <select
              value={values.kerasCompatible}
              onChange={(e) => {
                set("kerasCompatible")(e.target.value);
                // As --keras-compatible: Keras' split comes with it.
                if (e.target.value === "true") set("split")("keras");
              }}
            >
              <option value="false">No (Thaw's defaults)</option>
              <option value="true">Yes (flow_from_directory)</option>
            </select>
          </Field>
          <Field label="Head" name="head" errors={errors} hint="what replaces Keras' predictions layer">
            <select value={values.head} onChange={(e) => set("head")(e.target.value)}>
              <option value="fc2">Dense on fc2 (Keras' top)</option>
              <option value="pooled">Global average pooling + Dense</option>
            </select>
          </Field>
          <Field label="Dropout" name="dropout" errors={errors} hint="before the new Dense layer">
            <input type="number" step="any" value={values.dropout} onChange={(e) => set("dropout")(e.target.value)} />
          </Field>
        </div>
      </div>
      <div className="panel">
        <h2>Freezing and learning rate</h2>
        <div className="form-grid">
          {sweep ? (
            <>
              <SweepFields values={values} set={set} errors={errors} limit={limit} />
            </>
          ) : (
            <>
              <Field label="Frozen layers" name="frozenLayers" errors={errors} hint="Keras count: 19 = whole conv base">
                <input type="number" value={values.frozenLayers} onChange={(e) => set("frozenLayers")(e.target.value)} />
              </Field>
              <Field label="Learning rate" name="learningRate" errors={errors}>
                <input type="number" step="any" value={values.learningRate} onChange={(e) => set("learningRate")(e.target.value)} />
              </Field>
            </>
          )}
        </div>
        {o && (
          <div style={{ marginTop: 12 }}>
            <LayerStrip layers={o.layers} frozen={frozenShown.length ? frozenShown : [0]} />
          </div>
        )}
      </div>
      <div className="panel">
        <h2>Training</h2>
        <div className="form-grid">
          <Field label="Optimizer" name="optimizer" errors={errors}>
            <select value={values.optimizer} onChange={(e) => set("optimizer")(e.target.value)}>
              <option value="sgd">SGD with momentum</option>
              <option value="adam">Adam</option>
            </select>
          </Field>
          <Field label="Momentum" name="momentum" errors={errors} hint="SGD only">
            <input type="number" step="any" value={values.momentum} onChange={(e) => set("momentum")(e.target.value)} />
          </Field>
          <Field label="Epochs" name="epochs" errors={errors}>
            <input type="number" value={values.epochs} onChange={(e) => set("epochs")(e.target.value)} />
          </Field>
          <Field label="Batch size" name="batchSize" errors={errors}>
            <input type="number" value={values.batchSize} onChange={(e) => set("batchSize")(e.target.value)} />
          </Field>
          <Field label="Patience" name="patience" errors={errors} hint="epochs without a better val accuracy before stopping (Keras)">
            <input type="number" value={values.patience} onChange={(e) => set("patience")(e.target.value)} />
          </Field>
          <Field label="Seed" name="seed" errors={errors}>
            <input type="number" value={values.seed} onChange={(e) => set("seed")(e.target.value)} />
          </Field>
          <Field label="Checkpoints kept" name="keepCheckpoints" errors={errors} hint="the newest N, the best among them; promoted ones always">
            <input type="number" value={values.keepCheckpoints} onChange={(e) => set("keepCheckpoints")(e.target.value)} />
          </Field>
          <Field label="Augmentation" name="augment" errors={errors} hint="flip, zoom, rotate, brightness">
            <select value={values.augment} onChange={(e) => set("augment")(e.target.value)}>
              <option value="false">off</option>
              <option value="true">on</option>
            </select>
          </Field>
        </div>
      </div>
      {mutation.error && <div className="alert" role="alert">{errorMessage(mutation.error)}</div>}
      <div className="row">
        <button type="submit" className="primary" disabled={mutation.isPending || (sweep && size > limit)}>
          {sweep ? `Queue ${size} runs` : "Queue run"}
        </button>
        {mutation.isPending && <span className="muted">Queueing…</span>}
      </div>
    </form>
  );
}
