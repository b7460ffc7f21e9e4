// @ts-check
/**
 * The Deno Jupyter kernel of one checkout: a kernelspec named after the checkout's path, so that
 * setting up (or deleting) one clone never changes another's kernel, nor the user's own `deno`
 * kernel. Plain JavaScript, so that the set-up (Node.js, before anything is installed) and the
 * library (Deno) share it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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
