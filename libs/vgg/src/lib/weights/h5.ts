// h5wasm's Node build (Emscripten NODERAWFS: paths are host paths), initialised once.
import h5wasm from "h5wasm/node";

export type H5 = typeof h5wasm;
export type H5Group = InstanceType<H5["Group"]>;
export type H5Dataset = InstanceType<H5["Dataset"]>;

let ready: Promise<H5> | undefined;

export function loadH5(): Promise<H5> {
  ready ??= h5wasm.ready.then(() => h5wasm);
  return ready;
}
