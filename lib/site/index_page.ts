/**
 * The front page of the write-up: what the project is (the README's opening), the notebooks with
 * the claim each one tests, and the pages of figures, key numbers and method.
 *
 * @module
 */
import { escapeHtml } from "./html.ts";

/** A notebook as the front page lists it. */
export interface IndexNotebook {
  readonly href: string;
  readonly title: string;
  /** The HTML of its first paragraph. */
  readonly summary: string;
  readonly executed: boolean;
  readonly figures: number;
}

/** What the front page shows. */
export interface IndexContent {
  /** The page's heading. */
  readonly title: string;
  /** The HTML of the opening paragraph (may be empty). */
  readonly intro: string;
  readonly notebooks: readonly IndexNotebook[];
  /** The other pages, with a line on each. */
  readonly pages: readonly { readonly href: string; readonly title: string; readonly about: string }[];
}

/**
 * The HTML of the front page's content.
 *
 * @example
 * ```ts
 * const html = indexPageBody({
 *   title: "Results",
 *   intro: "<p>What this is.</p>",
 *   notebooks: [{ href: "01_ufm.html", title: "01 · UFM", summary: "<p>Every loss …</p>", executed: true, figures: 2 }],
 *   pages: [{ href: "figures.html", title: "Figures", about: "every figure" }],
 * });
 * html.includes('<a href="01_ufm.html">01 · UFM</a> <span class="badge">2 figures</span>'); // true
 * ```
 */
export function indexPageBody(content: IndexContent): string {
  const notebooks = content.notebooks.map((nb) => {
    const badge = nb.executed
      ? `<span class="badge">${nb.figures === 1 ? "1 figure" : `${nb.figures} figures`}</span>`
      : `<span class="badge">not executed: no outputs</span>`;
    return `<li><a href="${escapeHtml(nb.href)}">${escapeHtml(nb.title)}</a> ${badge}
<div class="summary">${nb.summary}</div></li>`;
  });
  const pages = content.pages.map((p) =>
    `<li><a href="${escapeHtml(p.href)}">${escapeHtml(p.title)}</a>: ${escapeHtml(p.about)}</li>`
  );
  return `<h1>${escapeHtml(content.title)}</h1>
${content.intro}
<h2 id="notebooks">Notebooks</h2>
<ul class="notebook-list">
${notebooks.join("\n")}
</ul>
<h2 id="more">Figures, key numbers and method</h2>
<ul>
${pages.join("\n")}
</ul>`;
}
