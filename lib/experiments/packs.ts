/**
 * How a sweep packs its runs (`training/run_pack.ts`): `--pack auto|off|N`.
 *
 * Runs to train that share a pack key (`packKey`: data, network shape, budget) are grouped in the
 * order of the grid and cut into packs of at most N runs, of sizes that differ by at most one.
 * `auto` takes N = {@link PACK_AUTO_LIMIT}, then splits the largest pack while there are fewer
 * packs than jobs, so that no core idles while one pack trains. `off` trains every run alone;
 * so do runs that cannot be packed (ResNets, augmented evaluation). The plan depends only on the
 * grid, what the store holds, the setting and the job count: the same sweep makes the same packs
 * (and a run's results do not depend on its pack: `tests/training/packed.test.ts`).
 *
 * @module
 */
import { type TrainConfig } from "../training/config.ts";
import { packable, packKey } from "../training/packed_trainer.ts";

/** How a sweep packs: automatically, never, or at most N runs a pack. */
export type PackSetting = "auto" | "off" | number;

/**
 * Most runs in one `auto` pack: the per-step arithmetic of the `cpu` presets' MLPs is then several
 * times their bookkeeping (`bench/README.md`), and the pack's evaluation buffers stay small.
 */
export const PACK_AUTO_LIMIT = 16;

/** Most runs a pack may hold (`--pack N`): beyond it one pack's buffers outgrow a node's memory. */
export const PACK_MAX = 256;

/** A pack setting that is not auto, off or an integer in [1, {@link PACK_MAX}]. */
export class PackSettingError extends Error {
  override name = "PackSettingError";
}

/**
 * Reads `--pack`: "auto", "off" or an integer in [1, {@link PACK_MAX}].
 *
 * @example
 * ```ts
 * parsePackSetting("4"); // 4
 * ```
 */
export function parsePackSetting(value: string): PackSetting {
  if (value === "auto" || value === "off") return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > PACK_MAX) {
    throw new PackSettingError(
      `--pack must be auto, off or an integer in [1, ${PACK_MAX}] (runs per pack), got "${value}"`,
    );
  }
  return n;
}

/**
 * The work items of a sweep: each a list of indices into `configs` (one index: the run trains
 * alone). Only the indices in `toTrain` are planned. Items come longest first (epochs × runs ×
 * width, ties in grid order), so that parallel jobs do not end waiting on one long pack.
 *
 * @example
 * ```ts
 * const configs = expandGrid(figureGrid("heatmaps", "cpu")); // 144 runs, 12 shapes of 12
 * planPacks(configs, configs.map((_, i) => i), { pack: "auto", jobs: 2 }).length; // 20 packs of 12
 * ```
 */
export function planPacks(
  configs: readonly TrainConfig[],
  toTrain: readonly number[],
  options: { pack: PackSetting; jobs: number },
): number[][] {
  const { pack, jobs } = options;
  if (pack === "off" || pack === 1) return toTrain.map((i) => [i]);
  const limit = pack === "auto" ? PACK_AUTO_LIMIT : pack;
  const groups = new Map<string, number[]>();
  const items: number[][] = [];
  for (const i of toTrain) {
    if (!packable(configs[i])) {
      items.push([i]);
      continue;
    }
    const key = packKey(configs[i]);
    if (!groups.has(key)) items.push(groups.set(key, []).get(key)!);
    groups.get(key)!.push(i);
  }
  let plan = items.flatMap((item) => split(item, Math.ceil(item.length / limit)));
  if (pack === "auto") {
    while (plan.length > 0 && plan.length < jobs) {
      const largest = plan.reduce((best, item, k) => (item.length > plan[best].length ? k : best), 0);
      if (plan[largest].length < 2) break;
      plan = [...plan.slice(0, largest), ...split(plan[largest], 2), ...plan.slice(largest + 1)];
    }
  }
  const cost = (item: number[]) => item.length * configs[item[0]].epochs * configs[item[0]].width;
  return plan.map((item, k) => ({ item, k })).sort((a, b) => cost(b.item) - cost(a.item) || a.k - b.k).map((e) =>
    e.item
  );
}

/** `items` cut into `parts` consecutive pieces whose sizes differ by at most one. */
function split(items: readonly number[], parts: number): number[][] {
  const out: number[][] = [];
  for (let p = 0, at = 0; p < parts; p++) {
    const size = Math.floor(items.length / parts) + (p < items.length % parts ? 1 : 0);
    out.push(items.slice(at, at += size));
  }
  return out;
}
