/**
 * The checkpoint file format: arrays of float32 values with their shapes and a JSON header, in one
 * binary file written atomically. What the arrays and the header mean is the writer's business.
 *
 * Layout: the 8 bytes "NCCKPT2\n", a little-endian uint32 header length, the JSON header
 * ({ ...header, tensors: [{ shape }] }), the float32 values of every array in header order, then
 * the 32-byte SHA-256 of everything before it. A file whose checksum does not match (a flipped bit,
 * weights overwritten in place) is refused as damaged, so no run continues from corrupt weights.
 *
 * Files of format 1 ("NCCKPT1\n", written by earlier versions) have no checksum: they are read as
 * before, trusted as whole when their length matches their header.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.ts";
import { asStorageError } from "./storage_error.ts";

const MAGIC = "NCCKPT2\n";
/** The magic of format 1, without a checksum. */
const MAGIC_V1 = "NCCKPT1\n";
/** Bytes of the SHA-256 checksum at the end of a format-2 file. */
const CHECKSUM_BYTES = 32;

/** A checkpoint that cannot be read or does not fit the model. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}

/**
 * A checkpoint file that is damaged (bad magic, truncated, an unreadable header, a checksum that
 * does not match): its contents cannot be trusted, and a run starts again rather than resume from it.
 */
export class DamagedCheckpointError extends CheckpointError {}

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash("sha256").update(bytes).digest());

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
  const bytes = new Uint8Array(MAGIC.length + 4 + json.length + 4 * total + CHECKSUM_BYTES);
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
  const end = bytes.length - CHECKSUM_BYTES;
  bytes.set(sha256(bytes.subarray(0, end)), end);
  writeFileAtomic(path, bytes, "checkpoint-write");
}

/** Magic, checksum, header and length checks; the header and where the values start. */
function parse<Header>(path: string): { header: Header; shapes: number[][]; bytes: Uint8Array; dataStart: number } {
  if (!existsSync(path)) throw new CheckpointError(`${path}: checkpoint not found`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw asStorageError(error, path, "read");
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC && magic !== MAGIC_V1) throw new DamagedCheckpointError(`${path}: not a checkpoint (bad magic)`);
  const checksum = magic === MAGIC ? CHECKSUM_BYTES : 0;
  if (bytes.length < MAGIC.length + 4 + checksum) throw new DamagedCheckpointError(`${path}: truncated`);
  if (checksum > 0) {
    const end = bytes.length - checksum;
    if (!sha256(bytes.subarray(0, end)).every((b, i) => b === bytes[end + i])) {
      throw new DamagedCheckpointError(`${path}: damaged (its SHA-256 checksum does not match its contents)`);
    }
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  let parsed: { tensors: { shape: number[] }[] };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLength)));
    if (!Array.isArray(parsed.tensors) || !parsed.tensors.every((t) => Array.isArray(t?.shape))) {
      throw new Error("no tensors");
    }
  } catch (error) {
    throw new DamagedCheckpointError(`${path}: damaged header (${(error as Error).message})`);
  }
  const { tensors, ...header } = parsed;
  const shapes = tensors.map((t) => t.shape);
  const dataStart = start + headerLength;
  const expected = dataStart + 4 * shapes.reduce((n, s) => n + sizeOf(s), 0) + checksum;
  if (bytes.length !== expected) {
    throw new DamagedCheckpointError(`${path}: truncated (${bytes.length} bytes, expected ${expected})`);
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
  const dataEnd = bytes.length - (bytes[6] === MAGIC.charCodeAt(6) ? CHECKSUM_BYTES : 0);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + dataEnd));
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
 * Checks that a checkpoint file is whole (magic, checksum, header and data length) and returns its
 * header, without decoding the arrays.
 */
export function readCheckpointHeader<Header>(path: string): Header {
  return parse<Header>(path).header;
}
