/**
 * `nc data` end to end against a local HTTP server on 127.0.0.1 serving small archives with the
 * layout of the official CIFAR-10 binary archive (two records a file), good and bad.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { loadCifar10 } from "../../lib/data/cifar.ts";
import { runCli } from "../helpers.ts";

interface Entry {
  name: string;
  data?: Uint8Array;
  /** "0" file (default), "5" directory, "1" hard link, "2" symbolic link. */
  type?: string;
  link?: string;
}

/** A ustar archive written by hand: 512-byte headers with octal fields and checksum, padded data, two zero blocks. */
function tar(entries: Entry[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const put = (h: Uint8Array, at: number, value: string) => h.set(new TextEncoder().encode(value), at);
  for (const { name, data = new Uint8Array(0), type = "0", link = "" } of entries) {
    const h = new Uint8Array(512);
    put(h, 0, name);
    put(h, 100, "0000644\0");
    put(h, 108, "0000000\0");
    put(h, 116, "0000000\0");
    put(h, 124, data.length.toString(8).padStart(11, "0") + "\0");
    put(h, 136, "00000000000\0");
    put(h, 156, type);
    put(h, 157, link);
    put(h, 257, "ustar\x0000");
    put(h, 148, "        ");
    const sum = h.reduce((a, b) => a + b, 0);
    put(h, 148, sum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((a, b) => a + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Two CIFAR-10 records: label byte then 3072 pixels. */
const records = (label: number) =>
  Uint8Array.from({ length: 2 * 3073 }, (_, i) => (i % 3073 === 0 ? label : (i * 7 + label) % 256));
const FILES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"];
const layout = (extra: Entry[] = []) =>
  gzipSync(tar([
    { name: "cifar-10-batches-bin/", type: "5" },
    ...FILES.map((f, i) => ({ name: `cifar-10-batches-bin/${f}.bin`, data: records(i) })),
    { name: "cifar-10-batches-bin/batches.meta.txt", data: new TextEncoder().encode("airplane\n") },
    ...extra,
  ]));
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

const root = mkdtempSync(join(tmpdir(), "nc-data-"));
const outside = join(root, "outside.txt");
const ARCHIVES: Record<string, Uint8Array> = {
  good: layout(),
  dotdot: layout([{ name: "cifar-10-batches-bin/../../outside.txt", data: new Uint8Array([1]) }]),
  absolute: layout([{ name: outside, data: new Uint8Array([1]) }]),
  symlink: layout([{ name: "cifar-10-batches-bin/escape", type: "2", link: "../../outside.txt" }]),
  hardlink: layout([{ name: "cifar-10-batches-bin/escape", type: "1", link: "/etc/passwd" }]),
  stray: layout([{ name: "elsewhere.txt", data: new Uint8Array([1]) }]),
};

/** Requests seen: path and Range header. */
const requests: { path: string; range: string | null }[] = [];
let server: Server, base = "";
/** Paths whose next response is cut after half the body (once each). */
const truncateOnce = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, mode, name] = (req.url ?? "").split("/"); // /<mode>/<archive-name>
    const key = name.replace("cifar-10-binary-", "").replace(".tar.gz", "");
    const body = ARCHIVES[key];
    requests.push({ path: req.url ?? "", range: req.headers.range ?? null });
    if (!body) return void res.writeHead(404).end();
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && mode === "ranges") {
      const from = Number(range[1]);
      res.writeHead(206, {
        "content-length": body.length - from,
        "content-range": `bytes ${from}-${body.length - 1}/${body.length}`,
      });
      return void res.end(body.subarray(from));
    }
    res.writeHead(200, { "content-length": body.length });
    if (truncateOnce.delete(req.url ?? "")) {
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
/** A fresh data directory and the CLI arguments that fetch `archive` into it. */
function setup(archive: string, mode = "ranges") {
  const dataDir = join(root, `data-${counter++}`);
  const url = `${base}/${mode}/cifar-10-binary-${archive}.tar.gz`;
  const args = ["data", "cifar10", "--data-dir", dataDir, "--url", url, "--md5", md5(ARCHIVES[archive])];
  return { dataDir, url, args, archiveFile: join(dataDir, `cifar-10-binary-${archive}.tar.gz`) };
}

describe("nc data cifar10", () => {
  test("downloads, checks the MD5, unpacks where the loader looks, and does nothing the second time", async () => {
    const { dataDir, args } = setup("good");
    const first = await runCli(args);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.status).toBe(0);
    const dir = join(dataDir, "cifar-10-batches-bin");
    expect(first.stdout.trim()).toBe(dir);
    const { train, test: testSplit } = loadCifar10(dir);
    expect(Array.from(train.labels)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(testSplit.labels.length).toBe(2);
    expect(readdirSync(dataDir).filter((f) => f.startsWith("."))).toEqual([]); // no staging directory left
    const seen = requests.length;
    const again = await runCli(args);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(dir);
    expect(again.stderr).toMatch(/already in place/);
    expect(requests.length).toBe(seen); // no network at all
  });

  test("a truncated transfer keeps a .part file that does not look complete; the next call resumes it", async () => {
    const { dataDir, url, args, archiveFile } = setup("good");
    truncateOnce.add(new URL(url).pathname);
    const cut = await runCli(args);
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/^error: download of .* interrupted after \d+ .*run the command again to resume/m);
    expect(existsSync(archiveFile)).toBe(false);
    const partSize = statSync(`${archiveFile}.part`).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(ARCHIVES.good.length);
    expect(existsSync(join(dataDir, "cifar-10-batches-bin"))).toBe(false);
    const resumed = await runCli(args);
    expect(resumed.status).toBe(0);
    expect(requests.at(-1)).toEqual({ path: new URL(url).pathname, range: `bytes=${partSize}-` });
    expect(md5(readFileSync(archiveFile))).toBe(md5(ARCHIVES.good));
    expect(existsSync(`${archiveFile}.part`)).toBe(false);
    expect(loadCifar10(join(dataDir, "cifar-10-batches-bin")).train.labels.length).toBe(10);
  });

  test("a server that ignores ranges makes the next call start again, and it still ends whole", async () => {
    const { url, args, archiveFile } = setup("good", "plain");
    truncateOnce.add(new URL(url).pathname);
    expect((await runCli(args)).status).toBe(2);
    const again = await runCli(args);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/no resume; starting again/);
    expect(md5(readFileSync(archiveFile))).toBe(md5(ARCHIVES.good));
  });

  test("a wrong checksum is one error; the download is removed and nothing is unpacked", async () => {
    const { dataDir, args, archiveFile } = setup("good");
    args[args.length - 1] = "0".repeat(32);
    const { status, stdout, stderr } = await runCli(args);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: .*MD5 of the download is [0-9a-f]{32}, expected 0{32}/m);
    expect(readdirSync(dataDir)).toEqual([]);
    expect(existsSync(archiveFile)).toBe(false);
  });

  test.each([
    ["dotdot", /refused entry "cifar-10-batches-bin\/\.\.\/\.\.\/outside\.txt": a path with '\.\.'/],
    ["absolute", /refused entry "\/.*outside\.txt": absolute path/],
    ["symlink", /refused entry "cifar-10-batches-bin\/escape": a symbolic link to "\.\.\/\.\.\/outside\.txt"/],
    ["hardlink", /refused entry "cifar-10-batches-bin\/escape": a hard link to "\/etc\/passwd"/],
    ["stray", /refused entry "elsewhere\.txt": outside the expected directory "cifar-10-batches-bin\/"/],
  ])(
    "an archive with an entry that leaves the target (%s) is refused and nothing is written",
    async (name, message) => {
      const { dataDir, args } = setup(name);
      const { status, stderr } = await runCli(args);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split("\n").filter((l) => l.startsWith("error"))).toHaveLength(1);
      expect(existsSync(outside)).toBe(false);
      expect(existsSync(join(dataDir, "cifar-10-batches-bin"))).toBe(false);
      expect(readdirSync(dataDir)).toEqual([`cifar-10-binary-${name}.tar.gz`]); // only the verified download
    },
  );

  test.each([
    [["data"], /data: name the dataset: cifar10 or cifar100/],
    [["data", "imagenet"], /data: unknown dataset "imagenet"; choose cifar10 or cifar100/],
    [["data", "cifar10", "--md5", "xyz"], /--md5 must be 32 hexadecimal digits, got "xyz"/],
  ])("%j is one clear error", async (argv, message) => {
    const { status, stderr } = await runCli(argv);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });
});
