// What /api/predict answers, shared with the Try it page.
export type PredictResponse =
  | {
      ok: true;
      model: { name: string; experimentId: number; runId: number; checkpointId: number; epoch: number };
      /** Sorted, most likely first. */
      probabilities: { className: string; probability: number }[];
      /** The image as the model saw it (resized), PNG data URL. */
      image: string;
      /** Grad-CAM overlay on that image, PNG data URL. */
      heatmap: string;
      elapsedMs: number;
    }
  | { ok: false; error: string };
