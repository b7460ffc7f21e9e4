/**
 * Chooses and initialises the TensorFlow.js backend.
 *
 * - `wasm` (default): the WebAssembly CPU backend, shipped with the project's npm dependencies.
 * - `cpu`: the plain JavaScript reference backend (slow; for checking results).
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`.
 *   Neither is a dependency of the project (their install scripts download libtensorflow); when
 *   neither can be imported, initialisation fails with one message saying how to install them.
 *
 * The choice comes from the `backend` option, else the `NC_BACKEND` environment variable, and is
 * logged once to stderr.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import process from "node:process";
import { installWasmKernels, uninstallWasmKernels } from "./wasm_kernels.ts";

/** Backends this module can initialise. */
export const BACKEND_NAMES = ["wasm", "cpu", "tensorflow"] as const;
/** A backend name. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The requested backend cannot be used. */
export class BackendError extends Error {
  override name = "BackendError";
}

/** The packages tried, in order, for the `tensorflow` backend. */
export const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** How to install the native backend, quoted in the error when it is missing. */
export const NATIVE_INSTALL_HINT =
  "install it next to the project with `npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0` " +
  "(NVIDIA GPU with CUDA 11.x and cuDNN 8) or `npm install --no-save @tensorflow/tfjs-node@4.22.0` (CPU); " +
  "their install scripts download libtensorflow, so they need network access beyond the npm registry";

let initialised: { name: BackendName; detail: string } | null = null;

/** Resolves the backend name from the option or `NC_BACKEND`; unknown names are errors. */
export function resolveBackendName(requested?: string): BackendName {
  const name = requested ?? process.env.NC_BACKEND ?? "wasm";
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(
      `unknown backend "${name}" (from ${requested ? "the backend option" : "NC_BACKEND"}); choose one of ${
        BACKEND_NAMES.join(", ")
      }`,
    );
  }
  return name as BackendName;
}

async function importNative(importer: (name: string) => Promise<unknown>): Promise<string> {
  const failures: string[] = [];
  for (const name of NATIVE_PACKAGES) {
    try {
      await importer(name);
      return name;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new BackendError(
    `backend "tensorflow" needs ${NATIVE_PACKAGES.join(" or ")}, and neither can be imported (${
      failures.join("; ")
    }); ${NATIVE_INSTALL_HINT}`,
  );
}

/**
 * Initialises the backend once per process and returns its name. Calling it again with the same
 * choice is free; a different choice switches backends.
 *
 * @example
 * ```ts
 * await initBackend();                      // wasm, or NC_BACKEND
 * await initBackend({ backend: "cpu" });
 * ```
 */
export async function initBackend(
  options: {
    backend?: string;
    quiet?: boolean;
    /** Install the project's wasm kernels (default true); false keeps the stock ones, for baselines. */
    projectKernels?: boolean;
    importer?: (name: string) => Promise<unknown>;
  } = {},
): Promise<BackendName> {
  const name = resolveBackendName(options.backend);
  if (initialised?.name === name && tf.getBackend() === name && options.projectKernels === undefined) return name;
  let detail = "";
  if (name === "wasm") {
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${dirname(entry)}/`);
    if (options.projectKernels === false) uninstallWasmKernels();
    else installWasmKernels();
    detail = options.projectKernels === false ? "WebAssembly, stock kernels" : "WebAssembly";
  } else if (name === "tensorflow") {
    detail = await importNative(options.importer ?? ((pkg) => import(pkg)));
  } else {
    detail = "JavaScript reference";
  }
  if (!(await tf.setBackend(name))) {
    throw new BackendError(`TensorFlow.js could not initialise the "${name}" backend`);
  }
  await tf.ready();
  if (!options.quiet && initialised?.name !== name) console.error(`[nc] TensorFlow.js backend: ${name} (${detail})`);
  initialised = { name, detail };
  return name;
}
