/**
 * Named training recipes: the optimisation settings that go together (docs/method.md §6).
 *
 * The reference code exists in two states that train differently:
 * - `reference-a`: the May-2022 state whose command files produced the paper's figures, most likely:
 *   sum reduction (for MSE over the batch and the classes), batch 128;
 * - `reference-b`: the November-2022 public release: mean reduction, batch 100.
 * Both step the learning-rate scheduler at the start of every epoch, so the ×0.1 decays come one
 * epoch early (`schedule: "reference"`). The project's own default, `project`, is neither: mean
 * reduction, batch 128 and the standard schedule. All three use SGD with lr 0.1, momentum 0.9,
 * coupled weight decay 5e-4 and gradient clipping to norm 2.
 *
 * A configuration records the recipe its settings amount to (`custom` when they match none), so a
 * run's record never claims a recipe it did not follow.
 *
 * @module
 */

/** Names of the recipes. */
export const RECIPE_NAMES = ["project", "reference-a", "reference-b"] as const;
/** A named recipe. */
export type RecipeName = (typeof RECIPE_NAMES)[number];
/** A recipe name, or `custom` for settings that match none. */
export type RecipeLabel = RecipeName | "custom";

/** The settings a recipe fixes. */
export interface RecipeSettings {
  reduction: "mean" | "sum";
  batchSize: number;
  schedule: "standard" | "reference";
  lr: number;
  momentum: number;
  weightDecay: number;
  clipNorm: number;
}

/** The configuration keys a recipe fixes, in display order. */
export const RECIPE_KEYS = ["reduction", "batchSize", "schedule", "lr", "momentum", "weightDecay", "clipNorm"] as const;

const SGD = { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, clipNorm: 2 } as const;

/** Every recipe's settings. */
export const RECIPES: Readonly<Record<RecipeName, Readonly<RecipeSettings>>> = {
  project: { reduction: "mean", batchSize: 128, schedule: "standard", ...SGD },
  "reference-a": { reduction: "sum", batchSize: 128, schedule: "reference", ...SGD },
  "reference-b": { reduction: "mean", batchSize: 100, schedule: "reference", ...SGD },
};

/**
 * The recipe that a configuration's settings amount to, or `custom`.
 *
 * @example
 * ```ts
 * recipeOf({ ...RECIPES["reference-a"] });             // "reference-a"
 * recipeOf({ ...RECIPES.project, batchSize: 32 });     // "custom"
 * ```
 */
export function recipeOf(settings: RecipeSettings): RecipeLabel {
  for (const name of RECIPE_NAMES) {
    if (RECIPE_KEYS.every((key) => settings[key] === RECIPES[name][key])) return name;
  }
  return "custom";
}

/**
 * One line naming a recipe and its settings, for logs.
 *
 * @example
 * ```ts
 * describeRecipe("reference-a", RECIPES["reference-a"]);
 * // "reference-a: sum reduction (MSE: over batch and classes), batch 128, SGD lr 0.1 ×0.1 at int(3E/7) and int(5E/7) one epoch early, momentum 0.9, weight decay 5e-4, clip 2"
 * ```
 */
export function describeRecipe(label: RecipeLabel, settings: RecipeSettings): string {
  const reduction = settings.reduction === "sum" ? "sum reduction (MSE: over batch and classes)" : "mean reduction";
  const schedule = settings.schedule === "reference" ? " one epoch early" : "";
  return `${label}: ${reduction}, batch ${settings.batchSize}, SGD lr ${settings.lr} ×0.1 at int(3E/7) and int(5E/7)${schedule}, momentum ${settings.momentum}, weight decay ${settings.weightDecay}, clip ${
    settings.clipNorm || "off"
  }`;
}
