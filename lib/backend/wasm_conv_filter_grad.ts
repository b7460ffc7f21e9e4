/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships without it (so no CNN can train on
 * stock wasm). The filter gradient is a sum over kernel offsets of products of input patches with
 * the output gradient:
 *
 *   dW[i, j, :, :] = X_ij^T · dY,  X_ij = the (N·OH·OW)×C_in input samples seen by offset (i, j)
 *
 * computed with the backend's own Pad, StridedSlice, Reshape and (transpose-free) BatchMatMul
 * kernels, one offset at a time, so memory stays at one patch matrix. NHWC, dilation 1 (tfjs does
 * not differentiate dilated convolutions).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Backend = { disposeData(dataId: object): void };
type Kernel = ReturnType<typeof tf.getKernel> & object;

function kernel(name: string): Kernel {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  return k;
}

function call(
  name: string,
  inputs: Record<string, TensorInfo> | TensorInfo[],
  backend: Backend,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  return kernel(name).kernelFunc({ inputs, backend, attrs } as never) as TensorInfo;
}

/** The kernel configuration to register. */
export const conv2DBackpropFilterConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: (args: unknown) => {
    const { inputs, backend, attrs } = args as {
      inputs: { x: TensorInfo; dy: TensorInfo };
      backend: Backend;
      attrs: tf.Conv2DBackpropFilterAttrs;
    };
    const { x, dy } = inputs;
    if (attrs.dataFormat === "NCHW") throw new Error("Conv2DBackpropFilter (wasm): only NHWC is supported");
    const [kh, kw, cin, cout] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      "channelsLast",
    );
    const { top, bottom, left, right } = info.padInfo;
    const [n, oh, ow, sh, sw] = [info.batchSize, info.outHeight, info.outWidth, info.strideHeight, info.strideWidth];
    const temporary: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temporary.push(t), t);
    try {
      const padded = top || bottom || left || right
        ? keep(
          call("PadV2", { x }, backend, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }),
        )
        : x;
      const dyMatrix = keep(call("Reshape", { x: dy }, backend, { shape: [n * oh * ow, cout] }));
      const parts: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const patch = keep(call("StridedSlice", { x: padded }, backend, {
            begin: [0, i, j, 0],
            end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, cin],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          }));
          const patchMatrix = keep(call("Reshape", { x: patch }, backend, { shape: [n * oh * ow, cin] }));
          parts.push(
            keep(
              call("BatchMatMul", { a: patchMatrix, b: dyMatrix }, backend, { transposeA: true, transposeB: false }),
            ),
          );
        }
      }
      const stacked = parts.length === 1 ? parts[0] : keep(call("Concat", parts, backend, { axis: 0 }));
      return call("Reshape", { x: stacked }, backend, { shape: [kh, kw, cin, cout] });
    } finally {
      for (const t of temporary) backend.disposeData(t.dataId);
    }
  },
};
