import { afterAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DataError } from "../../lib/data/dataset.ts";
import { loadMnistFamily, readIdx, readIdxSplit } from "../../lib/data/idx.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX file of unsigned bytes with the given dimensions. */
function idx(dims: number[], data: number[], magic = 0x0800 + dims.length): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, magic);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return new Uint8Array([...new Uint8Array(header.buffer), ...data]);
}

function write(name: string, bytes: Uint8Array, gzip = false): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, gzip ? gzipSync(bytes) : bytes);
  return path;
}

const IMAGES = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 10);

describe("readIdx", () => {
  test("reads raw and gzipped files alike", () => {
    const raw = readIdx(write("a/raw-idx3-ubyte", idx([3, 2, 2], IMAGES)));
    const gz = readIdx(write("a/gz-idx3-ubyte.gz", idx([3, 2, 2], IMAGES), true));
    expect(raw.dims).toEqual([3, 2, 2]);
    expect([...raw.data]).toEqual(IMAGES);
    expect([...gz.data]).toEqual(IMAGES);
  });

  test.each([
    ["a wrong magic number", idx([3], [1, 2, 3], 0x0d03), /wrong magic number 0x00000d03/],
    ["a truncated header", new Uint8Array([0, 0, 8, 3, 0, 0]), /truncated: header needs 16 bytes/],
    [
      "truncated data",
      idx([3, 2, 2], IMAGES.slice(0, 7)),
      /truncated: dimensions 3×2×2 need 12 data bytes, file has 7/,
    ],
    ["trailing bytes", idx([2], [1, 2, 3]), /1 unexpected bytes after the data/],
  ])("rejects %s, naming the file", (_, bytes, message) => {
    const path = write(`bad-${Math.random()}`, bytes);
    expect(() => readIdx(path)).toThrow(DataError);
    expect(() => readIdx(path)).toThrow(message);
    expect(() => readIdx(path)).toThrow(path);
  });

  test("rejects a missing file and corrupt gzip data", () => {
    expect(() => readIdx(join(dir, "absent"))).toThrow(/absent: file not found/);
    const path = write("corrupt.gz", new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    expect(() => readIdx(path)).toThrow(/corrupt gzip data/);
  });
});

describe("readIdxSplit", () => {
  function split(sub: string, images: number, labels: number[]) {
    write(
      `${sub}/train-images-idx3-ubyte.gz`,
      idx([images, 2, 2], Array.from({ length: images * 4 }, (_, i) => i % 256)),
      true,
    );
    write(`${sub}/train-labels-idx1-ubyte`, idx([labels.length], labels));
    return join(dir, sub);
  }

  test("pairs images with labels as 28×28×1-style samples", () => {
    const d = readIdxSplit(split("ok", 3, [0, 9, 4]), "train", "tiny");
    expect(d.sampleShape).toEqual([2, 2, 1]);
    expect([...d.labels]).toEqual([0, 9, 4]);
    expect(d.inputs.length).toBe(12);
  });

  test("rejects an image/label count mismatch and labels out of range", () => {
    expect(() => readIdxSplit(split("mismatch", 3, [0, 1]), "train", "x")).toThrow(
      /holds 3 images but .* holds 2 labels/,
    );
    expect(() => readIdxSplit(split("range", 2, [0, 10]), "train", "x")).toThrow(
      /label 10 at position 1 is outside \[0, 10\)/,
    );
    expect(() => readIdxSplit(join(dir, "nowhere"), "train", "x")).toThrow(
      /train-images-idx3-ubyte\(\.gz\): file not found/,
    );
  });
});

test("reads the official Fashion-MNIST files (installed by the set-up)", () => {
  const { train, test } = loadMnistFamily();
  expect(train.labels.length).toBe(60000);
  expect(test.labels.length).toBe(10000);
  expect(train.sampleShape).toEqual([28, 28, 1]);
  const counts = new Array(10).fill(0);
  for (const y of test.labels) counts[y]++;
  expect(counts).toEqual(new Array(10).fill(1000));
});
