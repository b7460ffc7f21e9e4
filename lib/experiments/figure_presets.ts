/**
 * The run grids behind each deep-network figure, at three scales:
 *
 * - `smoke`: a synthetic Gaussian mixture and tiny MLPs; seconds (the tests execute every notebook
 *   at this scale).
 * - `cpu` (default): Fashion-MNIST with 3-hidden-layer MLPs with batch norm on a per-class subset of
 *   the training split (2,000 images), trained with the recipe that collapses: three seeds of a
 *   1,400-epoch run per loss, and heat-maps over widths 16–256 and budgets of 25–1,400 epochs whose
 *   widest, longest cell is that run (and the accuracy table's); three seeds per hyper-parameter
 *   value. Sized so that `deno task reproduce` finishes within an hour on a 2-core machine with the
 *   native backend (measured costs in the README).
 * - `paper`: the paper's CIFAR / wide ResNet-50 grids (docs/method.md §7), meant for a GPU, trained
 *   with the reference code's recipe A (sum reduction, batch 128, decay one epoch early): the
 *   command files behind the paper's figures were written against that state of the code
 *   (docs/method.md §6). The `smoke` and `cpu` presets use the project recipe.
 *
 * @module
 */
import { defaultLosses } from "../core/loss_registry.ts";
import type { LossSpec } from "../core/losses.ts";
import { PRESET_NAMES, type PresetName } from "./presets.ts";
import type { SweepGrid } from "./sweep.ts";

/** Figures with a run grid. */
export const FIGURE_NAMES = ["nc_dynamics", "heatmaps", "accuracy_table", "hyperparameters"] as const;
/** A figure name. */
export type FigureName = (typeof FIGURE_NAMES)[number];

/** Presets of the deep-network figures. */
export const FIGURE_PRESET_NAMES = PRESET_NAMES;
/** A figure preset. */
export type FigurePreset = PresetName;

/** An unknown figure or preset. */
export class FigurePresetError extends Error {
  override name = "FigurePresetError";
}

const SMOKE_BASE = {
  dataset: "synthetic",
  synthetic: { numClasses: 4, dim: 16, trainPerClass: 60, testPerClass: 30, separation: 3 },
  model: "mlp",
  depth: 2,
  batchSize: 32,
};

const CPU_BASE = { dataset: "fashion-mnist", model: "mlp", depth: 3 };

/**
 * What makes every loss collapse on 2,000 Fashion-MNIST images within the CPU budget (notebook 03
 * keeps the table of what was tried): batch norm before each ReLU, the reference recipe's SGD and
 * step schedule with weight decay 2e-3 instead of 5e-4, and 1,400 epochs, so that 400 of them run at
 * lr 0.01, where collapse progresses fastest. Every run of the NC-dynamics figure and the heat-maps
 * shares it, with NC metrics (and those of each hidden layer) at 16 log-spaced epochs and every
 * 10th (short excursions at lr 0.01, a few epochs long, show as what they are rather than as a jump
 * between two distant evaluations): the heat-maps' widest and longest cell is then the NC-dynamics
 * run itself, trained once.
 */
const CPU_COLLAPSE = {
  ...CPU_BASE,
  perClass: 200,
  batchNorm: true,
  weightDecay: 2e-3,
  layerMetrics: true,
  evalEpochs: { logSpaced: 16, every: 10 },
};
/** The seeds of every `cpu` grid trained into collapse. */
const CPU_SEEDS = [1, 2, 3];

/** The same at the smoke scale: the heat-maps' widest, longest cell is the NC-dynamics run. */
const SMOKE_COLLAPSE = { ...SMOKE_BASE, batchNorm: true, layerMetrics: true, evalEpochs: { logSpaced: 4, every: 2 } };

/** The paper's figures most likely come from the May-2022 reference code: recipe A. */
const PAPER_RECIPE = "reference-a";

const GRIDS: Record<"nc_dynamics" | "heatmaps", Record<FigurePreset, SweepGrid>> = {
  nc_dynamics: {
    smoke: { base: SMOKE_COLLAPSE, losses: defaultLosses(), widths: [32], epochs: [12], seeds: [1, 2] },
    cpu: { base: CPU_COLLAPSE, losses: defaultLosses(), widths: [256], epochs: [1400], seeds: CPU_SEEDS },
    paper: {
      base: { dataset: "cifar100", model: "resnet50", recipe: PAPER_RECIPE, layerMetrics: true, evalEpochs: "auto" },
      losses: defaultLosses({ alpha: 0.05 }),
      widths: [2],
      epochs: [800],
      seeds: [1],
    },
  },
  heatmaps: {
    smoke: { base: SMOKE_COLLAPSE, losses: defaultLosses(), widths: [8, 32], epochs: [4, 12], seeds: [1, 2] },
    cpu: {
      base: CPU_COLLAPSE,
      losses: defaultLosses(),
      widths: [16, 64, 256],
      epochs: [25, 100, 400, 1400],
      seeds: CPU_SEEDS,
    },
    paper: {
      base: { dataset: "cifar10", model: "resnet50", recipe: PAPER_RECIPE, evalEpochs: "auto" },
      losses: defaultLosses(),
      widths: [0.25, 0.5, 1, 2],
      epochs: [100, 200, 400, 800],
      seeds: [0, 1, 2],
    },
  },
};

/** Loss hyper-parameter values of the beyond-the-paper sweep (notebook 06). */
const HYPERPARAMETER_VALUES = {
  alpha: [0, 0.05, 0.1, 0.2, 0.4],
  gamma: [0, 1, 2, 3, 5],
} as const;

function hyperparameterGrid(preset: FigurePreset): SweepGrid {
  const losses: LossSpec[] = [
    ...HYPERPARAMETER_VALUES.alpha.map((alpha) => ({ name: "ls", alpha }) as LossSpec),
    ...HYPERPARAMETER_VALUES.gamma.map((gamma) => ({ name: "fl", gamma }) as LossSpec),
  ];
  switch (preset) {
    case "smoke":
      return {
        base: { ...SMOKE_BASE, evalEpochs: { logSpaced: 3 } },
        losses,
        widths: [32],
        epochs: [6],
        seeds: [0, 1],
      };
    case "cpu":
      return {
        base: { ...CPU_BASE, perClass: 200, evalEpochs: { logSpaced: 10 } },
        losses,
        widths: [128],
        epochs: [40],
        seeds: [0, 1, 2],
      };
    case "paper":
      return {
        base: { dataset: "cifar10", model: "resnet50", recipe: PAPER_RECIPE, evalEpochs: { logSpaced: 10 } },
        losses,
        widths: [1],
        epochs: [200],
        seeds: [0],
      };
  }
}

/**
 * The grid of a figure at a preset. The accuracy table reads the heat-map runs at the largest width
 * and longest budget, so its grid is that corner of the heat-map grid (runs shared, not repeated).
 *
 * @example
 * ```ts
 * figureGrid("heatmaps", "cpu"); // 4 losses × 3 widths × 4 budgets × 3 seeds
 * ```
 */
export function figureGrid(figure: string, preset: string): SweepGrid {
  if (!(FIGURE_NAMES as readonly string[]).includes(figure)) {
    throw new FigurePresetError(`unknown figure "${figure}"; choose one of ${FIGURE_NAMES.join(", ")}`);
  }
  if (!(FIGURE_PRESET_NAMES as readonly string[]).includes(preset)) {
    throw new FigurePresetError(`unknown preset "${preset}"; choose one of ${FIGURE_PRESET_NAMES.join(", ")}`);
  }
  const p = preset as FigurePreset;
  if (figure === "hyperparameters") return hyperparameterGrid(p);
  if (figure === "accuracy_table") {
    const heat = GRIDS.heatmaps[p];
    return { ...heat, widths: [Math.max(...heat.widths)], epochs: [Math.max(...heat.epochs)] };
  }
  return GRIDS[figure as "nc_dynamics" | "heatmaps"][p];
}
