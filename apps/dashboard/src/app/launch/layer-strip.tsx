"use client";
// VGG16's layers in Keras' order with the first N marked frozen, so that "15" reads as
// "blocks 1-4 frozen, block 5 and the head train".
import type { RouterOutputs } from "../../trpc/types.ts";

type Layer = RouterOutputs["launch"]["options"]["layers"][number];

export function LayerStrip({ layers, frozen }: { layers: Layer[]; frozen: number[] }) {
  const most = Math.max(0, ...frozen);
  const least = Math.min(...frozen);
  const blocks = [...new Set(layers.map((l) => l.block))];
  const frozenBlocks = blocks.filter((b) => layers.filter((l) => l.block === b).every((l) => l.index < least));
  return (
    <div>
      <div className="layers" data-testid="layer-strip">
        {layers.map((l) => (
          <span
            key={l.name}
            className={`layer ${l.index < most ? "frozen" : ""} ${l.name === "predictions" ? "head" : ""}`}
            title={`${l.index}: ${l.name}${l.index < least ? " (frozen)" : l.index < most ? " (frozen in some runs)" : " (trained)"}`}
            style={l.index >= least && l.index < most ? { opacity: 0.6 } : undefined}
          >
            {l.name === "predictions" ? "new head" : l.name.replace("block", "b")}
          </span>
        ))}
      </div>
      <div className="layer-legend">
        <span>
          <span className="layer frozen">frozen</span> weights stay as loaded
        </span>
        <span>
          <span className="layer">trained</span> updated by the optimizer
        </span>
        <span>
          Fully frozen: {frozenBlocks.filter((b) => b !== "input").join(", ") || "none"}
        </span>
      </div>
    </div>
  );
}
