/**
 * A single-node Slurm cluster on this machine for the tests: munged, slurmctld and slurmd from
 * Debian's `munge` and `slurm-wlm`, with every file in a temporary directory, loopback only, on
 * ports of its own. Needs root (the daemons run as root here).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { randomBytes } from "node:crypto";

/** A started cluster: the environment that points Slurm's clients at it, and how to stop it. */
export interface LocalSlurm {
  env: Record<string, string>;
  /** Blocks until no job is queued or running, or the timeout passes; returns whether it drained. */
  waitIdle(timeoutMs: number): Promise<boolean>;
  /** Stops the daemons and waits (up to 10 s) until they have exited. */
  stop(): Promise<void>;
}

function which(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Starts the cluster in `dir`, or returns why it cannot start here. */
export async function startLocalSlurm(dir: string): Promise<LocalSlurm | { unavailable: string }> {
  const missing = ["munged", "slurmctld", "slurmd", "sbatch", "squeue"].filter((c) => !which(c));
  if (missing.length) return { unavailable: `${missing.join(", ")} not installed (Debian's munge and slurm-wlm)` };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { unavailable: "the local Slurm daemons need root" };
  }
  for (const sub of ["state", "spool", "log", "munge"]) mkdirSync(join(dir, sub), { recursive: true });
  const key = join(dir, "munge", "munge.key");
  writeFileSync(key, randomBytes(1024));
  chmodSync(key, 0o400);
  const socket = join(dir, "munge", "munge.socket");
  const munge = spawnSync("munged", [
    "--force",
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--pid-file=${join(dir, "munge", "munged.pid")}`,
    `--seed-file=${join(dir, "munge", "munged.seed")}`,
    `--log-file=${join(dir, "log", "munged.log")}`,
  ], { encoding: "utf8" });
  if (munge.status !== 0) return { unavailable: `munged did not start: ${munge.stderr.trim()}` };
  const node = hostname().split(".")[0];
  const port = 20000 + Math.floor(Math.random() * 20000);
  const conf = join(dir, "slurm.conf");
  writeFileSync(
    conf,
    [
      "ClusterName=nctest",
      `SlurmctldHost=${node}(127.0.0.1)`,
      "SlurmUser=root",
      "SlurmdUser=root",
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, "state")}`,
      `SlurmdSpoolDir=${join(dir, "spool")}`,
      `SlurmctldPidFile=${join(dir, "slurmctld.pid")}`,
      `SlurmdPidFile=${join(dir, "slurmd.pid")}`,
      `SlurmctldLogFile=${join(dir, "log", "slurmctld.log")}`,
      `SlurmdLogFile=${join(dir, "log", "slurmd.log")}`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SchedulerType=sched/builtin",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "ReturnToService=2",
      "MpiDefault=none",
      "JobCompType=jobcomp/none",
      "AccountingStorageType=accounting_storage/none",
      "JobAcctGatherType=jobacct_gather/none",
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
      "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
      "",
    ].join("\n"),
  );
  const env = { SLURM_CONF: conf };
  const pids = () =>
    ["slurmctld.pid", "slurmd.pid", join("munge", "munged.pid")].map((f) => join(dir, f)).filter(existsSync)
      .map((f) => Number(readFileSync(f, "utf8").trim()));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    spawnSync("scancel", ["--user=root"], { env: { ...process.env, ...env }, stdio: "ignore" });
    const running = pids();
    for (const pid of running) if (alive(pid)) process.kill(pid, "SIGTERM");
    for (let i = 0; i < 100 && running.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  };
  for (const daemon of ["slurmctld", "slurmd"]) {
    const started = spawnSync(daemon, ["-f", conf], { env: { ...process.env, ...env }, encoding: "utf8" });
    if (started.status !== 0) {
      await stop();
      return { unavailable: `${daemon} did not start: ${started.stderr.trim()}` };
    }
  }
  const squeue = () => spawnSync("squeue", ["-h"], { env: { ...process.env, ...env }, encoding: "utf8" });
  for (let i = 0; i < 50 && squeue().status !== 0; i++) await new Promise((r) => setTimeout(r, 200));
  if (squeue().status !== 0) {
    await stop();
    return { unavailable: `slurmctld does not answer: ${squeue().stderr.trim()}` };
  }
  return {
    env,
    stop,
    async waitIdle(timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const q = squeue();
        if (q.status === 0 && q.stdout.trim() === "") return true;
        await new Promise((r) => setTimeout(r, 500));
      }
      return false;
    },
  };
}
