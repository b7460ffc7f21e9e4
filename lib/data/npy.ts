/**
 * NumPy's array files, read without loading them whole: `.npy` (format versions 1–3) and `.npz`
 * archives of them (`np.savez`; members of `np.savez_compressed` archives are inflated in memory).
 * Little- and big-endian floats (f2, f4, f8; half precision decoded exactly), signed and unsigned integers of any width and booleans;
 * C or Fortran order. Rows are read in chunks with positioned reads, so the memory a pass over an
 * N×d array needs is one chunk, not N×d.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { constants as zlib, inflateRawSync } from "node:zlib";
import { DataError } from "./dataset.ts";
import { float16ToNumber } from "./float16.ts";

/** Where an array's bytes are: a file and an offset in it, or bytes in memory. */
type Source = { fd: number; offset: number; end: number } | { bytes: Uint8Array };

/** An array in a `.npy` file or `.npz` member: its layout, and its rows on demand. */
export interface NpyArray {
  /** What it was read from (file, and member for `.npz`), for messages. */
  readonly name: string;
  readonly shape: readonly number[];
  /** NumPy's type string, for example `<f4`. */
  readonly descr: string;
  readonly fortranOrder: boolean;
  /**
   * Rows `start` … `start + count − 1` of a 1-D or 2-D array, row-major, as float64. With `into`
   * (at least count × row length long), the rows are written there and a view of it is returned:
   * a pass over a large array then reuses one buffer.
   */
  rows(start: number, count: number, into?: Float64Array): Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Reads bytes into `scratch` when it is large enough (reused across calls), else into a new buffer. */
function read(source: Source, position: number, length: number, name: string, scratch?: Uint8Array): Uint8Array {
  if ("bytes" in source) {
    if (position + length > source.bytes.length) {
      throw new DataError(`${name}: truncated (needs ${position + length} bytes, has ${source.bytes.length})`);
    }
    return source.bytes.subarray(position, position + length);
  }
  const at = source.offset + position;
  if (at + length > source.end) {
    throw new DataError(`${name}: truncated (needs ${at + length} bytes, has ${source.end})`);
  }
  const buffer = scratch && scratch.length >= length ? scratch.subarray(0, length) : new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(source.fd, buffer, done, length - done, at + done);
    if (n === 0) throw new DataError(`${name}: truncated while reading`);
    done += n;
  }
  return buffer;
}

type Reader = {
  size: number;
  get: (view: DataView, at: number) => number;
  /** A typed view of aligned little-endian bytes, copied into float64 without boxing each value. */
  view?: (bytes: Uint8Array) => ArrayLike<number>;
};

function elementReader(descr: string, name: string): Reader {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new DataError(`${name}: unsupported dtype ${JSON.stringify(descr)} (floats, integers or booleans)`);
  const little = m[1] !== ">";
  const kind = m[2], size = Number(m[3]);
  const readers: Record<string, (v: DataView, at: number) => number> = {
    f2: (v, at) => float16ToNumber(v.getUint16(at, little)),
    f4: (v, at) => v.getFloat32(at, little),
    f8: (v, at) => v.getFloat64(at, little),
    i1: (v, at) => v.getInt8(at),
    i2: (v, at) => v.getInt16(at, little),
    i4: (v, at) => v.getInt32(at, little),
    i8: (v, at) => Number(v.getBigInt64(at, little)),
    u1: (v, at) => v.getUint8(at),
    u2: (v, at) => v.getUint16(at, little),
    u4: (v, at) => v.getUint32(at, little),
    u8: (v, at) => Number(v.getBigUint64(at, little)),
    b1: (v, at) => v.getUint8(at),
  };
  const typed: Record<string, new (buffer: ArrayBufferLike, offset: number, length: number) => ArrayLike<number>> = {
    f4: Float32Array,
    f8: Float64Array,
    i1: Int8Array,
    i2: Int16Array,
    i4: Int32Array,
    u1: Uint8Array,
    u2: Uint16Array,
    u4: Uint32Array,
    b1: Uint8Array,
  };
  const key = `${kind}${size}`;
  const get = readers[key];
  if (!get) throw new DataError(`${name}: unsupported dtype ${JSON.stringify(descr)}`);
  const Typed = typed[key];
  const view = Typed && (little || size === 1)
    ? (bytes: Uint8Array) => new Typed(bytes.buffer, bytes.byteOffset, bytes.byteLength / size)
    : undefined;
  return { size, get, view };
}

/** Decodes `bytes` (values of `reader`'s type) into `out` from index `at` with stride `stride`. */
function decode(reader: Reader, bytes: Uint8Array, out: Float64Array, at = 0, stride = 1): void {
  const count = bytes.byteLength / reader.size;
  if (reader.view && bytes.byteOffset % reader.size === 0) {
    const values = reader.view(bytes);
    if (stride === 1) out.set(values, at);
    else for (let i = 0; i < count; i++) out[at + i * stride] = values[i];
    return;
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[at + i * stride] = reader.get(v, i * reader.size);
}

/** The header of an array at `source`: its dtype, order, shape, and where its data starts. */
function parseHeader(source: Source, name: string) {
  const head = read(source, 0, 10, name);
  if (!MAGIC.every((b, i) => head[i] === b)) throw new DataError(`${name}: not a NumPy .npy array (bad magic)`);
  const major = head[6];
  if (major < 1 || major > 3) throw new DataError(`${name}: unsupported .npy format version ${major}.${head[7]}`);
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const long = read(source, 8, 4, name);
  const headerLength = major === 1
    ? view.getUint16(8, true)
    : new DataView(long.buffer, long.byteOffset, 4).getUint32(0, true);
  const start = 8 + lengthBytes;
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(read(source, start, headerLength, name));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DataError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new DataError(`${name}: malformed shape (${shapeText})`);
  const reader = elementReader(descr, name);
  const total = shape.reduce((a, b) => a * b, 1);
  return {
    descr,
    fortran,
    shape,
    reader,
    data: start + headerLength,
    total,
    bytes: start + headerLength + total * reader.size,
  };
}

/** Parses the header of an array at `source` and returns the array. */
function openArray(source: Source, name: string): NpyArray {
  const { descr, fortran, shape, reader, data, total } = parseHeader(source, name);
  const { size } = reader;
  read(source, data + total * size - (total > 0 ? 1 : 0), total > 0 ? 1 : 0, name); // the last byte exists
  const fortranOrder = fortran === "True";
  const [n, d] = [shape[0] ?? 1, shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : 1];
  let scratch = new Uint8Array(0);
  const bytesOf = (position: number, length: number) => {
    if (scratch.length < length) scratch = new Uint8Array(length);
    return read(source, position, length, name, scratch);
  };
  return {
    name,
    shape,
    descr,
    fortranOrder,
    rows(first, count, into) {
      if (first < 0 || count < 0 || first + count > n) {
        throw new RangeError(`${name}: rows ${first}…${first + count} of ${n}`);
      }
      const out = into && into.length >= count * d ? into.subarray(0, count * d) : new Float64Array(count * d);
      if (!fortranOrder || d === 1) decode(reader, bytesOf(data + first * d * size, count * d * size), out);
      else {
        // Column-major: one positioned read per column of the chunk.
        for (let j = 0; j < d; j++) decode(reader, bytesOf(data + (j * n + first) * size, count * size), out, j, d);
      }
      return out;
    },
  };
}

/** An open `.npy` file, or the members of an `.npz` archive, by name (without `.npy`). */
export interface NpyFile {
  readonly arrays: ReadonlyMap<string, NpyArray>;
  close(): void;
}

/**
 * A deflated `.npz` member, inflated in memory to no more than its array needs: its `.npy` header
 * (from the first inflated bytes) states shape × dtype, and inflating stops, with an error, at that
 * size, so a small archive cannot claim gigabytes of memory.
 */
function inflateMember(raw: Uint8Array, name: string): Uint8Array {
  try {
    const head = inflateRawSync(raw.subarray(0, Math.min(raw.length, 1 << 12)), { finishFlush: zlib.Z_SYNC_FLUSH });
    const { bytes: expected } = parseHeader({ bytes: head }, name);
    try {
      return inflateRawSync(raw, { maxOutputLength: Math.max(1, expected) });
    } catch (error) {
      if ((error as { code?: string }).code !== "ERR_BUFFER_TOO_LARGE") throw error;
      throw new DataError(
        `${name}: inflates to more than the ${expected} bytes its header states (shape × dtype); refused`,
      );
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`${name}: does not inflate: ${(error as Error).message}`);
  }
}

function zipMembers(fd: number, size: number, file: string): Map<string, Source> {
  const tail = Math.min(size, 65557);
  const end = new Uint8Array(tail);
  readSync(fd, end, 0, tail, size - tail);
  let at = -1;
  for (let i = tail - 22; i >= 0; i--) {
    if (end[i] === 0x50 && end[i + 1] === 0x4b && end[i + 2] === 0x05 && end[i + 3] === 0x06) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new DataError(`${file}: not a .npz (zip) archive: no end of central directory`);
  const e = new DataView(end.buffer, at);
  const entries = e.getUint16(10, true), dirSize = e.getUint32(12, true), dirOffset = e.getUint32(16, true);
  if (dirOffset + dirSize > size) {
    throw new DataError(`${file}: truncated .npz archive (central directory past the end)`);
  }
  if (46 * entries > dirSize) {
    throw new DataError(
      `${file}: corrupt .npz archive (${entries} entries cannot fit a ${dirSize}-byte central directory)`,
    );
  }
  const dir = new Uint8Array(dirSize);
  readSync(fd, dir, 0, dirSize, dirOffset);
  const v = new DataView(dir.buffer);
  const members = new Map<string, Source>();
  for (let i = 0, p = 0; i < entries; i++) {
    if (p + 46 > dirSize || v.getUint32(p, true) !== 0x02014b50) {
      throw new DataError(`${file}: corrupt .npz central directory (entry ${i + 1} of ${entries})`);
    }
    const method = v.getUint16(p + 10, true);
    const compressed = v.getUint32(p + 20, true);
    const nameLength = v.getUint16(p + 28, true), extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true), local = v.getUint32(p + 42, true);
    const name = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    const header = new Uint8Array(30);
    readSync(fd, header, 0, 30, local);
    const h = new DataView(header.buffer);
    if (h.getUint32(0, true) !== 0x04034b50) throw new DataError(`${file}: corrupt .npz member ${name}`);
    const offset = local + 30 + h.getUint16(26, true) + h.getUint16(28, true);
    if (offset + compressed > size) throw new DataError(`${file}: member ${name} is truncated`);
    const key = name.replace(/\.npy$/, "");
    if (method === 0) members.set(key, { fd, offset, end: offset + compressed });
    else if (method === 8) {
      const raw = new Uint8Array(compressed);
      readSync(fd, raw, 0, compressed, offset);
      members.set(key, { bytes: inflateMember(raw, `${file}:${key}`) });
    } else throw new DataError(`${file}: member ${name} uses zip method ${method} (stored or deflated only)`);
  }
  return members;
}

/**
 * Opens a `.npy` file (one array, named after the file) or a `.npz` archive (its members).
 *
 * @example
 * ```ts ignore (needs a .npz file)
 * const file = openNpy("features.npz");
 * const features = file.arrays.get("features")!;
 * features.rows(0, 128); // the first 128 rows, float64, row-major
 * file.close();
 * ```
 */
export function openNpy(path: string): NpyFile {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new DataError(`${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) {
      throw new DataError(`${path}: is a directory, not a ${path.endsWith(".npz") ? ".npz" : ".npy"} file`);
    }
    const size = stat.size;
    const arrays = new Map<string, NpyArray>();
    if (path.endsWith(".npz")) {
      for (const [name, source] of zipMembers(fd, size, path)) arrays.set(name, openArray(source, `${path}:${name}`));
    } else {
      const name = path.split("/").at(-1)!.replace(/\.npy$/, "");
      arrays.set(name, openArray({ fd, offset: 0, end: size }, path));
    }
    return { arrays, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}
