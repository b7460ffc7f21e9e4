/**
 * Chooses and initialises the TensorFlow.js backend.
 *
 * - `native`: the wasm backend whose heavy kernels (matrix products, convolutions) call OpenBLAS
 *   and oneDNN through Deno FFI (`native_backend.ts`); needs Debian's `libopenblas0-pthread` and
 *   `libdnnl2`. Threads: the `threads` option, else `NC_THREADS`, else every core.
 * - `wasm`: the WebAssembly CPU backend, shipped with the project's npm dependencies, with the
 *   project's kernel additions (`wasm_kernels.ts`); single-threaded.
 * - `cpu`: the plain JavaScript reference backend (slow; for checking results).
 * - `tensorflow`: native TensorFlow through `@tensorflow/tfjs-node-gpu`, else `@tensorflow/tfjs-node`.
 *   Neither is a dependency of the project (their install scripts download libtensorflow); when
 *   neither can be imported, initialisation fails with one message saying how to install them.
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` on a real GPU adapter. A software fallback adapter
 *   (Deno reports Mesa's llvmpipe as one; it is far slower than native) is refused, unless
 *   `NC_WEBGPU_SOFTWARE=1` asks for it explicitly (the tests do, to exercise the webgpu code path
 *   on machines without a GPU); `auto` never takes it.
 * - `auto` (the default): `tensorflow` if it can be imported, else `webgpu` on a real GPU, else
 *   `native` if its libraries open, else `wasm`; the log line says why each was skipped.
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
import { readEnvironmentVariable } from "../environment.ts";
import { installWasmKernels, uninstallWasmKernels } from "./wasm_kernels.ts";
import { installWebGpuKernels } from "./webgpu_kernels.ts";
import { NATIVE_BACKEND, registerNativeBackend } from "./native_backend.ts";
import { nativeDescription, nativeThreads, resolveThreadCount, setNativeThreads } from "./native_libraries.ts";

/** Backends this module can initialise. */
export const BACKEND_NAMES = ["auto", "tensorflow", "webgpu", "native", "wasm", "cpu"] as const;
/** A backend name, as requested. */
export type BackendChoice = (typeof BACKEND_NAMES)[number];
/** A backend that runs (what `auto` resolves to). */
export type BackendName = Exclude<BackendChoice, "auto">;

/** What a WebGPU adapter probe found. */
export interface WebGpuProbe {
  /** A hardware adapter exists. */
  readonly usable: boolean;
  /** Only a software fallback adapter exists (usable with `NC_WEBGPU_SOFTWARE=1`). */
  readonly software?: boolean;
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
  return {
    usable: !fallback,
    software: fallback,
    description: fallback ? `${description}, a software fallback adapter` : description,
  };
}

/** Whether `NC_WEBGPU_SOFTWARE` allows the webgpu backend on a software adapter (explicit choice only). */
export function softwareWebGpuAllowed(): boolean {
  return readEnvironmentVariable("NC_WEBGPU_SOFTWARE");
}

/** The requested backend cannot be used. */
export class BackendError extends Error {
  override name = "BackendError";
}

/** TensorFlow's Node packages, tried in order for the `tensorflow` backend. */
export const TFJS_NODE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/** How to install TensorFlow's Node packages, quoted in the error when neither can be imported. */
export const TFJS_NODE_INSTALL_HINT =
  "install it next to the project with `npm install --no-save @tensorflow/tfjs-node-gpu@4.22.0` " +
  "(NVIDIA GPU with CUDA 11.x and cuDNN 8) or `npm install --no-save @tensorflow/tfjs-node@4.22.0` (CPU); " +
  "their install scripts download libtensorflow, so they need network access beyond the npm registry";

let initialised: { name: BackendName; detail: string } | null = null;

/** The backend {@link initBackend} set up in this process, or null before it ran. */
export function activeBackend(): BackendName | null {
  return initialised && tf.getBackend() === initialised.name ? initialised.name : null;
}

/** Resolves the backend name from the option or `NC_BACKEND`; unknown names are errors. */
export function resolveBackendName(requested?: string): BackendChoice {
  const name = requested ?? readEnvironmentVariable("NC_BACKEND");
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new BackendError(
      `unknown backend "${name}" (from ${requested ? "the backend option" : "NC_BACKEND"}); choose one of ${
        BACKEND_NAMES.join(", ")
      }`,
    );
  }
  return name as BackendChoice;
}

async function importTfjsNode(importPackage: (name: string) => Promise<unknown>): Promise<string> {
  const failures: string[] = [];
  for (const name of TFJS_NODE_PACKAGES) {
    try {
      await importPackage(name);
      return name;
    } catch (error) {
      failures.push(`${name}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new BackendError(
    `backend "tensorflow" needs ${TFJS_NODE_PACKAGES.join(" or ")}, and neither can be imported (${
      failures.join("; ")
    }); ${TFJS_NODE_INSTALL_HINT}`,
  );
}

function prepareWasm(projectKernels: boolean | undefined): void {
  const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  setWasmPaths(`${dirname(entry)}/`);
  if (projectKernels === false) uninstallWasmKernels();
  else installWasmKernels();
}

/** Registers the native backend; a missing library becomes a BackendError naming its package. */
function prepareNative(): void {
  prepareWasm(true);
  try {
    registerNativeBackend();
  } catch (error) {
    throw new BackendError((error as Error).message);
  }
}

/** What `auto` resolved to in this process, and why it skipped the others. */
let autoChoice: { name: BackendName; reason: string } | null = null;

async function resolveAuto(
  dependencies: BackendDependencies,
  memo: boolean,
): Promise<{ name: BackendName; reason: string }> {
  if (autoChoice && memo) return autoChoice;
  const skipped: string[] = [];
  const tensorflow = await importTfjsNode(dependencies.importPackage).then(
    () => true,
    () => (skipped.push(`tensorflow: ${TFJS_NODE_PACKAGES.join(" and ")} not installed`), false),
  );
  if (tensorflow) return (autoChoice = { name: "tensorflow", reason: "auto" });
  const gpu = await dependencies.probeWebGpu();
  if (gpu.usable) return (autoChoice = { name: "webgpu", reason: `auto; ${skipped.join("; ")}` });
  skipped.push(`WebGPU: ${gpu.description}`);
  try {
    dependencies.registerNative();
    return (autoChoice = { name: "native", reason: `auto; skipped ${skipped.join("; ")}` });
  } catch (error) {
    skipped.push(`native: ${(error as Error).message}`);
  }
  return (autoChoice = { name: "wasm", reason: `auto; skipped ${skipped.join("; ")}` });
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /** The backend (one of {@link BACKEND_NAMES}; default `NC_BACKEND`, else `auto`). */
  backend?: string;
  /** No log line naming the backend. */
  quiet?: boolean;
  /** Threads of the native libraries (default `NC_THREADS`, else `SLURM_CPUS_PER_TASK`, else every core). */
  threads?: number;
  /** Install the project's wasm kernels (default true); false keeps the stock ones, for baselines. */
  projectKernels?: boolean;
}

/**
 * What backend initialisation reaches outside the process through. Internal: the tests replace these
 * to simulate a missing package, adapter or library; {@link initBackend} uses the real ones.
 *
 * @internal
 */
export interface BackendDependencies {
  /** Imports a package by name (TensorFlow's Node packages). */
  readonly importPackage: (name: string) => Promise<unknown>;
  /** Looks for a WebGPU adapter. */
  readonly probeWebGpu: () => Promise<WebGpuProbe>;
  /** Registers the native backend, opening its libraries. */
  readonly registerNative: () => void;
}

const PROCESS_DEPENDENCIES: BackendDependencies = {
  importPackage: (name) => import(name),
  probeWebGpu,
  registerNative: prepareNative,
};

/**
 * Initialises the backend once per process and returns its name. Calling it again with the same
 * choice is free; a different choice switches backends.
 *
 * @example
 * ```ts
 * await initBackend();                      // auto, or NC_BACKEND
 * await initBackend({ backend: "native", threads: 1 });
 * ```
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  return initBackendWith(options, {});
}

/**
 * {@link initBackend} with some of its {@link BackendDependencies} replaced. Internal, for the tests:
 * not part of the public surface (`lib/mod.ts`). With a replaced dependency, `auto` decides afresh
 * instead of reusing this process's earlier decision.
 *
 * @internal
 * @example
 * ```ts
 * const noPackage = () => Promise.reject(new Error("Cannot find module"));
 * const error = await initBackendWith({ backend: "tensorflow" }, { importPackage: noPackage }).catch((e) => e);
 * error.name; // "BackendError"
 * ```
 */
export async function initBackendWith(
  options: InitBackendOptions,
  replaced: Partial<BackendDependencies>,
): Promise<BackendName> {
  const choice = resolveBackendName(options.backend);
  const dependencies: BackendDependencies = { ...PROCESS_DEPENDENCIES, ...replaced };
  const injected = Object.values(replaced).some((d) => d !== undefined);
  let name: BackendName = choice === "auto" ? "wasm" : choice;
  let reason = "";
  if (choice === "auto") ({ name, reason } = await resolveAuto(dependencies, !injected));
  const threads = name === NATIVE_BACKEND ? resolveThreadCount(options.threads) : 0;
  if (
    initialised?.name === name && tf.getBackend() === name && options.projectKernels === undefined &&
    (name !== NATIVE_BACKEND || threads === nativeThreads())
  ) return name;
  let detail = "";
  if (name === "wasm") {
    prepareWasm(options.projectKernels);
    detail = options.projectKernels === false ? "WebAssembly, stock kernels" : "WebAssembly";
  } else if (name === NATIVE_BACKEND) {
    dependencies.registerNative();
    setNativeThreads(threads);
    detail = `${nativeDescription()}, ${threads} thread${threads === 1 ? "" : "s"}`;
  } else if (name === "tensorflow") {
    detail = await importTfjsNode(dependencies.importPackage);
  } else if (name === "webgpu") {
    const gpu = await dependencies.probeWebGpu();
    if (!gpu.usable && !(gpu.software && softwareWebGpuAllowed())) {
      throw new BackendError(
        `backend "webgpu" needs a hardware GPU adapter, but ${gpu.description} was found (far slower than native here); use NC_BACKEND=native, or NC_WEBGPU_SOFTWARE=1 to test the webgpu path on it`,
      );
    }
    await import("@tensorflow/tfjs-backend-webgpu");
    installWebGpuKernels();
    detail = gpu.description;
  } else {
    detail = "JavaScript reference";
  }
  if (!(await tf.setBackend(name))) {
    throw new BackendError(`TensorFlow.js could not initialise the "${name}" backend`);
  }
  await tf.ready();
  if (!options.quiet && (initialised?.name !== name || initialised.detail !== detail)) {
    console.error(`[nc] TensorFlow.js backend: ${name} (${detail})${reason ? ` [${reason}]` : ""}`);
  }
  initialised = { name, detail };
  return name;
}
