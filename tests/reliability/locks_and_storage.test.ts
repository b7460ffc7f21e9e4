/**
 * Locks and storage errors at the library's level: a live lock respected and a stale one recovered,
 * a full disk during a write. What the command line answers to hostile input is the catalogue's
 * (`hostile.test.ts`).
 */
import { afterAll, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { clearStaleLock, lockRun, RunLockedError } from "../../lib/store/run_lock.ts";
import { runTraining } from "../../lib/training/run.ts";
import { writeFileAtomic } from "../../lib/store/atomic.ts";
import { setFaultHook } from "../../lib/store/fault_hook.ts";
import { asStorageError, storageCause, StorageError } from "../../lib/store/storage_error.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-locks-storage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
  return path;
}

test("a lock held by a live process is respected; a stale one is recovered", async () => {
  const run = join(dir, "locked");
  mkdirSync(run);
  const release = await lockRun(run);
  await expect(lockRun(run, { wait: false })).rejects.toThrow(RunLockedError);
  release();
  writeFileSync(
    join(run, "lock"),
    JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), startedAt: "" }),
  );
  writeFileSync(join(run, "status.json.999.1.tmp"), "{ half");
  const lines: string[] = [];
  const again = await lockRun(run, { wait: false, log: (l) => lines.push(l) });
  expect(lines.join("")).toMatch(/took over the stale lock of .*: process \d+ is gone/);
  expect(readdirSync(run)).toEqual(["lock"]);
  again();
  expect(readdirSync(run)).toEqual([]);
  expect(process.pid).toBeGreaterThan(0);
});

test("a stale lock left beside a finished run is cleared when the run is read back; a live one stays", async () => {
  const runsDir = join(dir, "finished-runs");
  const config = {
    dataset: "synthetic",
    synthetic: { numClasses: 3, dim: 4, trainPerClass: 20, testPerClass: 5, separation: 3 },
    width: 4,
    depth: 1,
    epochs: 1,
    batchSize: 20,
  };
  const run = await runTraining(config, { runsDir, log: () => {} });
  const host = (await import("node:os")).hostname();
  // Killed after the run was done but before its lock was released.
  writeFileSync(join(run.dir, "lock"), JSON.stringify({ pid: 2 ** 22 + 12345, host, startedAt: "" }));
  await runTraining(config, { runsDir, log: () => {} });
  expect(readdirSync(run.dir)).not.toContain("lock");
  // A process that is alive (this one) keeps its lock.
  writeFileSync(join(run.dir, "lock"), JSON.stringify({ pid: process.pid, host, startedAt: "" }));
  expect(clearStaleLock(run.dir)).toBe(false);
  expect(readdirSync(run.dir)).toContain("lock");
});

test("a full disk during a write is one StorageError naming the file; no temporary file stays, the old file is whole", () => {
  const target = file("full/status.json", '{"state":"running"}');
  const previous = setFaultHook(() => {
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  });
  try {
    expect(() => writeFileAtomic(target, "{}", "checkpoint-write")).toThrow(StorageError);
    expect(() => writeFileAtomic(target, "{}", "checkpoint-write")).toThrow(
      /^cannot write .*full\/status\.json: no space left on the device \(ENOSPC\)$/,
    );
  } finally {
    setFaultHook(previous);
  }
  expect(readdirSync(join(dir, "full"))).toEqual(["status.json"]);
  expect(readFileSync(target, "utf8")).toBe('{"state":"running"}');
});

test("storage errors the layers below do not name are still one line (a read-only store: EROFS)", () => {
  const error = asStorageError(
    Object.assign(new Error("EROFS: read-only file system"), { code: "EROFS" }),
    "runs/a",
    "write",
  );
  expect((error as Error).message).toBe("cannot write runs/a: the file system is read-only (EROFS)");
  expect(storageCause(Object.assign(new Error("x"), { code: "EACCES" }))).toBe("permission denied (EACCES)");
  expect(storageCause(new Error("x"))).toBeNull();
});
