/**
 * The figure defaults of the project, in one place: font, background, the widths and heights of
 * whole figures and panels, margins and text sizes. Every figure function reads them from here; a
 * figure's options can still override its width.
 *
 * @module
 */

/** Sizes (px), margins and fonts shared by the figures. */
export const FIGURE_DEFAULTS = {
  /** Font stack written into every figure so that text renders alike in notebooks, files and PNGs. */
  font: "DejaVu Sans, Helvetica, Arial, sans-serif",
  background: "white",
  /** Widths: a full-width figure, a medium and a narrow one, one heat-map, one curve panel. */
  width: { full: 900, medium: 640, narrow: 480, heatmap: 330, panel: 300 },
  /** Heights: a row of panels, a tall figure, bars, a hyper-parameter panel, a curve panel, a colour ramp. */
  height: { row: 300, tall: 380, bars: 260, hyperparameterPanel: 240, panel: 230, colorRamp: 44 },
  /** Left margins: with tick labels of numbers, compact (curves), with row labels (landscape). */
  marginLeft: { standard: 60, compact: 55, rowLabels: 110 },
  marginRight: 20,
  /** Text sizes of the heat-maps' annotations and titles. */
  fontSize: { annotation: 12, title: 13 },
  /** Gap between composed panels. */
  gap: 12,
} as const;
