/**
 * Presets: the sizes at which notebooks and the main job run.
 *
 * - `smoke`: seconds; for the tests that execute every notebook.
 * - `cpu` (default): the scale of the committed figures, within an hour on a 2-core machine.
 * - `paper`: the paper's grids (deep-network figures; meant for a GPU). The UFM studies are cheap
 *   and use their `cpu` sizes at this preset.
 *
 * A notebook reads its preset from `NC_PRESET` and its run store from `NC_RUNS_DIR` (default: the
 * repository's `runs/`).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { readEnvironmentVariable } from "../environment.ts";

/** Preset names. */
export const PRESET_NAMES = ["smoke", "cpu", "paper"] as const;
/** A preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** An unknown preset name. */
export class PresetError extends Error {
  override name = "PresetError";
}

/**
 * The preset named by the argument, else by `NC_PRESET`, else `cpu`.
 *
 * @example
 * ```ts
 * const preset = resolvePreset(); // "cpu" unless NC_PRESET says otherwise
 * ```
 */
export function resolvePreset(name?: string): PresetName {
  const value = name ?? readEnvironmentVariable("NC_PRESET");
  if (!(PRESET_NAMES as readonly string[]).includes(value)) {
    throw new PresetError(
      `unknown preset "${value}"${name ? "" : " (from NC_PRESET)"}; choose one of ${PRESET_NAMES.join(", ")}`,
    );
  }
  return value as PresetName;
}

/** The run store of notebooks and the main job: `NC_RUNS_DIR`, else the repository's `runs/`. */
export function runsDir(): string {
  return readEnvironmentVariable("NC_RUNS_DIR") ?? fileURLToPath(new URL("../../runs", import.meta.url));
}

/** Sizes of the UFM studies (notebooks 01 and 02). */
export interface UfmPreset {
  /** Problem of the global-minimizer study (01). */
  readonly K: number;
  readonly n: number;
  readonly d: number;
  readonly lambda: number;
  /** Weight decays of the ‖w_k‖²-against-λ sweep (optimised points). */
  readonly sweepLambdas: readonly number[];
  /** Landscape study (02): samples per class, feature dimensions, seeds per setting. */
  readonly landscapeN: number;
  readonly landscapeDims: readonly number[];
  readonly landscapeSeeds: number;
  /** Iteration cap of each landscape run. */
  readonly landscapeMaxIterations: number;
}

/** UFM sizes per preset. */
const UFM_SIZES: Readonly<Record<"smoke" | "cpu", UfmPreset>> = {
  smoke: {
    K: 4,
    n: 5,
    d: 6,
    lambda: 5e-3,
    sweepLambdas: [1e-3, 1e-2],
    landscapeN: 3,
    landscapeDims: [2, 3, 6],
    landscapeSeeds: 2,
    landscapeMaxIterations: 2000,
  },
  cpu: {
    K: 10,
    n: 50,
    d: 64,
    lambda: 5e-4,
    sweepLambdas: [1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
    landscapeN: 20,
    landscapeDims: [5, 9, 20],
    landscapeSeeds: 20,
    landscapeMaxIterations: 5000,
  },
};

/** UFM sizes per preset (`paper` uses the `cpu` sizes: the UFM needs no GPU). */
export const UFM_PRESETS: Readonly<Record<PresetName, UfmPreset>> = { ...UFM_SIZES, paper: UFM_SIZES.cpu };
