import { afterAll, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCifar10, loadCifar100 } from "../../lib/data/cifar.ts";
import { DataError } from "../../lib/data/dataset.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-cifar-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One record: label bytes, then channel-major pixels where pixel value = (channel·7 + position) mod 256. */
function record(labels: number[], seed: number): number[] {
  const pixels = Array.from({ length: 3072 }, (_, i) => (Math.floor(i / 1024) * 7 + (i % 1024) + seed) % 256);
  return [...labels, ...pixels];
}

function writeFile(sub: string, name: string, records: number[][]) {
  mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, sub, name), new Uint8Array(records.flat()));
}

describe("CIFAR-10 binary", () => {
  const sub = "c10";
  for (let b = 1; b <= 5; b++) writeFile(sub, `data_batch_${b}.bin`, [record([b], b), record([9], 0)]);
  writeFile(sub, "test_batch.bin", [record([3], 42)]);

  test("reads every batch, labels and HWC pixels", () => {
    const { train, test } = loadCifar10(join(dir, sub));
    expect(train.labels.length).toBe(10);
    expect([...train.labels.slice(0, 4)]).toEqual([1, 9, 2, 9]);
    expect(test.sampleShape).toEqual([32, 32, 3]);
    // Pixel (row 1, column 2), channel 2 of the test record: channel-major index 2·1024 + 34.
    expect(test.inputs[(1 * 32 + 2) * 3 + 2]).toBe((2 * 7 + 34 + 42) % 256);
  });

  test("rejects a truncated batch, a missing batch and a label out of range", () => {
    writeFile("c10-trunc", "test_batch.bin", [record([1], 0).slice(0, 3000)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(/data_batch_1\.bin: file not found/);
    for (let b = 1; b <= 5; b++) writeFile("c10-trunc", `data_batch_${b}.bin`, [record([0], 0)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(
      /test_batch\.bin: 3000 bytes is not a whole number of 3073-byte records/,
    );
    writeFile("c10-trunc", "test_batch.bin", [record([10], 0)]);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(DataError);
    expect(() => loadCifar10(join(dir, "c10-trunc"))).toThrow(/record 0 has label 10, outside \[0, 10\)/);
  });
});

describe("CIFAR-100 binary", () => {
  writeFile("c100", "train.bin", [record([3, 77], 1), record([19, 99], 2)]);
  writeFile("c100", "test.bin", [record([0, 5], 3)]);

  test("uses fine labels by default and coarse ones on request", () => {
    expect([...loadCifar100(join(dir, "c100")).train.labels]).toEqual([77, 99]);
    expect(loadCifar100(join(dir, "c100")).train.numClasses).toBe(100);
    expect([...loadCifar100(join(dir, "c100"), { labels: "coarse" }).train.labels]).toEqual([3, 19]);
  });
});

/** The fixtures' pixel formula (tests/fixtures/cifar/make_fixtures.py): image g, channel c, position p. */
const pixel = (g: number, c: number, p: number) => (31 * g + 7 * c + p) % 256;
const FIXTURES = join(import.meta.dirname!, "../fixtures/cifar");

/** Every pixel of images first… as HWC, from the formula. */
function expectedHwc(first: number, count: number): Uint8Array {
  const out = new Uint8Array(count * 3072);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[i * 3072 + p * 3 + c] = pixel(first + i, c, p);
  }
  return out;
}

/** The same images as binary records (label bytes, then the channel-major planes). */
function binaryRecord(labels: number[], g: number): number[] {
  return [...labels, ...Array.from({ length: 3072 }, (_, i) => pixel(g, Math.floor(i / 1024), i % 1024))];
}

describe("the folder a loader takes", () => {
  for (let b = 1; b <= 5; b++) {
    writeFile("holder/cifar-10-batches-bin", `data_batch_${b}.bin`, [record([b], b)]);
  }
  writeFile("holder/cifar-10-batches-bin", "test_batch.bin", [record([3], 42)]);
  writeFile("holder/cifar-100-binary", "train.bin", [record([3, 77], 1)]);
  writeFile("holder/cifar-100-binary", "test.bin", [record([0, 5], 3)]);

  test("is the folder of the files or the folder that nc data unpacked them into", () => {
    const viaHolder = loadCifar10(join(dir, "holder"));
    const direct = loadCifar10(join(dir, "holder", "cifar-10-batches-bin"));
    expect([...viaHolder.train.labels]).toEqual([1, 2, 3, 4, 5]);
    expect(viaHolder.train.inputs).toEqual(direct.train.inputs);
    expect([...loadCifar100(join(dir, "holder")).train.labels]).toEqual([77]);
  });

  test("without any CIFAR files, the error names the file, the folders looked for and the command that downloads it", () => {
    mkdirSync(join(dir, "empty"));
    const load = () => loadCifar10(join(dir, "empty"));
    expect(load).toThrow(DataError);
    expect(load).toThrow(
      `${
        join(dir, "empty", "data_batch_1.bin")
      }: file not found, nor a cifar-10-batches-bin/ or cifar-10-batches-py/ folder in ${
        join(dir, "empty")
      } (\`deno task nc data cifar10 --data-dir ${join(dir, "empty")}\` downloads it; see data/README.md)`,
    );
    // Given the unpacked folder's own name, the command downloads next to it, where it belongs.
    expect(() => loadCifar100(join(dir, "empty", "cifar-100-binary"))).toThrow(
      `\`deno task nc data cifar100 --data-dir ${join(dir, "empty")}\` downloads it`,
    );
  });
});

describe("the python version (torchvision's layout)", () => {
  test("CIFAR-10: labels and every pixel, from the folder holding cifar-10-batches-py or from that folder", () => {
    for (const folder of [FIXTURES, join(FIXTURES, "cifar-10-batches-py")]) {
      const { train, test } = loadCifar10(folder);
      expect([...train.labels]).toEqual(Array.from({ length: 10 }, (_, g) => (3 * g + 1) % 10));
      expect([...test.labels]).toEqual([10, 11].map((g) => (3 * g + 1) % 10));
      expect(train.inputs).toEqual(expectedHwc(0, 10));
      expect(test.inputs).toEqual(expectedHwc(10, 2));
      expect(train.sampleShape).toEqual([32, 32, 3]);
      expect(train.name).toBe("cifar10/train");
    }
  });

  test("CIFAR-100: fine labels by default, coarse on request", () => {
    const fine = [0, 1, 2].map((g) => (37 * g + 5) % 100);
    const { train, test } = loadCifar100(FIXTURES);
    expect([...train.labels]).toEqual(fine);
    expect(train.numClasses).toBe(100);
    expect(train.inputs).toEqual(expectedHwc(0, 3));
    expect(test.inputs).toEqual(expectedHwc(3, 2));
    const coarse = loadCifar100(join(FIXTURES, "cifar-100-python"), { labels: "coarse" }).train;
    expect([...coarse.labels]).toEqual(fine.map((f) => Math.floor(f / 5)));
    expect(coarse.numClasses).toBe(20);
  });

  test("gives the same dataset as the binary version of the same images", () => {
    const label = (g: number) => (3 * g + 1) % 10;
    for (let b = 1; b <= 5; b++) {
      writeFile(
        "same-bin",
        `data_batch_${b}.bin`,
        [0, 1].map((i) => binaryRecord([label(2 * b - 2 + i)], 2 * b - 2 + i)),
      );
    }
    writeFile("same-bin", "test_batch.bin", [10, 11].map((g) => binaryRecord([label(g)], g)));
    expect(loadCifar10(join(dir, "same-bin"))).toEqual(loadCifar10(FIXTURES));
  });

  test("a damaged pickle is one error naming the file, the cause and the binary version's command", () => {
    const bytes = readFileSync(join(FIXTURES, "cifar-10-batches-py", "data_batch_1"));
    writeFile("damaged/cifar-10-batches-py", "data_batch_1", [[...bytes.subarray(0, 3000)]]);
    const load = () => loadCifar10(join(dir, "damaged"));
    expect(load).toThrow(DataError);
    expect(load).toThrow(
      /damaged\/cifar-10-batches-py\/data_batch_1: the file ends inside an opcode's argument \(truncated\)/,
    );
    expect(load).toThrow(
      /the binary version needs no pickle reader: `deno task nc data cifar10 --data-dir .*damaged` downloads it/,
    );
  });
});
