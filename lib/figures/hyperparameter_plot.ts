/**
 * Metrics at the end of training against a loss hyper-parameter, LS α and FL γ (notebook 06): per
 * value the mean over seeds, and each seed as a small hollow dot.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { LOSS } from "../core/loss_registry.ts";
import { mean } from "../core/statistics.ts";
import { formatAccuracy, formatMetric } from "../report/number_format.ts";
import { composeFigures } from "./compose.ts";
import { type FigureDataRow, withFigureData } from "./figure_data.ts";
import { figureLayout, type FigureStyleInput } from "./style.ts";
import { LOSS_MARK, lossLegendItems, lossScales } from "./loss_style.ts";
import { SEED_DOT, seedDotLegendItem } from "./seed_band.ts";
import { decadeAxis, legendStrip, plotSvg, type SvgFigure } from "./svg.ts";
import { accuracyDomain, type HyperparameterRow, labelledTicks, numeric, SEED_ACCURACY_MIN_SPAN } from "./run_plots.ts";

const geometricMean = (v: readonly number[]) => Math.exp(mean(v.map(Math.log)));

/** A metric of {@link hyperparameterPlot}: its column, axis label, and axis kind. */
export interface HyperparameterMetric {
  readonly column: string;
  readonly label: string;
  /** A decade axis and the geometric mean over seeds. */
  readonly log?: boolean;
  /** An accuracy in percent. */
  readonly accuracy?: boolean;
}

/**
 * Metrics against a loss hyper-parameter, LS α and FL γ on their own axes (notebook 06): per value
 * the mean over seeds (geometric for a `log` metric) as a line with the loss's symbol, and each
 * seed as a hollow dot at its value, drawn over the means. One panel per metric and loss: the metrics side by side with a
 * row per loss where three panels fit the width, else a column per loss with a row per metric.
 * Rows need `loss`, `loss_param` and the columns, one row per run. A `log` metric gets a decade
 * axis, an `accuracy` metric an axis spanning its seeds. The figure carries its data.
 *
 * @example
 * ```ts ignore (needs the summary frame of stored runs)
 * hyperparameterPlot(summary.toRecords(), { metrics: [{ column: "test_accuracy", label: "test accuracy (%)", accuracy: true }] });
 * ```
 */
export function hyperparameterPlot(
  rows: readonly HyperparameterRow[],
  options: { metrics: readonly HyperparameterMetric[]; style?: FigureStyleInput },
): SvgFigure {
  const L = figureLayout(options.style);
  const losses = (["ls", "fl"] as const).filter((l) => rows.some((r) => r.loss === l));
  const { metrics } = options;
  const byMetric = (L.width - L.gap * (metrics.length - 1)) / metrics.length >= 12 * L.font;
  const columns = byMetric ? metrics.length : losses.length;
  const width = (L.width - L.gap * (columns - 1)) / columns;
  const height = 13 * L.font;
  const symbolOf = (loss: "ls" | "fl") => LOSS[loss].parameter!.symbol;
  const axisOf = (loss: "ls" | "fl") =>
    `${LOSS[loss].label} ${loss === "ls" ? "smoothing" : "focusing"} ${symbolOf(loss)}`;
  const csv: FigureDataRow[] = [];
  const panel = (m: HyperparameterMetric, loss: "ls" | "fl") => {
    const all = rows.filter((r) => losses.includes(r.loss as "ls")).map((r) => numeric(r[m.column]))
      .filter((v) => Number.isFinite(v) && (!m.log || v > 0));
    const y = m.log
      ? decadeAxis(all, { length: height - L.marginTop - L.marginBottom, font: L.font })
      : m.accuracy
      ? { domain: accuracyDomain(all, { minSpan: SEED_ACCURACY_MIN_SPAN }), nice: true, ticks: 4 }
      : { ticks: 4, nice: true };
    const show = (v: number) => (m.accuracy ? `${formatAccuracy(v, "figure")} %` : formatMetric(v));
    const runs = rows.filter((r) => r.loss === loss && Number.isFinite(numeric(r[m.column])))
      .map((r) => ({ loss_param: r.loss_param, seed: r.seed, value: numeric(r[m.column]), label: LOSS[loss].label }));
    const values = [...new Set(runs.map((r) => r.loss_param))].sort((a, b) => a - b);
    const data = values.map((value) => {
      const v = runs.filter((r) => r.loss_param === value).map((r) => r.value);
      return { loss_param: value, value: m.log ? geometricMean(v) : mean(v), seeds: v.length, label: LOSS[loss].label };
    });
    csv.push(
      ...data.map((d) => ({
        loss: d.label,
        loss_param: d.loss_param,
        metric: m.column,
        seed: m.log ? "geometric mean" : "mean",
        value: d.value,
        seeds: d.seeds,
      })),
      ...runs.map((d) => ({
        loss: d.label,
        loss_param: d.loss_param,
        metric: m.column,
        seed: d.seed as FigureDataRow[string],
        value: d.value,
      })),
    );
    const domain: [number, number] = [Math.min(...values), Math.max(...values)];
    const labelled = new Set(
      labelledTicks(values, { domain, length: width - L.marginLeft - L.marginRight, font: L.font }),
    );
    const name = (v: number) => `${LOSS[loss].label} · ${symbolOf(loss)} = ${v}`;
    return plotSvg({
      width,
      height,
      ...L.margins,
      ...lossScales(),
      x: {
        label: axisOf(loss),
        ticks: values,
        tickFormat: (v: number) => (labelled.has(v) ? String(v) : ""),
        inset: 0.8 * L.font,
      },
      y: { label: m.label, grid: true, ...y },
      marks: [
        Plot.line(data, {
          x: "loss_param",
          y: "value",
          stroke: "label",
          strokeWidth: LOSS_MARK.strokeWidth,
          sort: "loss_param",
        }),
        Plot.dot(data, {
          x: "loss_param",
          y: "value",
          stroke: "label",
          fill: "label",
          symbol: "label",
          r: LOSS_MARK.r,
          title: (d: (typeof data)[number]) =>
            `${name(d.loss_param)}: ${m.label} ${show(d.value)} (${
              m.log ? "geometric mean" : "mean"
            } of ${d.seeds} seeds)`,
        }),
        // Each seed at its value, over the means, hollow (white inside), so that neither hides the other.
        Plot.dot(runs, {
          x: "loss_param",
          y: "value",
          stroke: "label",
          r: SEED_DOT.r,
          strokeWidth: SEED_DOT.strokeWidth,
          fill: SEED_DOT.fill,
          title: (d: (typeof runs)[number]) => `${name(d.loss_param)} · seed ${d.seed}: ${m.label} ${show(d.value)}`,
        }),
      ],
    }, { style: L.style });
  };
  const panels = byMetric
    ? losses.flatMap((loss) => metrics.map((m) => panel(m, loss)))
    : metrics.flatMap((m) => losses.map((loss) => panel(m, loss)));
  const collapse = metrics.filter((m) => /^(nc[123]|gnc2|unc3|cdnv)/i.test(m.column)).map((m) => m.label);
  const legend = legendStrip([
    ...lossLegendItems(losses),
    seedDotLegendItem(),
    ...(collapse.length ? [{ label: `${collapse.join(", ")}: lower = more collapse`, color: "#333", note: true }] : []),
  ], { width: L.width, style: L.style });
  const figure = composeFigures([legend, composeFigures(panels, { columns, gap: L.gap })], {
    columns: 1,
    gap: L.gap / 2,
  });
  return withFigureData(figure, csv);
}
