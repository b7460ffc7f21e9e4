import { afterAll, expect, test } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { lockRun, readLock, removeLock } from "../../lib/store/run_lock.ts";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that no process holds any more (a child that has exited). */
function deadPid(): number {
  return spawnSync("true").pid!;
}

/** Writes a lock as a process `pid` of `host` would have left it. */
function leaveLock(runDir: string, owner: { pid: number; host: string }): void {
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, "lock"), JSON.stringify({ ...owner, startedAt: new Date().toISOString() }));
}

function contender(roundsDir: string, rounds: number, start: number, step: number): Promise<number[]> {
  const child = spawn(process.execPath, [
    "run",
    "-A",
    join(import.meta.dirname!, "lock_contender.ts"),
    roundsDir,
    String(rounds),
    String(start),
    String(step),
  ], { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  return new Promise((resolve, reject) =>
    child.on(
      "close",
      (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`contender exit ${code}`))),
    )
  );
}

test("four processes taking over one stale lock together: exactly one wins, in every one of 150 rounds", async () => {
  const rounds = 150, contenders = 4, step = 25;
  const roundsDir = join(dir, "race");
  const pid = deadPid();
  for (let r = 0; r < rounds; r++) leaveLock(join(roundsDir, String(r)), { pid, host: hostname() });
  // Deno starts in well under 3 s even on a busy machine; the rounds start together after that.
  const start = Date.now() + 3000;
  const won = await Promise.all(Array.from({ length: contenders }, () => contender(roundsDir, rounds, start, step)));
  const winners = Array.from({ length: rounds }, (_, r) => won.filter((w) => w.includes(r)).length);
  const doubled = winners.flatMap((n, r) => (n > 1 ? [r] : []));
  expect(doubled, `rounds with more than one owner`).toEqual([]);
  expect(winners.every((n) => n === 1)).toBe(true);
}, 60_000);

test("a lock another host holds is waited for, saying who holds it, and taken over once its lease runs out", async () => {
  const runDir = join(dir, "other-host");
  leaveLock(runDir, { pid: 4242, host: "node-elsewhere" });
  const lines: string[] = [];
  const started = Date.now();
  const release = await lockRun(runDir, { log: (l) => lines.push(l), leaseMs: 1500, pollMs: 50, reportMs: 400 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  const waits = lines.filter((l) => l.startsWith("[nc] waiting for"));
  expect(waits.length).toBeGreaterThanOrEqual(2);
  expect(waits[0]).toMatch(/locked by process 4242 on node-elsewhere since \S+ \(last heartbeat \d+ s ago\)/);
  expect(lines.at(-1)).toMatch(/took over the stale lock of .*: no heartbeat from process 4242 on node-elsewhere/);
  expect(readLock(runDir)?.pid).toBe(process.pid);
  release();
  expect(readLock(runDir)).toBe(null);
});

test("the owner's heartbeat keeps its lock live beyond the lease", async () => {
  const runDir = join(dir, "heartbeat");
  mkdirSync(runDir, { recursive: true });
  const release = await lockRun(runDir, { leaseMs: 600 });
  const first = readLock(runDir)!.heartbeatAt.getTime();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(readLock(runDir)!.heartbeatAt.getTime()).toBeGreaterThan(first);
  await expect(lockRun(runDir, { wait: false, leaseMs: 600 })).rejects.toThrow(/being trained by process \d+ on/);
  release();
});

test("removeLock removes a lock by hand and names its holder; a live local holder needs force", () => {
  const runDir = join(dir, "by-hand");
  leaveLock(runDir, { pid: 77, host: "node-elsewhere" });
  expect(removeLock(runDir)).toMatchObject({ pid: 77, host: "node-elsewhere" });
  expect(readLock(runDir)).toBe(null);
  expect(removeLock(runDir)).toBe(null);
  const child = spawn("sleep", ["30"]);
  leaveLock(runDir, { pid: child.pid!, host: hostname() });
  expect(() => removeLock(runDir)).toThrow(new RegExp(`running on this host: stop it first \\(kill ${child.pid}\\)`));
  expect(removeLock(runDir, { force: true })?.pid).toBe(child.pid);
  child.kill();
});

test("nc runs unlock removes a run's lock, naming who held it, and says so when there is none; nc unlock is the same", async () => {
  const runDir = join(dir, "unlock-cli");
  leaveLock(runDir, { pid: 91, host: "node-elsewhere" });
  const removed = await runCli(["runs", "unlock", runDir]);
  expect(removed.status).toBe(0);
  expect(removed.stderr).toMatch(
    /^\[nc\] removed the lock of .*unlock-cli, held by process 91 on node-elsewhere since \S+ \(last heartbeat \d+ s ago\)\n$/,
  );
  expect((await runCli(["runs", "unlock", "unlock-cli", "--runs-dir", dir])).stderr).toMatch(
    /unlock-cli has no lock: nothing to remove/,
  );
  const missing = await runCli(["runs", "unlock", join(dir, "no-such-run")]);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/^error: runs unlock: .*no-such-run is neither a run directory nor a run id/);
  // The alias.
  leaveLock(runDir, { pid: 92, host: "node-elsewhere" });
  const alias = await runCli(["unlock", "unlock-cli", "--runs-dir", dir]);
  expect(alias.status).toBe(0);
  expect(alias.stderr).toMatch(/removed the lock of .*unlock-cli, held by process 92 on node-elsewhere/);
  expect((await runCli(["runs", "--help"])).stdout).toMatch(/nc runs unlock RUN \[--runs-dir DIR\] \[--force\]/);
});
