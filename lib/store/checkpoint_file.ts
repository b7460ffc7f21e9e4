/**
 * The checkpoint file format: arrays of float32 values with their shapes and a JSON header, in one
 * binary file written atomically. What the arrays and the header mean is the writer's business.
 *
 * Layout: the 8 bytes "NCCKPT1\n", a little-endian uint32 header length, the JSON header
 * ({ ...header, tensors: [{ shape }] }), then the float32 values of every array in header order.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.ts";

const MAGIC = "NCCKPT1\n";

/** A checkpoint that cannot be read or does not fit the model. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/** An array of a checkpoint: its shape and its values (row-major). */
export interface CheckpointArray {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A checkpoint as read: the header (without its `tensors` list) and the arrays in order. */
export interface CheckpointContents<Header> {
  readonly header: Header;
  readonly arrays: CheckpointArray[];
}

const sizeOf = (shape: readonly number[]) => shape.reduce((x, y) => x * y, 1);

/**
 * Writes `arrays` and a JSON-serialisable header to `path` atomically.
 *
 * @example
 * ```ts
 * const path = `${Deno.makeTempDirSync()}/checkpoint.bin`;
 * writeCheckpointFile(path, { epoch: 3 }, [{ shape: [2], values: Float32Array.of(1, 2) }]);
 * readCheckpointHeader<{ epoch: number }>(path).epoch; // 3
 * ```
 */
export function writeCheckpointFile(path: string, header: object, arrays: readonly CheckpointArray[]): void {
  const json = new TextEncoder().encode(
    JSON.stringify({ ...header, tensors: arrays.map((a) => ({ shape: a.shape })) }),
  );
  const total = arrays.reduce((n, a) => n + a.values.length, 0);
  const bytes = new Uint8Array(MAGIC.length + 4 + json.length + 4 * total);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(MAGIC.length, json.length, true);
  bytes.set(json, MAGIC.length + 4);
  const values = new Float32Array(total);
  let at = 0;
  for (const a of arrays) {
    values.set(a.values, at);
    at += a.values.length;
  }
  bytes.set(new Uint8Array(values.buffer), MAGIC.length + 4 + json.length);
  writeFileAtomic(path, bytes, "checkpoint-write");
}

/** Magic, header and length checks; the header and where the values start. */
function parse<Header>(path: string): { header: Header; shapes: number[][]; bytes: Uint8Array; dataStart: number } {
  if (!existsSync(path)) throw new CheckpointError(`${path}: checkpoint not found`);
  const bytes = readFileSync(path);
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new CheckpointError(`${path}: not a checkpoint (bad magic)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  const { tensors, ...header } = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLength))) as {
    tensors: { shape: number[] }[];
  };
  const shapes = tensors.map((t) => t.shape);
  const dataStart = start + headerLength;
  const expected = dataStart + 4 * shapes.reduce((n, s) => n + sizeOf(s), 0);
  if (bytes.length !== expected) {
    throw new CheckpointError(`${path}: truncated (${bytes.length} bytes, expected ${expected})`);
  }
  return { header: header as Header, shapes, bytes, dataStart };
}

/**
 * Reads a whole checkpoint file: its header and every array.
 *
 * @example
 * ```ts
 * const path = `${Deno.makeTempDirSync()}/checkpoint.bin`;
 * writeCheckpointFile(path, { epoch: 1 }, [{ shape: [1, 2], values: Float32Array.of(5, 6) }]);
 * readCheckpointFile(path).arrays[0].shape; // [1, 2]
 * ```
 */
export function readCheckpointFile<Header>(path: string): CheckpointContents<Header> {
  const { header, shapes, bytes, dataStart } = parse<Header>(path);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + bytes.length));
  let at = 0;
  const arrays = shapes.map((shape) => {
    const size = sizeOf(shape);
    const array = { shape, values: values.subarray(at, at + size) };
    at += size;
    return array;
  });
  return { header, arrays };
}

/**
 * Checks that a checkpoint file is whole (magic, header and data length) and returns its header,
 * without reading the arrays into memory.
 */
export function readCheckpointHeader<Header>(path: string): Header {
  return parse<Header>(path).header;
}
