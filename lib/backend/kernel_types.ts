/**
 * The parts of TensorFlow.js's kernel interface that the project's kernels use, typed locally
 * (tfjs does not export the wasm backend's types).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A tensor as kernels see it. */
export interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}

/** The wasm backend (and the native backend, which is one) as kernels use it. */
export interface HeapBackend {
  disposeData(dataId: object): void;
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** A registered kernel's configuration. */
export type KernelConfig = ReturnType<typeof tf.getKernel> & object;

/** What a kernel function receives. */
export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: HeapBackend;
  attrs: Record<string, unknown>;
}

/** A kernel function over {@link KernelArgs}. */
export type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];

/** A float32 view of a tensor on the wasm heap; take it afresh after any allocation (the heap can grow). */
export function heapF32(backend: HeapBackend, t: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Whether every tensor is given and float32 (what the project's float kernels take). */
export function float32(...tensors: (TensorInfo | undefined)[]): boolean {
  return tensors.every((t) => t !== undefined && t.dtype === "float32");
}

/** Product of a shape's entries. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
