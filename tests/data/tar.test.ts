import { expect, test } from "vitest";
import { DataError } from "../../lib/data/dataset.ts";
import { readTar } from "../../lib/data/tar.ts";

/** One header block (GNU magic "ustar  ") for a file `name` of `size` bytes, then its padded data and the end blocks. */
function archive(name: string, data: Uint8Array): Uint8Array {
  const h = new Uint8Array(512), put = (at: number, v: string) => h.set(new TextEncoder().encode(v), at);
  put(0, name);
  put(124, data.length.toString(8).padStart(11, "0") + "\0");
  put(156, "0");
  put(257, "ustar  \0");
  put(148, "        ");
  put(148, h.reduce((a, b) => a + b, 0).toString(8).padStart(6, "0") + "\0 ");
  const out = new Uint8Array(512 + Math.ceil(data.length / 512) * 512 + 1024);
  out.set(h, 0);
  out.set(data, 512);
  return out;
}

test("reads GNU-format entries, dropping a leading ./", () => {
  const entries = readTar(archive("./top/a.bin", Uint8Array.of(1, 2, 3)), { root: "top" });
  expect(entries).toEqual([{ path: "top/a.bin", type: "file", data: Uint8Array.of(1, 2, 3) }]);
});

test.each([
  ["a corrupt header", (a: Uint8Array) => (a[10] ^= 1, a), /corrupt tar header at byte 0 \(checksum mismatch\)/],
  ["a truncated entry", (a: Uint8Array) => a.subarray(0, 514), /entry "top\/a\.bin" is truncated/],
  ["no end-of-archive block", (a: Uint8Array) => a.subarray(0, 1536), /truncated tar archive/],
])("%s is a DataError naming the archive", (_, damage, message) => {
  const bytes = damage(archive("top/a.bin", new Uint8Array(600)));
  expect(() => readTar(bytes, { root: "top", source: "x.tar" })).toThrow(DataError);
  expect(() => readTar(bytes, { root: "top", source: "x.tar" })).toThrow(message);
});
