/**
 * Convolutions of the `native` backend on oneDNN: `Conv2D`, `FusedConv2D`, `Conv2DBackpropInput`
 * and `Conv2DBackpropFilter`.
 *
 * Activations stay in TensorFlow.js's NHWC layout on the wasm heap, read and written in place.
 * Weights are reordered at every call from tfjs's [kh, kw, in, out] layout (oneDNN's `hwio`) into
 * the blocked layout oneDNN's own kernels prefer (and filter gradients back): on these machines a
 * plain-layout convolution falls back to im2col + GEMM at a quarter of the speed (see
 * bench/README.md), while a reorder of the weights costs little. Primitives are built once per
 * geometry and kept in a bounded cache (least recently used first out).
 *
 * NCHW data, PReLU and activations other than ReLU go to the wasm kernels these replace.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DNNL, Dnnl, PrimitiveCache, type PrimitiveHandles } from "./dnnl.ts";
import { heapF32, type KernelArgs, type KernelFunc, type TensorInfo } from "./kernel_types.ts";

type Pointer = Deno.PointerValue;
type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

/** Most primitive sets kept at once (each holds a few primitives and a weight buffer). */
export const CONV_CACHE_LIMIT = 256;

/** Weights bound through an optional reorder between tfjs's layout and oneDNN's chosen one. */
interface Weights {
  user: Pointer;
  internal: Pointer;
  reorder: Pointer | null;
  buffer: Uint8Array | null;
}

interface Plan {
  primitive: Pointer;
  weights: Weights;
  memories: Record<"src" | "dst" | "bias", Pointer>;
  implementation: string;
  handles: PrimitiveHandles;
}

type Kind = "forward" | "forward+bias" | "backward-data" | "backward-weights";

/** Convolution primitives by geometry. */
export class ConvolutionPlans {
  readonly #plans: PrimitiveCache<Plan>;
  readonly #hints = new Map<string, Pointer>();

  constructor(readonly dnnl: Dnnl, limit = CONV_CACHE_LIMIT) {
    this.#plans = new PrimitiveCache(dnnl, limit);
  }

  /** Number of cached primitive sets. */
  get size(): number {
    return this.#plans.size;
  }

  /** Implementations chosen so far, by kind and geometry (for benchmarks and logs). */
  implementations(): Record<string, string> {
    return Object.fromEntries([...this.#plans.entries()].map(([key, plan]) => [key, plan.implementation]));
  }

  #geometry(info: ConvInfo): string {
    const p = info.padInfo;
    return [
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outChannels,
      info.filterHeight,
      info.filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      p.top,
      p.bottom,
      p.left,
      p.right,
    ].join(",");
  }

  #descs(info: ConvInfo) {
    const d = this.dnnl;
    return {
      src: d.memoryDesc([info.batchSize, info.inChannels, info.inHeight, info.inWidth], DNNL.tag.nhwc),
      dst: d.memoryDesc([info.batchSize, info.outChannels, info.outHeight, info.outWidth], DNNL.tag.nhwc),
      weightsAny: d.memoryDesc([info.outChannels, info.inChannels, info.filterHeight, info.filterWidth], DNNL.tag.any),
      weightsUser: d.memoryDesc(
        [info.outChannels, info.inChannels, info.filterHeight, info.filterWidth],
        DNNL.tag.hwio,
      ),
      bias: d.memoryDesc([info.outChannels], DNNL.tag.a),
      strides: d.dims([info.strideHeight, info.strideWidth]),
      dilates: d.dims([info.dilationHeight - 1, info.dilationWidth - 1]),
      padL: d.dims([info.padInfo.top, info.padInfo.left]),
      padR: d.dims([info.padInfo.bottom, info.padInfo.right]),
    };
  }

  #forwardDesc(info: ConvInfo, bias: boolean): Uint8Array {
    const d = this.dnnl, s = this.#descs(info);
    const op = d.opDesc();
    const status = d.libraries.dnnl.dnnl_dilated_convolution_forward_desc_init(
      op,
      DNNL.prop.forwardTraining,
      DNNL.convolutionDirect,
      s.src,
      s.weightsAny,
      bias ? s.bias : d.zeroDesc(),
      s.dst,
      s.strides,
      s.dilates,
      s.padL,
      s.padR,
    );
    if (status !== 0) throw new Error(`oneDNN rejected a convolution of geometry ${this.#geometry(info)} (${status})`);
    return op;
  }

  /** The forward primitive descriptor that backward primitives take as a hint. */
  #hint(info: ConvInfo): Pointer {
    const key = this.#geometry(info);
    let hint = this.#hints.get(key);
    if (!hint) {
      hint = this.dnnl.primitiveDesc(this.#forwardDesc(info, false), "creating a convolution");
      this.#hints.set(key, hint);
    }
    return hint;
  }

  #weights(userDesc: Uint8Array, chosen: Pointer, toUser: boolean, handles: PrimitiveHandles): Weights {
    const d = this.dnnl;
    const user = d.memory(userDesc);
    handles.memories.push(user);
    const userPointer = Deno.UnsafePointer.of(userDesc);
    if (d.equal(userPointer, chosen)) return { user, internal: user, reorder: null, buffer: null };
    const internal = d.memory(chosen);
    const reorderDesc = toUser ? d.reorderDesc(chosen, userPointer) : d.reorderDesc(userPointer, chosen);
    const reorder = d.primitive(reorderDesc);
    handles.memories.push(internal);
    handles.descs.push(reorderDesc);
    handles.primitives.push(reorder);
    return { user, internal, reorder, buffer: new Uint8Array(d.size(chosen)) };
  }

  /** The primitive set of one kind and geometry, built on first use. */
  plan(kind: Kind, info: ConvInfo): Plan {
    return this.#plans.get(`${kind}:${this.#geometry(info)}`, () => this.#build(kind, info));
  }

  #build(kind: Kind, info: ConvInfo): Plan {
    const d = this.dnnl, s = this.#descs(info);
    const handles: PrimitiveHandles = { primitives: [], descs: [], memories: [] };
    let pd: Pointer;
    if (kind === "forward" || kind === "forward+bias") {
      pd = d.primitiveDesc(this.#forwardDesc(info, kind === "forward+bias"), "creating a convolution");
    } else if (kind === "backward-data") {
      const op = d.opDesc();
      const status = d.libraries.dnnl.dnnl_dilated_convolution_backward_data_desc_init(
        op,
        DNNL.convolutionDirect,
        s.src,
        s.weightsAny,
        s.dst,
        s.strides,
        s.dilates,
        s.padL,
        s.padR,
      );
      if (status !== 0) throw new Error(`oneDNN rejected a convolution input gradient (${status})`);
      pd = d.primitiveDesc(op, "creating a convolution input gradient", this.#hint(info));
    } else {
      const op = d.opDesc();
      const status = d.libraries.dnnl.dnnl_dilated_convolution_backward_weights_desc_init(
        op,
        DNNL.convolutionDirect,
        s.src,
        s.weightsAny,
        d.zeroDesc(),
        s.dst,
        s.strides,
        s.dilates,
        s.padL,
        s.padR,
      );
      if (status !== 0) throw new Error(`oneDNN rejected a convolution filter gradient (${status})`);
      pd = d.primitiveDesc(op, "creating a convolution filter gradient", this.#hint(info));
    }
    const primitive = d.primitive(pd);
    handles.descs.push(pd);
    handles.primitives.push(primitive);
    const chosen = d.queryMd(pd, kind === "backward-weights" ? DNNL.query.diffWeightsMd : DNNL.query.weightsMd);
    const weights = this.#weights(s.weightsUser, chosen, kind === "backward-weights", handles);
    const memories = { src: d.memory(s.src), dst: d.memory(s.dst), bias: d.memory(s.bias) };
    handles.memories.push(memories.src, memories.dst, memories.bias);
    return { primitive, weights, memories, implementation: d.implementation(pd), handles };
  }

  /** Releases every cached primitive. */
  clear(): void {
    this.#plans.clear();
    this.dnnl.destroy({ descs: [...this.#hints.values()] });
    this.#hints.clear();
  }
}

function channelsLast(attrs: Record<string, unknown>): boolean {
  return (attrs.dataFormat ?? "NHWC") === "NHWC";
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations ?? 1) as [number, number],
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
    false,
    "channelsLast",
  );
}

/** Runs forward-style weights through their reorder and returns the data oneDNN reads. */
function weightsIn(plans: ConvolutionPlans, w: Weights, user: Float32Array): ArrayBufferView {
  if (!w.reorder) return user;
  plans.dnnl.execute(w.reorder, [[DNNL.arg.src, w.user, user], [DNNL.arg.dst, w.internal, w.buffer!]]);
  return w.buffer!;
}

/** `Conv2D` and `FusedConv2D` (bias; linear or ReLU). */
export function nativeConv2D(plans: ConvolutionPlans, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!, filter = inputs.filter!, bias = inputs.bias;
    const activation = (attrs.activation as string | undefined) ?? "linear";
    if (
      !channelsLast(attrs) || x.dtype !== "float32" || filter.dtype !== "float32" ||
      (activation !== "linear" && activation !== "relu") || inputs.preluActivationWeights
    ) return fallback(args);
    const info = convInfo(x.shape, filter.shape, attrs);
    if (bias && (bias.dtype !== "float32" || bias.shape.reduce((a, b) => a * b, 1) !== info.outChannels)) {
      return fallback(args);
    }
    const plan = plans.plan(bias ? "forward+bias" : "forward", info);
    const out = backend.makeOutput(info.outShape, "float32");
    const xv = heapF32(backend, x), yv = heapF32(backend, out);
    const w = weightsIn(plans, plan.weights, heapF32(backend, filter));
    const run: [number, Pointer, ArrayBufferView][] = [
      [DNNL.arg.src, plan.memories.src, xv],
      [DNNL.arg.weights, plan.weights.internal, w],
      [DNNL.arg.dst, plan.memories.dst, yv],
    ];
    if (bias) run.push([DNNL.arg.bias, plan.memories.bias, heapF32(backend, bias)]);
    plans.dnnl.execute(plan.primitive, run);
    if (activation === "relu") { for (let i = 0; i < yv.length; i++) if (yv[i] < 0) yv[i] = 0; }
    return out;
  };
}

/** `Conv2DBackpropInput`: the gradient of a convolution with respect to its input. */
export function nativeConv2DBackpropInput(plans: ConvolutionPlans, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const dy = inputs.dy!, filter = inputs.filter!;
    if (!channelsLast(attrs) || dy.dtype !== "float32" || filter.dtype !== "float32") return fallback(args);
    const info = convInfo(attrs.inputShape as number[], filter.shape, attrs);
    const plan = plans.plan("backward-data", info);
    const dx = backend.makeOutput(info.inShape, "float32");
    const w = weightsIn(plans, plan.weights, heapF32(backend, filter));
    plans.dnnl.execute(plan.primitive, [
      [DNNL.arg.diffDst, plan.memories.dst, heapF32(backend, dy)],
      [DNNL.arg.weights, plan.weights.internal, w],
      [DNNL.arg.diffSrc, plan.memories.src, heapF32(backend, dx)],
    ]);
    return dx;
  };
}

/** `Conv2DBackpropFilter`: the gradient of a convolution with respect to its filter. */
export function nativeConv2DBackpropFilter(plans: ConvolutionPlans, fallback: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!, dy = inputs.dy!;
    if (!channelsLast(attrs) || x.dtype !== "float32" || dy.dtype !== "float32") return fallback(args);
    const info = convInfo(x.shape, attrs.filterShape as number[], attrs);
    const plan = plans.plan("backward-weights", info);
    const dw: TensorInfo = backend.makeOutput(info.filterShape, "float32");
    const w = plan.weights;
    plans.dnnl.execute(plan.primitive, [
      [DNNL.arg.src, plan.memories.src, heapF32(backend, x)],
      [DNNL.arg.diffDst, plan.memories.dst, heapF32(backend, dy)],
      [DNNL.arg.diffWeights, w.internal, w.reorder ? w.buffer! : heapF32(backend, dw)],
    ]);
    if (w.reorder) {
      plans.dnnl.execute(w.reorder, [[DNNL.arg.src, w.internal, w.buffer!], [
        DNNL.arg.dst,
        w.user,
        heapF32(backend, dw),
      ]]);
    }
    return dw;
  };
}
