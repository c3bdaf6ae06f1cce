// A small builder over onnx-proto's generated schema: nodes, float initializers and the
// model wrapper. Encoding goes through protobufjs so the bytes follow the ONNX schema exactly.
import { endianness } from "node:os";
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";

// onnx-proto is CommonJS with `module.exports = $root`: Node's ESM loader only sees a default export.
const { onnx } = onnxProto;

/** Opset 13: Softmax over one axis (as Keras), Gemm with optional C; supported by every current runtime. */
export const ONNX_OPSET = 13;
const FLOAT = 1;
const INT64 = 7;
/** Version of Thaw's exporter (bumped when the graph it writes changes). */
const PRODUCER_VERSION = "1"; // TensorProto.DataType.FLOAT

/** Plain numbers are INT attributes (every attribute the exporter writes but `alpha`s); floats say so. */
export type AttributeValue = number | number[] | string | { float: number };

/** An input/output of the graph (float32 unless said); `null` dimensions become the named free dimension `batch`. */
export interface GraphIo {
  name: string;
  shape: Array<number | null>;
  type?: "float32" | "int64";
}

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  if (typeof value === "string") return { name, type: types.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: types.INTS, ints: value };
  if (typeof value === "number") return { name, type: types.INT, i: value };
  return { name, type: types.FLOAT, f: value.float };
}

function valueInfo(io: GraphIo): OnnxTypes.IValueInfoProto {
  const dim = io.shape.map((d) => (d === null ? { dimParam: "batch" } : { dimValue: d }));
  return { name: io.name, type: { tensorType: { elemType: io.type === "int64" ? INT64 : FLOAT, shape: { dim } } } };
}

/** Little-endian float32 bytes, as ONNX's raw_data requires, whatever the host order. */
function floatBytes(values: Float32Array): Uint8Array {
  if (endianness() === "LE") return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return bytes;
}

export class OnnxGraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly used: Set<string>;
  /** Operator domains other than ONNX's own that nodes use, each imported at version 1. */
  private readonly domains = new Set<string>();

  /** `reserved` names (the graph's input and output) are never derived from layer names. */
  constructor(reserved: readonly string[]) {
    this.used = new Set(reserved);
  }

  /** A name not used yet in this graph, derived from `base` (Keras layer names are unique already). */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a float32 constant (a weight) and returns its name. */
  addInitializer(base: string, dims: number[], values: Float32Array): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== values.length) {
      throw new RangeError(`initializer ${base}: dims ${dims.join("x")} need ${expected} values, got ${values.length}`);
    }
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: floatBytes(values) });
    return name;
  }

  /** Adds an int64 constant (axes, shapes) and returns its name. */
  addInt64Initializer(base: string, values: number[]): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  /** Adds one node and returns the name of its (single) output, derived from `outputBase`. */
  addNode(opType: string, inputs: string[], outputBase: string, attributes: Record<string, AttributeValue> = {}): string {
    return this.addNamedNode(opType, inputs, this.uniqueName(outputBase), attributes);
  }

  /** Adds one node whose output has exactly the name given (a reserved graph output). */
  addNamedNode(opType: string, inputs: string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    const attrs = Object.entries(attributes).map(([k, v]) => attribute(k, v));
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute: attrs });
    return output;
  }

  /** Adds one node of another operator domain (e.g. ONNX Runtime's com.microsoft.nchwc). */
  addDomainNode(domain: string, opType: string, inputs: string[], outputBase: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.addNode(opType, inputs, outputBase, attributes);
    this.nodes[this.nodes.length - 1].domain = domain;
    this.domains.add(domain);
    return output;
  }

  /** Adds one node with several outputs (e.g. MaxPool's values and indices); returns their names. */
  addMultiNode(opType: string, inputs: string[], outputBases: string[], attributes: Record<string, AttributeValue> = {}): string[] {
    const outputs = outputBases.map((base) => this.uniqueName(base));
    const attrs = Object.entries(attributes).map(([k, v]) => attribute(k, v));
    this.nodes.push({ opType, input: inputs, output: outputs, name: outputs[0], attribute: attrs });
    return outputs;
  }

  /** Serialises the graph as an ONNX model with the given graph inputs and outputs. */
  encode(input: GraphIo | GraphIo[], output: GraphIo | GraphIo[], metadata: Record<string, string>, graphName: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7, // IR 7 goes with opset 13
      producerName: "thaw",
      producerVersion: PRODUCER_VERSION,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      opsetImport: [{ domain: "", version: ONNX_OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: [input].flat().map(valueInfo),
        output: [output].flat().map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Decodes ONNX bytes (for checks and tooling); the inverse of `OnnxGraphBuilder.encode`. */
export function decodeOnnxModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
