/**
 * Chooses and initialises the TensorFlow.js backend.
 *
 * - `wasm` (default): the WebAssembly CPU backend, shipped with the project's npm dependencies, with
 *   the project's kernel additions (`wasm_kernels.ts`).
 * - `cpu`: the plain JavaScript reference backend (slow; for checking results).
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`.
 *   Neither is a dependency of the project (their install scripts download libtensorflow); when
 *   neither can be imported, initialisation fails with one message saying how to install them.
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` on a real GPU adapter. A software fallback adapter
 *   (Deno reports llvmpipe as one; it is slower than wasm) is refused.
 * - `auto`: `tensorflow` if it can be imported, else `webgpu` on a real GPU, else `wasm`.
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
export const BACKEND_NAMES = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
/** A backend name, as requested. */
export type BackendChoice = (typeof BACKEND_NAMES)[number];
/** A backend that runs (what `auto` resolves to). */
export type BackendName = Exclude<BackendChoice, "auto">;

/** What a WebGPU adapter probe found. */
export interface WebGpuProbe {
  /** A hardware adapter exists. */
  readonly usable: boolean;
  /** The adapter's description, or why there is none. */
  readonly description: string;
}

/** Asks the runtime for a WebGPU adapter; software fallbacks (llvmpipe, SwiftShader) are not usable. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } } | undefined)?.gpu;
  if (!gpu) return { usable: false, description: "this runtime has no WebGPU (navigator.gpu)" };
  const adapter = await gpu.requestAdapter() as {
    info?: { description?: string; isFallbackAdapter?: boolean };
    isFallbackAdapter?: boolean;
  } | null;
  if (!adapter) return { usable: false, description: "no WebGPU adapter" };
  const description = adapter.info?.description || "unnamed adapter";
  const fallback = adapter.isFallbackAdapter === true || adapter.info?.isFallbackAdapter === true ||
    /llvmpipe|swiftshader|software/i.test(description);
  return { usable: !fallback, description: fallback ? `${description}, a software fallback adapter` : description };
}

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
export function resolveBackendName(requested?: string): BackendChoice {
  const name = requested ?? process.env.NC_BACKEND ?? "wasm";
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(
      `unknown backend "${name}" (from ${requested ? "the backend option" : "NC_BACKEND"}); choose one of ${
        BACKEND_NAMES.join(", ")
      }`,
    );
  }
  return name as BackendChoice;
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
    webgpu?: () => Promise<WebGpuProbe>;
  } = {},
): Promise<BackendName> {
  const choice = resolveBackendName(options.backend);
  const importer = options.importer ?? ((pkg: string) => import(pkg));
  const probe = options.webgpu ?? probeWebGpu;
  let name: BackendName;
  let reason = "";
  if (choice === "auto") {
    const native = await importNative(importer).then(
      () => true,
      (e: Error) => (reason = e.message.split(";")[0], false),
    );
    const gpu = native ? null : await probe();
    name = native ? "tensorflow" : gpu!.usable ? "webgpu" : "wasm";
    if (!native) reason = `auto: no native TensorFlow; WebGPU: ${gpu!.description}`;
  } else {
    name = choice;
  }
  if (initialised?.name === name && tf.getBackend() === name && options.projectKernels === undefined) return name;
  let detail = "";
  if (name === "wasm") {
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${dirname(entry)}/`);
    if (options.projectKernels === false) uninstallWasmKernels();
    else installWasmKernels();
    detail = options.projectKernels === false ? "WebAssembly, stock kernels" : "WebAssembly";
  } else if (name === "tensorflow") {
    detail = await importNative(importer);
  } else if (name === "webgpu") {
    const gpu = await probe();
    if (!gpu.usable) {
      throw new BackendError(
        `backend "webgpu" needs a hardware GPU adapter, but ${gpu.description} was found (slower than wasm here); use NC_BACKEND=wasm`,
      );
    }
    await import("@tensorflow/tfjs-backend-webgpu");
    detail = gpu.description;
  } else {
    detail = "JavaScript reference";
  }
  if (!(await tf.setBackend(name))) {
    throw new BackendError(`TensorFlow.js could not initialise the "${name}" backend`);
  }
  await tf.ready();
  if (!options.quiet && initialised?.name !== name) {
    console.error(`[nc] TensorFlow.js backend: ${name} (${detail})${reason ? ` [${reason}]` : ""}`);
  }
  initialised = { name, detail };
  return name;
}
