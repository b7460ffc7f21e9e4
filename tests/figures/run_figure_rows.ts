/**
 * Synthetic rows shaped like the stored runs' frames, for the figure tests: seeded, several seeds,
 * epochs log-spaced early and every 10th later (as the `cpu` preset evaluates), so that every figure
 * is drawn at the density and range it meets in the notebooks.
 */
import { createRng } from "../../lib/core/random.ts";

const rng = createRng("run-figure-rows");
export const LOSSES = ["ce", "ls", "fl", "mse"] as const;
export const SEEDS = [1, 2, 3] as const;

/** 16 log-spaced epochs from 1 to 1,400, and every 10th (as `evalEpochs: { logSpaced: 16, every: 10 }`). */
export const EPOCHS: readonly number[] = [
  ...new Set([
    ...Array.from({ length: 16 }, (_, i) => Math.round(1400 ** (i / 15))),
    ...Array.from({ length: 140 }, (_, i) => 10 * (i + 1)),
  ]),
].sort((a, b) => a - b);

/** The learning-rate phase of an epoch of a 1,400-epoch run (decays after 600 and 1,000). */
const phase = (epoch: number) => (epoch <= 600 ? 0 : epoch <= 1000 ? 1 : 2);

/** `metricsFrame` records: per loss, seed and evaluation, NC1–NC4 and accuracies in percent. */
export const curveRows = LOSSES.flatMap((loss, i) =>
  SEEDS.flatMap((seed) =>
    EPOCHS.map((epoch) => {
      const p = phase(epoch), noise = p === 0 ? 0.25 : 0.05;
      return {
        loss,
        seed,
        epoch,
        nc1: (0.5 + 0.1 * i) * epoch ** -0.3 * [1, 0.1, 0.05][p] * Math.exp(noise * rng.normal()),
        nc2: (0.2 + 0.1 * i) * [1, 0.6, 0.5][p] * (1 + 1 / epoch),
        nc3: (0.3 + 0.1 * i) * [1, 0.3, 0.2][p] * (1 + 1 / epoch),
        nc4: loss === "mse" ? 4.74 + 0.1 * rng.normal() : (1.5 - 0.5 * p) * Math.exp(0.2 * rng.normal()),
        trainAccuracy: p === 0 ? 100 - 25 / Math.sqrt(epoch) - Math.abs(3 * rng.normal()) : 100,
        testAccuracy: 82 - (p === 0 ? 8 / epoch ** 0.3 + Math.abs(2 * rng.normal()) : 0) + 0.3 * rng.normal(),
      };
    })
  )
);

/** `layerMetricsFrame` records: three hidden layers, the deeper collapsing faster. */
export const layerRows = LOSSES.flatMap((loss) =>
  SEEDS.flatMap((seed) =>
    [1, 2, 3].flatMap((depth) =>
      EPOCHS.map((epoch) => ({
        loss,
        seed,
        epoch,
        depth,
        layer: `layer ${depth}`,
        nc1: epoch ** (-0.2 * depth) * [1, 0.3, 0.2][phase(epoch)] * Math.exp(0.2 * rng.normal()) / depth,
        nc2Means: (0.9 / Math.sqrt(depth)) * [1, 0.7, 0.6][phase(epoch)] * Math.exp(0.05 * rng.normal()),
      }))
    )
  )
);

/** `summaryFrame` records of the width × budget grid: one run per loss, width, budget and seed. */
export const budgetRows = LOSSES.flatMap((loss, i) =>
  [16, 64, 256].flatMap((width) =>
    [25, 100, 400, 1400].flatMap((epochs) =>
      SEEDS.map((seed) => ({
        loss,
        width,
        epochs,
        seed,
        test_accuracy: 80 + Math.log2(width) / 4 + 0.05 * i + 0.35 * rng.normal(),
      }))
    )
  )
);

const PARAMS = { ls: [0, 0.05, 0.1, 0.2, 0.4], fl: [0, 1, 2, 3, 5] } as const;

/** `summaryFrame` records of the hyper-parameter runs: LS α and FL γ, three seeds each. */
export const hyperparameterRows = (["ls", "fl"] as const).flatMap((loss) =>
  PARAMS[loss].flatMap((loss_param) =>
    SEEDS.map((seed) => ({
      loss,
      loss_param,
      seed,
      test_accuracy: 82.5 + (loss === "ls" ? loss_param : -loss_param / 8) + 0.25 * rng.normal(),
      nc1: (loss === "ls" ? 0.25 / (1 + 3 * loss_param) : 0.22 * (1 + loss_param / 5)) * Math.exp(0.1 * rng.normal()),
      nc2: (loss === "ls" ? 0.7 / (1 + 5 * loss_param) : 0.7) * Math.exp(0.05 * rng.normal()),
    }))
  )
);

/** `metricsFrame` records of the hyper-parameter runs: NC1 at 10 log-spaced epochs of 40. */
export const trajectoryRows = hyperparameterRows.flatMap((r) =>
  [1, 2, 3, 4, 6, 9, 13, 19, 28, 40].map((epoch) => ({
    loss: r.loss,
    loss_param: r.loss_param,
    seed: r.seed,
    epoch,
    nc1: (5 / epoch) * (1 + (r.loss === "fl" ? r.loss_param / 5 : 0)) * Math.exp(0.15 * rng.normal()) + r.nc1,
  }))
);

/** Each seed's test accuracy at the best-validation and the last epoch, per loss. */
export const seedAccuracies = ["best-validation epoch", "last epoch"].flatMap((dataset, d) =>
  LOSSES.flatMap((loss, i) =>
    SEEDS.map((seed) => ({ dataset, loss, seed, value: 81.8 + 0.2 * i - 0.3 * d + 0.35 * rng.normal() }))
  )
);

/** Mean and sample sd over seeds of {@link seedAccuracies}, per panel and loss (an `accuracyTable`). */
export const accuracyRows = ["best-validation epoch", "last epoch"].flatMap((dataset) =>
  LOSSES.map((loss) => {
    const v = seedAccuracies.filter((s) => s.dataset === dataset && s.loss === loss).map((s) => s.value);
    const mean = v.reduce((a, x) => a + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
    return { dataset, loss, mean, sd };
  })
);
