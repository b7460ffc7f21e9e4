import { describe, expect, test } from "vitest";
import { DataError } from "../../lib/data/dataset.ts";
import { type NdArray, readPickle } from "../../lib/data/pickle.ts";

/** Pickle bytes assembled by hand: numbers are bytes, strings their Latin-1 bytes. */
function bytes(...parts: (number | string | number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "number") out.push(part);
    else if (typeof part === "string") out.push(...[...part].map((ch) => ch.charCodeAt(0)));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}
const le32 = (n: number) => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
/** SHORT_BINSTRING, as Python 2 wrote a str. */
const str = (s: string) => bytes("U", s.length, s);

/**
 * A CIFAR batch laid out as Python 2's cPickle (protocol 2) writes the official files: byte-string keys,
 * numpy.core.multiarray._reconstruct with dtype("u1", 0, 1) and its 8-tuple state built from a MARK,
 * the pixels as one BINSTRING, then the labels list; memo entries beyond 255 use LONG_BINPUT.
 */
function python2Batch(pixels: Uint8Array, labels: number[], extra: Uint8Array = new Uint8Array()): Uint8Array {
  const n = pixels.length / 3072;
  return bytes(
    [0x80, 2, 0x7d, 0x71, 1, 0x28], // PROTO 2, EMPTY_DICT, BINPUT 1, MARK
    str("data"),
    [0x71, 2],
    "cnumpy.core.multiarray\n_reconstruct\n",
    [0x71, 3],
    "cnumpy\nndarray\n",
    [0x71, 4, 0x4b, 0, 0x85, 0x71, 5], // (0,)
    str("b"),
    [0x87, 0x71, 6, 0x52, 0x71, 7], // TUPLE3, REDUCE
    [0x28, 0x4b, 1, 0x4d, n & 255, n >> 8, 0x4d, 0x00, 0x0c, 0x86, 0x71, 8], // MARK, 1, (n, 3072)
    "cnumpy\ndtype\n",
    [0x71, 9],
    str("u1"),
    [0x4b, 0, 0x4b, 1, 0x87, 0x52, 0x72, ...le32(300)], // ("u1", 0, 1), REDUCE, LONG_BINPUT 300
    [0x28, 0x4b, 3],
    str("|"),
    [0x4e, 0x4e, 0x4e, 0x4a, ...le32(-1), 0x4a, ...le32(-1), 0x4b, 0, 0x74, 0x62], // …, TUPLE, BUILD
    [0x89, 0x54, ...le32(pixels.length)],
    pixels,
    [0x74, 0x62], // TUPLE (the array's state), BUILD
    str("labels"),
    [0x5d, 0x71, 10, 0x28, ...labels.flatMap((l) => [0x4b, l]), 0x65], // EMPTY_LIST, MARK, …, APPENDS
    extra, // more keys and values
    [0x75, 0x2e], // SETITEMS, STOP
  );
}

describe("readPickle", () => {
  const pixels = Uint8Array.from({ length: 2 * 3072 }, (_, i) => (i * 13) % 256);

  test("reads a CIFAR batch as Python 2 wrote it", () => {
    const value = readPickle(python2Batch(pixels, [3, 9]), "b") as Map<string, unknown>;
    expect([...value.keys()]).toEqual(["data", "labels"]);
    const data = value.get("data") as NdArray;
    expect(data.shape).toEqual([2, 3072]);
    expect(data.data).toEqual(pixels);
    expect(value.get("labels")).toEqual([3, 9]);
  });

  test("refuses a NumPy object other than an array used as a value (the dtype, from the memo)", () => {
    const dtypeAgain = bytes(str("again"), 0x6a, ...le32(300)); // LONG_BINGET 300
    expect(() => readPickle(python2Batch(pixels, [3, 9], dtypeAgain), "b")).toThrow(/a NumPy object used as a value/);
  });

  test("reads protocol 1's text integers (booleans as 00 and 01), memo references and SETITEM", () => {
    const value = readPickle(
      bytes(0x7d, 0x71, 0, str("flag"), "I01\n", 0x73, str("n"), "I-42\n", 0x73, str("copy"), 0x68, 0, 0x73, 0x2e),
      "p1",
    ) as Map<string, unknown>;
    expect(value.get("flag")).toBe(true);
    expect(value.get("n")).toBe(-42);
    expect(value.get("copy")).toBe(value);
  });

  test.each([
    ["a global other than NumPy's", bytes(0x80, 2, "cos\nsystem\n", 0x2e), /the global os\.system, which this reader/],
    ["pickle protocol 4", bytes(0x80, 4, 0x4e, 0x2e), /pickle protocol 4 at byte 0/],
    ["an opcode outside the subset (MEMOIZE)", bytes(0x80, 2, 0x4e, 0x94, 0x2e), /pickle opcode 0x94 at byte 3/],
    ["a pickle without STOP", bytes(0x80, 2, 0x4e), /ends before the pickle's STOP \(truncated\)/],
    ["a string longer than the file", bytes(0x80, 2, 0x54, ...le32(1000), "abc"), /ends inside an opcode's argument/],
    ["an undefined memo entry", bytes(0x80, 2, 0x68, 7, 0x2e), /memo entry 7 is not defined at byte 2/],
    ["APPENDS without a list", bytes(0x80, 2, 0x7d, 0x28, 0x4b, 1, 0x65, 0x2e), /appended to something other/],
  ])("refuses %s with one error naming the byte", (_, input, message) => {
    expect(() => readPickle(input, "f")).toThrow(DataError);
    expect(() => readPickle(input, "f")).toThrow(message);
    expect(() => readPickle(input, "f")).toThrow(/^f: .*\(not a CIFAR python batch this reader takes\)$/);
  });

  test("refuses arrays other than C-order uint8 of the size their shape says", () => {
    const array = (descr: string, fortran: number, size: number) =>
      bytes(
        "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n",
        [0x4b, 0, 0x85],
        str("b"),
        [0x87, 0x52, 0x28, 0x4b, 1, 0x4b, 2, 0x4b, 3, 0x86],
        "cnumpy\ndtype\n",
        str(descr),
        [0x4b, 0, 0x4b, 1, 0x87, 0x52, 0x28, 0x4b, 3],
        str("|"),
        [0x74, 0x62, fortran, 0x54, ...le32(size)],
        new Uint8Array(size),
        [0x74, 0x62, 0x2e],
      );
    expect((readPickle(array("u1", 0x89, 6), "ok") as NdArray).shape).toEqual([2, 3]);
    expect(() => readPickle(array("<f4", 0x89, 6), "f")).toThrow(/dtype "<f4" \(CIFAR's pixels are u1\)/);
    expect(() => readPickle(array("u1", 0x88, 6), "f")).toThrow(/an array in Fortran order/);
    expect(() => readPickle(array("u1", 0x89, 5), "f")).toThrow(/an array of shape 2×3 holding 5 bytes/);
  });
});
