// Keras' VGG16 layer list, in Keras' order, so that an index here is an index in
// `model.layers` and "freeze the first 19 layers" means what it means in Keras.

export type Vgg16LayerKind = "input" | "conv" | "pool" | "flatten" | "dense";

export interface Vgg16LayerRow {
  /** Position in `model.layers` (0 is the input layer, as in Keras). */
  index: number;
  name: string;
  /** "input", "block1".."block5" or "top". */
  block: string;
  kind: Vgg16LayerKind;
  /** Filters (conv) or units (dense) at widthMultiplier 1; 0 for layers without weights. */
  width: number;
}

const CONV_BLOCKS: ReadonlyArray<{ filters: number; convs: number }> = [
  { filters: 64, convs: 2 },
  { filters: 128, convs: 2 },
  { filters: 256, convs: 3 },
  { filters: 512, convs: 3 },
  { filters: 512, convs: 3 },
];

function buildTable(): Vgg16LayerRow[] {
  const rows: Vgg16LayerRow[] = [{ index: 0, name: "input_1", block: "input", kind: "input", width: 0 }];
  CONV_BLOCKS.forEach(({ filters, convs }, b) => {
    const block = `block${b + 1}`;
    for (let c = 1; c <= convs; c++) {
      rows.push({ index: rows.length, name: `${block}_conv${c}`, block, kind: "conv", width: filters });
    }
    rows.push({ index: rows.length, name: `${block}_pool`, block, kind: "pool", width: 0 });
  });
  rows.push({ index: rows.length, name: "flatten", block: "top", kind: "flatten", width: 0 });
  rows.push({ index: rows.length, name: "fc1", block: "top", kind: "dense", width: 4096 });
  rows.push({ index: rows.length, name: "fc2", block: "top", kind: "dense", width: 4096 });
  rows.push({ index: rows.length, name: "predictions", block: "top", kind: "dense", width: 1000 });
  return rows;
}

/** Every layer of VGG16 with its top (23 rows); the first 19 are the convolutional base. */
export const VGG16_LAYER_TABLE: readonly Vgg16LayerRow[] = Object.freeze(buildTable());

/** Layer names in Keras' order, input layer first. */
export const VGG16_LAYER_NAMES: readonly string[] = Object.freeze(VGG16_LAYER_TABLE.map((r) => r.name));

/** Keras' `layers[:19]`: the input layer, 13 convolutions and 5 poolings. */
export const FROZEN_ALL_CONV = 19;

/** Number of layers in VGG16 with (23) or without (19) its top. */
export function vgg16LayerCount(includeTop: boolean): number {
  return includeTop ? VGG16_LAYER_TABLE.length : FROZEN_ALL_CONV;
}
