// @ts-check
/**
 * The Deno Jupyter kernels of the project:
 *
 * - one per checkout, named after the checkout's path, so that setting up (or deleting) one clone
 *   never changes another's kernel, nor the user's own `deno` kernel (the headless execution uses it);
 * - {@link SHARED_KERNEL}, the name the committed notebooks carry: its command finds the checkout
 *   from the directory Jupyter starts it in (the notebook's) and runs that checkout's Deno, so a
 *   plain `jupyter nbconvert --execute` or JupyterLab opens the notebooks of any clone.
 *
 * Plain JavaScript, so that the set-up (Node.js, before anything is installed) and the library
 * (Deno) share it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

/**
 * The kernelspec name of the checkout at `root`: `nc-losses-` and 8 hex digits of its path's hash.
 *
 * @example
 * ```ts
 * kernelName("/home/me/nc-losses").startsWith("nc-losses-"); // true
 * ```
 *
 * @param {string} root absolute path of the checkout
 * @returns {string}
 */
export function kernelName(root) {
  return `nc-losses-${createHash("sha256").update(root).digest("hex").slice(0, 8)}`;
}

/**
 * The kernelspec (`kernel.json`) that runs this checkout's Deno as a Jupyter kernel.
 *
 * @example
 * ```ts
 * kernelSpec("/home/me/nc-losses", "/home/me/nc-losses/node_modules/deno/deno").display_name; // "Deno (nc-losses)"
 * ```
 *
 * @param {string} root absolute path of the checkout
 * @param {string} deno absolute path of its Deno binary
 * @returns {{ argv: string[], display_name: string, language: string }}
 */
export function kernelSpec(root, deno) {
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: `Deno (${basename(root)})`,
    language: "typescript",
  };
}

/**
 * Writes the kernelspec of the checkout at `root` into `dataDir/kernels/<name>` when it is missing
 * or runs another Deno; returns whether it wrote. Other kernelspecs are left as they are.
 *
 * @example
 * ```ts ignore (writes into a Jupyter data directory)
 * installKernel("/home/me/nc-losses", "/home/me/nc-losses/node_modules/deno/deno", "/home/me/.local/share/jupyter");
 * ```
 *
 * @param {string} root absolute path of the checkout
 * @param {string} deno absolute path of its Deno binary
 * @param {string} dataDir Jupyter's data directory (`jupyter --data-dir`)
 * @returns {boolean}
 */
export function installKernel(root, deno, dataDir) {
  const dir = join(dataDir, "kernels", kernelName(root));
  let current = null;
  try {
    current = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")).argv?.[0];
  } catch {
    // not installed yet
  }
  if (current === deno) return false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(root, deno), null, 2) + "\n");
  return true;
}

/** The kernel name in the committed notebooks' metadata: one for every checkout. */
export const SHARED_KERNEL = "nc-losses";

/**
 * The kernelspec of {@link SHARED_KERNEL}: a POSIX shell command that walks up from the directory
 * Jupyter starts the kernel in to the first checkout of this project (a folder with
 * `lib/notebook/kernel.js` and `node_modules/.bin/deno`) and runs its Deno; from anywhere else, the
 * Deno of the checkout that installed it (`fallback`).
 *
 * @example
 * ```ts
 * sharedKernelSpec("/home/me/nc-losses/node_modules/deno/deno").argv[0]; // "/bin/sh"
 * ```
 *
 * @param {string} fallback absolute path of the Deno binary to run outside any checkout
 * @returns {{ argv: string[], display_name: string, language: string }}
 */
export function sharedKernelSpec(fallback) {
  const quoted = `'${fallback.replaceAll("'", "'\\''")}'`;
  const script = [
    'd="$PWD"',
    'while [ "$d" != / ] && [ -n "$d" ]; do',
    '  if [ -f "$d/lib/notebook/kernel.js" ] && [ -x "$d/node_modules/.bin/deno" ]; then',
    '    exec "$d/node_modules/.bin/deno" jupyter --kernel --conn "$1"',
    "  fi",
    '  d="$(dirname "$d")"',
    "done",
    `exec ${quoted} jupyter --kernel --conn "$1"`,
  ].join("\n");
  return {
    argv: ["/bin/sh", "-c", script, SHARED_KERNEL, "{connection_file}"],
    display_name: "Deno (nc-losses)",
    language: "typescript",
  };
}

/**
 * Writes {@link SHARED_KERNEL}'s kernelspec into `dataDir/kernels/nc-losses` when it is missing or
 * its fallback Deno no longer exists (another checkout's, since deleted); returns whether it wrote.
 * A checkout set up later leaves a working one as it is: the kernel finds each checkout by itself.
 *
 * @example
 * ```ts ignore (writes into a Jupyter data directory)
 * installSharedKernel("/home/me/nc-losses/node_modules/deno/deno", "/home/me/.local/share/jupyter");
 * ```
 *
 * @param {string} deno absolute path of this checkout's Deno binary
 * @param {string} dataDir Jupyter's data directory (`jupyter --data-dir`)
 * @returns {boolean}
 */
export function installSharedKernel(deno, dataDir) {
  const dir = join(dataDir, "kernels", SHARED_KERNEL);
  try {
    const argv = JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")).argv ?? [];
    const fallback = /exec '(.*)' jupyter --kernel --conn "\$1"$/.exec(argv[2] ?? "")?.[1]?.replaceAll("'\\''", "'");
    if (fallback && existsSync(fallback)) return false;
  } catch {
    // not installed yet, or not ours to keep
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(sharedKernelSpec(deno), null, 2) + "\n");
  return true;
}
