// @ts-check
// The Debian packages of the set-up (scripts/setup.mjs): what each is for, which command needs it,
// and what the set-up does when some are missing. Only Node.js built-ins: this runs before anything
// is installed.

/**
 * @typedef {{ name: string, for: string, optional?: string, tests?: boolean }} DebianPackage
 * `optional`: what happens without it (training has a fallback); `tests`: only the tests need it.
 */

/** @type {readonly DebianPackage[]} */
export const PACKAGES = [
  { name: "jupyter-nbconvert", for: "executing the notebooks headless" },
  { name: "fonts-dejavu-core", for: "the font of every figure" },
  { name: "dataset-fashion-mnist", for: "the default dataset" },
  {
    name: "libopenblas0-pthread",
    for: "OpenBLAS, the products of the default native backend",
    optional: "without it training falls back to the slower wasm backend",
  },
  {
    name: "libdnnl2",
    for: "oneDNN, the convolutions and batch norm of the native backend",
    optional: "without it training falls back to the slower wasm backend",
  },
  ...["libgl1-mesa-dri", "libegl-mesa0", "libegl1"].map((name) => ({
    name,
    for: "Mesa's software WebGPU adapter, which the tests run the webgpu backend on",
    tests: true,
  })),
  ...["slurm-wlm", "munge"].map((name) => ({
    name,
    for: "the one-node Slurm cluster the tests run a job array on",
    tests: true,
  })),
  {
    name: "chromium",
    for: "the headless browser the site test opens the write-up's pages in (tests/site/)",
    tests: true,
  },
];

/**
 * What the set-up does about Debian packages for `purpose` ("reproduce" needs no test-only package;
 * "test" needs every one): install the missing ones with apt-get (as root, where it exists), go on
 * with a note when only optional ones are missing and they cannot be installed, or stop with each
 * missing package, what it is for, and how to install it.
 *
 * @param {{ purpose: "reproduce" | "test", present: (name: string) => boolean, isRoot: boolean, hasAptGet: boolean }} options
 * @returns {{ action: "none" | "install" | "warn" | "fail", packages: string[], message: string }}
 */
export function planPackages({ purpose, present, isRoot, hasAptGet }) {
  const missing = PACKAGES.filter((p) => (purpose === "test" || !p.tests) && !present(p.name));
  const packages = missing.map((p) => p.name);
  if (missing.length === 0) return { action: "none", packages, message: "" };
  const command = `apt-get update && apt-get install -y --no-install-recommends ${packages.join(" ")}`;
  if (isRoot && hasAptGet) return { action: "install", packages, message: command };
  const list = missing.map((p) => `  ${p.name}: ${p.for}${p.optional ? ` (${p.optional})` : ""}`).join("\n");
  const how = hasAptGet
    ? `as root: sudo sh -c '${command}'`
    : "this machine has no apt-get: install their equivalents with its package manager";
  const command_ = purpose === "test" ? "npm test" : "npm run reproduce";
  if (missing.some((p) => !p.optional || purpose === "test")) {
    return {
      action: "fail",
      packages,
      message: `missing Debian packages for \`${command_}\`:\n${list}\nInstall them, then run this again; ${how}`,
    };
  }
  return {
    action: "warn",
    packages,
    message: `missing optional Debian packages:\n${list}\nGoing on without them; to install them, ${how}`,
  };
}
