// What /api/predict answers, shared with the Try it page.
export type PredictResponse =
  | {
      ok: true;
      model: { name: string; experimentId: number; runId: number; checkpointId: number; epoch: number; inputSize: [number, number] };
      /** Every class, most likely first. */
      probabilities: { className: string; probability: number }[];
      /** The image as the model saw it (resized to its input), BMP data URL. */
      input: string;
      /** Grad-CAM of the top class over the image as the model saw it, PNG data URL. */
      heatmap: string;
      elapsedMs: number;
    }
  | { ok: false; error: string };
