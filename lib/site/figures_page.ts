/**
 * The figures page of the write-up: every figure of `figures/` inline (so its marks' tooltips show
 * on hover), each with its anchor, links to its PDF, PNG and the CSV of the data it draws where
 * those exist, and the notebook that makes it.
 *
 * @module
 */
import { escapeHtml } from "./html.ts";
import { inlineSvg } from "./inline_svg.ts";

/** One figure of the figures page. */
export interface FigureEntry {
  /** The file name without `.svg`, also the figure's anchor on the page. */
  readonly name: string;
  /** The SVG file's text. */
  readonly svg: string;
  /** Site paths of its other files, by kind (`pdf`, `png`, `csv`), where they exist. */
  readonly files: Readonly<Partial<Record<"svg" | "pdf" | "png" | "csv", string>>>;
  /** The page and title of the notebook that makes it, where known. */
  readonly notebook?: { readonly href: string; readonly title: string };
}

const DOWNLOADS = [["svg", "SVG"], ["pdf", "PDF"], ["png", "PNG"], ["csv", "data (CSV)"]] as const;

/**
 * The HTML of the figures page's content.
 *
 * @example
 * ```ts
 * const html = figuresPageBody([{
 *   name: "accuracy_table",
 *   svg: '<svg width="10" height="10"><circle r="2"><title>CE: 81.9 %</title></circle></svg>',
 *   files: { svg: "figures/accuracy_table.svg", csv: "figures/accuracy_table.csv" },
 * }]);
 * html.includes('<section class="figure-card" id="accuracy_table">'); // true
 * html.includes('<a href="figures/accuracy_table.csv">data (CSV)</a>'); // true
 * html.includes("<title>CE: 81.9 %</title>"); // true
 * ```
 */
export function figuresPageBody(figures: readonly FigureEntry[]): string {
  const index = figures.map((f) => `<li><a href="#${escapeHtml(f.name)}">${escapeHtml(f.name)}</a></li>`);
  const cards = figures.map((figure, i) => {
    const downloads = DOWNLOADS.filter(([kind]) => figure.files[kind] !== undefined)
      .map(([kind, label]) => `<a href="${escapeHtml(figure.files[kind]!)}">${label}</a>`);
    const made = figure.notebook
      ? ` · made by <a href="${escapeHtml(figure.notebook.href)}">${escapeHtml(figure.notebook.title)}</a>`
      : "";
    return `<section class="figure-card" id="${escapeHtml(figure.name)}">
<h2>${escapeHtml(figure.name)}</h2>
<div class="figure">${inlineSvg(figure.svg, `f${i + 1}-`)}</div>
<p class="downloads">${downloads.join("")}${made}</p>
</section>`;
  });
  const count = figures.length === 1 ? "1 figure" : `${figures.length} figures`;
  return `<h1>Figures</h1>
<p>${count}, as the notebooks export them. Where a figure's marks carry values, hovering over a mark shows
them; each figure links to its files, and its CSV holds the rows it draws.</p>
<ul class="figure-index">
${index.join("\n")}
</ul>
${cards.join("\n")}`;
}
