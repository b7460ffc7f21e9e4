/**
 * Checkpoints: every weight of the model (batch-norm statistics included), the optimizer's
 * velocity, and the run's progress, in one binary file written atomically.
 *
 * Layout: the 8 bytes "NCCKPT1\n", a little-endian uint32 header length, the JSON header
 * ({ state, tensors: [{ shape }] }), then the float32 values of every tensor in header order.
 * Tensors are matched by position and checked by shape on load, so a checkpoint only loads into the
 * architecture that wrote it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.ts";

const MAGIC = "NCCKPT1\n";

/** A checkpoint that cannot be read or does not fit the model. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** The tensors a checkpoint holds, in order. */
export function checkpointTensors(model: tf.LayersModel, velocity: readonly tf.Variable[]): tf.Tensor[] {
  return [...model.weights.map((w) => w.read()), ...velocity];
}

/**
 * Writes the tensors and a JSON-serialisable state to `path` atomically. Asynchronous: the webgpu
 * backend cannot read tensors synchronously under Deno.
 *
 * @example
 * ```ts
 * await saveCheckpoint("runs/x/checkpoint.bin", checkpointTensors(net.model, sgd.velocity), { epoch: 3 });
 * ```
 */
export async function saveCheckpoint(path: string, tensors: readonly tf.Tensor[], state: unknown): Promise<void> {
  const header = new TextEncoder().encode(JSON.stringify({ state, tensors: tensors.map((t) => ({ shape: t.shape })) }));
  const total = tensors.reduce((a, t) => a + t.size, 0);
  const bytes = new Uint8Array(MAGIC.length + 4 + header.length + 4 * total);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, header.length, true);
  bytes.set(header, MAGIC.length + 4);
  const offset = MAGIC.length + 4 + header.length;
  const values = new Float32Array(total);
  let at = 0;
  for (const t of tensors) {
    values.set(await t.data() as Float32Array, at);
    at += t.size;
  }
  bytes.set(new Uint8Array(values.buffer), offset);
  writeFileAtomic(path, bytes, "checkpoint-write");
}

/**
 * Reads a checkpoint into `tensors` (variables, assigned in place) and returns its state.
 *
 * @example
 * ```ts
 * const state = loadCheckpoint(path, checkpointTensors(net.model, sgd.velocity) as tf.Variable[]);
 * ```
 */
export function loadCheckpoint<State>(path: string, variables: readonly tf.Tensor[]): State {
  if (!existsSync(path)) throw new CheckpointError(`${path}: checkpoint not found`);
  const bytes = readFileSync(path);
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new CheckpointError(`${path}: not a checkpoint (bad magic)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLength))) as {
    state: State;
    tensors: { shape: number[] }[];
  };
  if (header.tensors.length !== variables.length) {
    throw new CheckpointError(
      `${path}: holds ${header.tensors.length} tensors, the model and optimizer have ${variables.length}`,
    );
  }
  const dataStart = start + headerLength;
  const total = header.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  if (bytes.length !== dataStart + 4 * total) {
    throw new CheckpointError(`${path}: truncated (${bytes.length} bytes, expected ${dataStart + 4 * total})`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + bytes.length));
  let at = 0;
  header.tensors.forEach(({ shape }, i) => {
    const target = variables[i] as tf.Variable;
    if (shape.join("x") !== target.shape.join("x")) {
      throw new CheckpointError(
        `${path}: tensor ${i} has shape [${shape}], the model expects [${target.shape}] (different architecture)`,
      );
    }
    const size = shape.reduce((x, y) => x * y, 1);
    tf.tidy(() => target.assign(tf.tensor(values.subarray(at, at + size), shape)));
    at += size;
  });
  return header.state;
}

/**
 * Checks that a checkpoint file is whole (magic, header and data length) without a model, and
 * returns its state.
 *
 * @example
 * ```ts
 * verifyCheckpoint("runs/x/checkpoint.bin").epoch;
 * ```
 */
export function verifyCheckpoint<State>(path: string): State {
  const bytes = readFileSync(path);
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new CheckpointError(`${path}: not a checkpoint (bad magic)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLength))) as {
    state: State;
    tensors: { shape: number[] }[];
  };
  const total = header.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  if (bytes.length !== start + headerLength + 4 * total) throw new CheckpointError(`${path}: truncated`);
  return header.state;
}
