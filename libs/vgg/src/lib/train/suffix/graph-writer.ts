// A thin layer over OnnxGraphBuilder for hand-written training graphs: shared scalar and
// int64 constants, and short names for the node calls the layer graphs make.
import { OnnxGraphBuilder, type AttributeValue } from "../../onnx/onnx-graph.ts";

export class GraphWriter {
  readonly b: OnnxGraphBuilder;
  private readonly floats = new Map<number, string>();
  private readonly ints = new Map<string, string>();

  /**
   * `reserved`: the graph's input and output names, never taken by a derived name.
   * `nchwcBlock`: ONNX Runtime's NCHWc block size on this CPU (see nchwc.ts), when its blocked
   * convolutions may be used.
   */
  constructor(reserved: string[], readonly nchwcBlock?: number) {
    this.b = new OnnxGraphBuilder(reserved);
  }

  /** A float32 scalar constant, shared by every use of the same value. */
  scalar(value: number): string {
    let name = this.floats.get(value);
    if (!name) {
      name = this.b.addInitializer("c", [], new Float32Array([value]));
      this.floats.set(value, name);
    }
    return name;
  }

  /** An int64 vector constant (axes, shapes, pads), shared by every use of the same values. */
  int64(values: number[]): string {
    const key = values.join(",");
    let name = this.ints.get(key);
    if (!name) {
      name = this.b.addInt64Initializer("i", values);
      this.ints.set(key, name);
    }
    return name;
  }

  node(op: string, inputs: string[], out: string, attrs: Record<string, AttributeValue> = {}): string {
    return this.b.addNode(op, inputs, out, attrs);
  }

  /** A node whose output is exactly `out` (a graph output). */
  named(op: string, inputs: string[], out: string, attrs: Record<string, AttributeValue> = {}): string {
    return this.b.addNamedNode(op, inputs, out, attrs);
  }

  multi(op: string, inputs: string[], outs: string[], attrs: Record<string, AttributeValue> = {}): string[] {
    return this.b.addMultiNode(op, inputs, outs, attrs);
  }

  transpose(x: string, perm: number[], out: string): string {
    return this.node("Transpose", [x], out, { perm });
  }

  reshape(x: string, shape: number[], out: string): string {
    return this.node("Reshape", [x, this.int64(shape)], out);
  }

  sum(x: string, axes: number[], out: string): string {
    return this.node("ReduceSum", [x, this.int64(axes)], out, { keepdims: 0 });
  }
}
