/** Files of the hostile-input catalogue: data files, archives and run directories, bad on purpose. */
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync, gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { normalizeTrainConfig } from "../../lib/training/config.ts";
import { runId } from "../../lib/training/run_id.ts";

/** Writes `data` at `dir/name` (making its folders) and returns the path. */
export function file(dir: string, name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** A JSON file. */
export const json = (dir: string, name: string, value: unknown) => file(dir, name, JSON.stringify(value));

function idx(dims: number[], data: number[]): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x0800 + dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return new Uint8Array([...new Uint8Array(header.buffer), ...data]);
}

/** An MNIST-family directory whose training images are `size`×`size` and labels as given. */
export function mnistDir(
  dir: string,
  options: { size?: number; labels?: number[]; truncate?: boolean; corrupt?: boolean } = {},
): string {
  const { size = 28, labels = [0, 1, 2, 3], truncate = false } = options;
  const images = idx([labels.length, size, size], new Array(labels.length * size * size).fill(7));
  file(dir, "train-images-idx3-ubyte.gz", gzipSync(truncate ? images.subarray(0, images.length - 100) : images));
  if (options.corrupt) file(dir, "train-images-idx3-ubyte.gz", new Uint8Array([0x1f, 0x8b, 1, 2, 3]));
  file(dir, "train-labels-idx1-ubyte", idx([labels.length], labels));
  file(dir, "t10k-images-idx3-ubyte", idx([2, size, size], new Array(2 * size * size).fill(1)));
  file(dir, "t10k-labels-idx1-ubyte", idx([2], [0, 1]));
  return dir;
}

/** CIFAR-10 binary batches one record short of whole. */
export function truncatedCifar(dir: string): string {
  for (let b = 1; b <= 5; b++) file(dir, `data_batch_${b}.bin`, new Uint8Array(3073 * 2 - 10));
  file(dir, "test_batch.bin", new Uint8Array(3073));
  return dir;
}

/** A version-1.0 `.npy` file of float64 (`<f8`) or int64 (`<i8`) values. */
export function npyBytes(shape: number[], values: number[], descr: "<f8" | "<i8" = "<f8"): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`.padEnd(117) + "\n";
  const head = new Uint8Array(10 + text.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, text.length, true);
  head.set(new TextEncoder().encode(text), 10);
  const body = descr === "<f8" ? new Float64Array(values) : BigInt64Array.from(values, BigInt);
  return Buffer.concat([head, new Uint8Array(body.buffer)]);
}

/** A `.npy` file (see {@link npyBytes}). */
export const npy = (dir: string, name: string, shape: number[], values: number[], descr: "<f8" | "<i8" = "<f8") =>
  file(dir, name, npyBytes(shape, values, descr));

/**
 * `nc metrics` arguments over `.npy` arrays of 6 samples, 3 classes, 2 dimensions in `dir`;
 * `override` replaces one file (by flag name: features, labels, weights, bias).
 */
export function npyMetrics(dir: string, override: Record<string, string> = {}): string[] {
  const paths = {
    features: npy(dir, "features.npy", [6, 2], [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 2, 2]),
    labels: npy(dir, "labels.npy", [6], [0, 1, 2, 0, 1, 2], "<i8"),
    weights: npy(dir, "W.npy", [3, 2], [1, 0, 0, 1, 1, 1]),
    ...override,
  };
  return ["metrics", ...Object.entries(paths).flatMap(([k, v]) => [`--${k}`, v])];
}

/** An `.npz` (zip) archive of members `name → bytes`, each deflated or stored. */
export function npz(dir: string, name: string, members: Record<string, Uint8Array>, deflate = false): string {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [], directory: Uint8Array[] = [];
  let offset = 0;
  for (const [member, raw] of Object.entries(members)) {
    const data = deflate ? deflateRawSync(raw) : raw, nameBytes = encoder.encode(`${member}.npy`);
    const local = new Uint8Array(30 + nameBytes.length), l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(8, deflate ? 8 : 0, true);
    l.setUint32(18, data.length, true);
    l.setUint32(22, raw.length, true);
    l.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length), c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(10, deflate ? 8 : 0, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, raw.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    parts.push(local, data);
    directory.push(central);
    offset += local.length + data.length;
  }
  const dirSize = directory.reduce((n, d) => n + d.length, 0);
  const end = new Uint8Array(22), e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, directory.length, true);
  e.setUint16(10, directory.length, true);
  e.setUint32(12, dirSize, true);
  e.setUint32(16, offset, true);
  return file(dir, name, Buffer.concat([...parts, ...directory, end]));
}

/** A one-entry ustar archive (gzipped) whose entry is `name`, a file of `data`; returns its path and MD5. */
export function tarGz(dir: string, path: string, name: string, data: Uint8Array): { path: string; md5: string } {
  const header = new Uint8Array(512);
  const put = (text: string, at: number) => header.set(new TextEncoder().encode(text), at);
  put(name, 0);
  put("0000644\0", 100);
  put(data.length.toString(8).padStart(11, "0") + "\0", 124);
  put("ustar\0", 257);
  header[156] = 48;
  header.fill(32, 148, 156);
  put(header.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ", 148);
  const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
  padded.set(data);
  const bytes = gzipSync(Buffer.concat([header, padded, new Uint8Array(1024)]));
  return { path: file(dir, path, bytes), md5: createHash("md5").update(bytes).digest("hex") };
}

/** A run directory written by hand whose `damaged` file holds text that is not JSON. */
export function damagedRun(dir: string, damaged: "status.json" | "config.json" | "metrics.jsonl"): string {
  json(dir, "config.json", { dataset: "synthetic" });
  json(dir, "status.json", { state: "done", epoch: 1, backend: "cpu" });
  file(dir, "metrics.jsonl", JSON.stringify({ epoch: 1, nc1: 1 }) + "\n");
  file(dir, damaged, '{"state": "do');
  return dir;
}

/** A run directory written by hand, whole. */
export function goodRun(dir: string): string {
  json(dir, "config.json", { dataset: "synthetic", loss: { name: "ce" } });
  json(dir, "status.json", { state: "done", epoch: 1, backend: "cpu" });
  file(dir, "metrics.jsonl", JSON.stringify({ epoch: 1, nc1: 1, testAccuracy: 0.5 }) + "\n");
  return dir;
}

/** A small run: a Gaussian mixture and a batch-norm MLP, about 0.05 s an epoch on wasm. */
export const TINY = {
  dataset: "synthetic",
  synthetic: { numClasses: 3, dim: 8, trainPerClass: 60, testPerClass: 20, separation: 3 },
  model: "mlp",
  width: 16,
  depth: 2,
  batchNorm: true,
  epochs: 5,
  batchSize: 20,
  loss: { name: "fl", gamma: 3 },
  seed: 4,
};

/** The directory of `config`'s run in `runsDir`. */
export const runDirOf = (runsDir: string, config: unknown) => join(runsDir, runId(normalizeTrainConfig(config)));

/** Writes a run's lock as a process `pid` of `host` left it, its heartbeat `ageS` seconds old. */
export function leaveLock(runDir: string, owner: { pid: number; host: string }, ageS = 0): void {
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, "lock");
  writeFileSync(path, JSON.stringify({ ...owner, startedAt: new Date(Date.now() - 1000 * ageS).toISOString() }));
  const then = new Date(Date.now() - 1000 * ageS);
  utimesSync(path, then, then);
}

/** A sweep grid file of `runs` small runs (losses × seeds), `epochs` each. */
export function gridFile(dir: string, name: string, options: { epochs: number; seeds: number[]; losses?: unknown[] }) {
  return json(dir, name, {
    base: {
      dataset: "synthetic",
      synthetic: { numClasses: 3, dim: 8, trainPerClass: 80, testPerClass: 20, separation: 3 },
      depth: 2,
      batchSize: 40,
    },
    losses: options.losses ?? [{ name: "ce" }],
    widths: [16],
    epochs: [options.epochs],
    seeds: options.seeds,
  });
}
