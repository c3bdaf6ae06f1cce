"use client";
// Choose a registered dataset, or register a folder on the server by its path.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, fieldErrors } from "../../trpc/errors.ts";
import { useTRPC } from "../../trpc/react.tsx";
import type { RouterOutputs } from "../../trpc/types.ts";
import { Field } from "./field.tsx";

type Dataset = RouterOutputs["launch"]["options"]["datasets"][number];

export function DatasetPicker(props: { datasets: Dataset[]; value: string; onChange: (id: string) => void; errors: Record<string, string[] | undefined> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [folder, setFolder] = useState("");
  const [testSplit, setTestSplit] = useState("");
  const roots = useQuery(trpc.datasets.roots.queryOptions());
  const register = useMutation(
    trpc.datasets.register.mutationOptions({
      onSuccess: async (d) => {
        await queryClient.invalidateQueries({ queryKey: trpc.launch.options.queryKey() });
        props.onChange(String(d.id));
        setName("");
        setFolder("");
        setTestSplit("");
      },
    }),
  );
  const chosen = props.datasets.find((d) => String(d.id) === props.value);
  const registerErrors = fieldErrors(register.error);
  return (
    <div className="form-grid" style={{ marginTop: 14 }}>
      <Field label="Dataset" name="datasetId" errors={props.errors} hint={chosen ? `${chosen.imageCount ?? "?"} images, classes: ${chosen.classNames?.join(", ") ?? "?"}` : "register a folder if the list is empty"}>
        <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          {props.datasets.length === 0 && <option value="">(none registered)</option>}
          {props.datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </Field>
      <div className="field" style={{ gridColumn: "span 3" }}>
        <span>Register a folder</span>
        <span className="hint">one sub-folder per class, inside {roots.data?.join(" or ") ?? "the data roots"}; a test split holds out that fraction of each class once, for promotions to compare on</span>
        <span className="inline">
          <input aria-label="Dataset name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} style={{ width: 140 }} />
          <input aria-label="Dataset folder" placeholder="/absolute/path/to/folder" value={folder} onChange={(e) => setFolder(e.target.value)} style={{ flex: 1 }} />
          <input aria-label="Test split" title="fraction of each class held out once as this dataset's test set, when the folder has no test/" placeholder="test split" value={testSplit} onChange={(e) => setTestSplit(e.target.value)} style={{ width: 90 }} />
          <button type="button" disabled={!name || !folder || register.isPending} onClick={() => register.mutate({ name, path: folder, testSplit: testSplit.trim() === "" ? undefined : Number(testSplit) })}>
            {register.isPending ? "Scanning…" : "Register"}
          </button>
        </span>
        {register.error && (
          <span className="field-error" role="alert">
            {registerErrors.path?.[0] ?? registerErrors.name?.[0] ?? registerErrors.testSplit?.[0] ?? errorMessage(register.error)}
          </span>
        )}
      </div>
    </div>
  );
}
