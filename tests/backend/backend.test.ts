import { afterEach, describe, expect, test, vi } from "vitest";
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import {
  BackendError,
  initBackend,
  initBackendWith,
  probeWebGpu,
  resolveBackendName,
} from "../../lib/backend/backend.ts";
import { NativeLibraryError, openLibrary } from "../../lib/backend/native_libraries.ts";
import { restoreEnvAfterEach } from "../helpers.ts";

restoreEnvAfterEach("NC_BACKEND");
afterEach(() => vi.restoreAllMocks());

describe("resolveBackendName", () => {
  test("defaults to auto, follows NC_BACKEND, and the option wins", () => {
    delete process.env.NC_BACKEND;
    expect(resolveBackendName()).toBe("auto");
    process.env.NC_BACKEND = "cpu";
    expect(resolveBackendName()).toBe("cpu");
    expect(resolveBackendName("wasm")).toBe("wasm");
  });

  test("rejects an unknown name, saying where it came from", () => {
    process.env.NC_BACKEND = "cuda";
    expect(() => resolveBackendName()).toThrow(
      /unknown backend "cuda" \(from NC_BACKEND\); choose one of auto, tensorflow, webgpu, native, wasm, cpu/,
    );
  });
});

describe("initBackend", () => {
  test("initialises wasm and logs the choice once", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await initBackend({ backend: "wasm" })).toBe("wasm");
    expect(await initBackend({ backend: "wasm" })).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0])).toBe(3);
    expect(log.mock.calls.filter(([m]) => String(m).includes("backend: wasm"))).toHaveLength(1);
  });

  test("the tensorflow backend fails with one message on how to install it when the package is absent", async () => {
    // The real import: neither of TensorFlow's Node packages is a dependency of the project.
    const error = await initBackend({ backend: "tensorflow", quiet: true }).catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toMatch(/needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node/);
    expect(error.message).toMatch(/npm install --no-save @tensorflow\/tfjs-node-gpu@4\.22\.0/);
  });

  test("the tensorflow backend tries tfjs-node-gpu first, then tfjs-node", async () => {
    const tried: string[] = [];
    const error = await initBackendWith({ backend: "tensorflow", quiet: true }, {
      importPackage: (name) => (tried.push(name), Promise.reject(new Error("Cannot find module"))),
    }).catch((e) => e);
    expect(tried).toEqual(["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]);
    expect(error.message).toMatch(/tfjs-node-gpu: Cannot find module; @tensorflow\/tfjs-node: Cannot find module/);
  });
});

describe("auto and webgpu", () => {
  const noTfjsNode = () => Promise.reject(new Error("Cannot find module"));

  const softwareAdapter = () =>
    Promise.resolve({ usable: false, description: "llvmpipe, a software fallback adapter" });

  test("auto takes native without native TensorFlow or a hardware GPU, and says why it skipped them", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    await initBackend({ backend: "cpu", quiet: true });
    const name = await initBackendWith({ backend: "auto" }, {
      importPackage: noTfjsNode,
      probeWebGpu: softwareAdapter,
    });
    expect(name).toBe("native");
    expect(log.mock.calls.map(([m]) => String(m)).join("\n")).toMatch(
      /backend: native \(OpenBLAS .*oneDNN 2\.\d+\.\d+, \d+ threads?\) \[auto; skipped tensorflow: .* not installed; WebGPU: llvmpipe, a software fallback adapter\]/,
    );
  });

  test("auto falls back to wasm when a native library is missing, naming the Debian package", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    await initBackend({ backend: "cpu", quiet: true });
    const missing = () => openLibrary("libdnnl-missing.so.2", "libdnnl2", {});
    const name = await initBackendWith({ backend: "auto" }, {
      importPackage: noTfjsNode,
      probeWebGpu: softwareAdapter,
      registerNative: missing,
    });
    expect(name).toBe("wasm");
    expect(log.mock.calls.map(([m]) => String(m)).join("\n")).toMatch(
      /backend: wasm .*WebGPU: llvmpipe, a software fallback adapter; native: the native backend needs libdnnl-missing\.so\.2 .*apt-get install libdnnl2/,
    );
  });

  test("NC_BACKEND=native with a missing library fails with one line naming the package", async () => {
    const missing = () => openLibrary("libopenblas-missing.so.0", "libopenblas0-pthread", {});
    const error = await initBackendWith({ backend: "native", quiet: true }, { registerNative: missing }).catch((e) =>
      e
    );
    expect(error).toBeInstanceOf(NativeLibraryError);
    expect(error.message).not.toContain("\n");
    expect(error.message).toMatch(/needs libopenblas-missing\.so\.0 .*`apt-get install libopenblas0-pthread`/);
  });

  test("webgpu is refused on a software fallback adapter", async () => {
    const error = await initBackendWith({ backend: "webgpu", quiet: true }, {
      probeWebGpu: () =>
        Promise.resolve({ usable: false, description: "llvmpipe (LLVM 15), a software fallback adapter" }),
    }).catch((e) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error.message).toMatch(
      /needs a hardware GPU adapter, but llvmpipe \(LLVM 15\), a software fallback adapter was found/,
    );
  });

  test("the WebGPU probe of this machine finds no hardware adapter (CPU-only machines)", async () => {
    const probe = await probeWebGpu();
    expect(probe.usable).toBe(false);
    expect(probe.description).toMatch(/software fallback adapter|no WebGPU/);
  });
});
