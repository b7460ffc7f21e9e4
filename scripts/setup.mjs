#!/usr/bin/env node
// Set-up for a fresh Debian machine that has Node.js and npm: installs what is missing and
// changes nothing that is already in place, so a second run takes about a second.
//
//   1. npm packages from package-lock.json (`npm ci`), including the `deno` binary;
//   2. the native polars binding for this platform (npm skips it on Node < 22, whose engine
//      check it fails, although the project runs polars under Deno);
//   3. Debian packages, those the command at hand needs (`--for reproduce` or `--for test`, the
//      default): jupyter-nbconvert (headless notebooks), fonts-dejavu-core (the font of every
//      figure), dataset-fashion-mnist (the default dataset), libopenblas0-pthread and libdnnl2
//      (OpenBLAS and oneDNN, the arithmetic of the `native` backend; without them training falls back
//      to wasm), and for the tests only libgl1-mesa-dri, libegl-mesa0 and libegl1 (Mesa's llvmpipe,
//      the software WebGPU adapter the tests exercise the webgpu backend on) and slurm-wlm and munge
//      (the tests start a one-node Slurm cluster to run a sweep's job array); through apt-get when
//      running as root, otherwise each missing package with what it is for and the command;
//   4. this checkout's Deno Jupyter kernel (named after the checkout's path; others untouched), and
//      the shared `nc-losses` kernel the notebooks name, which finds the checkout it is started in.
//
// Only Node.js built-ins are used: this runs before anything is installed.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { installKernel, installSharedKernel, kernelName, kernelSpec, SHARED_KERNEL } from "../lib/notebook/kernel.js";
import { planPackages } from "./setup_packages.mjs";

const root = realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), ".."));
const say = (message) => console.error(`[setup] ${message}`);

function fail(message) {
  console.error(`[setup] error: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  say(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`\`${command} ${args.join(" ")}\` exited with status ${result.status}`);
}

function commandExists(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}

/** Whether a Debian package is installed. */
function packageInstalled(name) {
  const query = spawnSync("dpkg-query", ["-W", "-f=${Status}", name], { encoding: "utf8" });
  return query.status === 0 && query.stdout.trim() === "install ok installed";
}

/** Whether the dynamic linker finds a shared library (by soname). */
function libraryExists(soname) {
  const cache = spawnSync("sh", ["-c", "ldconfig -p 2>/dev/null || /sbin/ldconfig -p"], { encoding: "utf8" });
  return (cache.stdout ?? "").split("\n").some((line) => line.trim().startsWith(`${soname} `));
}

// 1. npm packages, re-installed when package-lock.json changes.
const stampFile = join(root, "node_modules", ".nc-setup-lock-hash");
const lockHash = createHash("sha256").update(readFileSync(join(root, "package-lock.json"))).digest("hex");
if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== lockHash) {
  run("npm", ["ci", "--no-audit", "--no-fund"]);
  writeFileSync(stampFile, lockHash);
}

// 2. The polars binding for this platform, at the version nodejs-polars pins.
const require = createRequire(join(root, "package.json"));
const polarsPackage = JSON.parse(readFileSync(require.resolve("nodejs-polars/package.json"), "utf8"));
const libc = process.report?.getReport?.().header?.glibcVersionRuntime ? "gnu" : "musl";
const candidates = [
  `nodejs-polars-${process.platform}-${process.arch}-${libc}`,
  `nodejs-polars-${process.platform}-${process.arch}`,
  `nodejs-polars-${process.platform}-${process.arch}-msvc`,
];
const binding = candidates.find((name) => name in (polarsPackage.optionalDependencies ?? {}));
if (!binding) {
  fail(`nodejs-polars ${polarsPackage.version} has no native binding for ${process.platform}-${process.arch}`);
}
if (!existsSync(join(root, "node_modules", binding, "package.json"))) {
  run("npm", [
    "install",
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    `${binding}@${polarsPackage.optionalDependencies[binding]}`,
  ]);
}

// 3. Debian packages: what the command at hand needs (`--for reproduce|test`, default test, which
//    needs everything). Each with what it is for; `optional` ones have a fallback.
const purpose = process.argv.includes("--for") ? process.argv[process.argv.indexOf("--for") + 1] : "test";
if (!["reproduce", "test"].includes(purpose)) fail(`--for must be reproduce or test, got ${purpose}`);
const PRESENT = {
  "jupyter-nbconvert": () => commandExists("jupyter-nbconvert"),
  "fonts-dejavu-core": () => existsSync("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
  "dataset-fashion-mnist": () => existsSync("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
  "libopenblas0-pthread": () => libraryExists("libopenblas.so.0"),
  "libdnnl2": () => libraryExists("libdnnl.so.2"),
};
const plan = planPackages({
  purpose,
  present: (name) => (PRESENT[name] ?? (() => packageInstalled(name)))(),
  isRoot: typeof process.getuid === "function" && process.getuid() === 0,
  hasAptGet: commandExists("apt-get"),
});
if (plan.action === "fail") fail(plan.message);
if (plan.action === "warn") say(plan.message);
if (plan.action === "install") {
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...plan.packages], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

// 4. This checkout's Deno Jupyter kernel, under a name of its own (lib/notebook/kernel.js):
//    (re)written when missing or pointing at another deno binary; other kernels are left alone.
const deno = realpathSync(join(root, "node_modules", ".bin", "deno"));
const dataDir = process.env.JUPYTER_DATA_DIR ?? execFileSync("jupyter", ["--data-dir"], { encoding: "utf8" }).trim();
if (installKernel(root, deno, dataDir)) {
  say(`Jupyter kernel "${kernelName(root)}" (${kernelSpec(root, deno).display_name}) → ${deno}`);
}
if (installSharedKernel(deno, dataDir)) {
  say(`Jupyter kernel "${SHARED_KERNEL}": the Deno of the checkout a notebook is opened in`);
}
say("ready");
