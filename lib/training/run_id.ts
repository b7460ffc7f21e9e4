/**
 * A run's identity: the content hash of its normalised configuration, and how two configurations
 * differ (what a resume refuses to change).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { TrainConfig } from "./config.ts";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${
      Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
        .join(",")
    }}`;
  }
  return JSON.stringify(value);
}

/**
 * The keys (dotted for nested values) in which two configurations differ, sorted; none when they
 * describe the same run.
 *
 * @example
 * ```ts
 * const a = normalizeTrainConfig({ loss: { name: "fl" } });
 * configDifferences(a, { ...a, seed: 2, loss: { name: "fl", gamma: 1 } }); // ["loss.gamma", "seed"]
 * ```
 */
export function configDifferences(a: TrainConfig, b: TrainConfig): string[] {
  const differ = (x: unknown, y: unknown, path: string): string[] => {
    const isRecord = (v: unknown): v is Record<string, unknown> =>
      v !== null && typeof v === "object" && !Array.isArray(v);
    if (isRecord(x) && isRecord(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
      return keys.flatMap((k) => differ(x[k], y[k], path ? `${path}.${k}` : k));
    }
    return canonical(x) === canonical(y) ? [] : [path];
  };
  return differ(a, b, "");
}

/**
 * Keys added after runs had been stored, with the value those runs had. Such a key enters a run's
 * identity only when it differs from that value (stored runs keep their ids), and a checkpoint
 * written without it is read as having that value (stored runs still resume).
 */
export const LATER_KEYS: Readonly<Partial<TrainConfig>> = { layerMetrics: false };

/**
 * The run's identity: a readable prefix and the first 10 hex digits of the SHA-256 of the
 * canonical JSON of the normalised config (key order does not matter).
 *
 * @example
 * ```ts
 * runId(normalizeTrainConfig({ loss: { name: "ls" } })); // "fashion-mnist-mlp-w512-ls-e30-s0-b75596596c"
 * ```
 */
export function runId(config: TrainConfig): string {
  const hashed: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(LATER_KEYS)) {
    if (canonical(hashed[key]) === canonical(value)) delete hashed[key];
  }
  const hash = createHash("sha256").update(canonical(hashed)).digest("hex").slice(0, 10);
  return `${config.dataset}-${config.model}-w${config.width}-${config.loss.name}-e${config.epochs}-s${config.seed}-${hash}`;
}
