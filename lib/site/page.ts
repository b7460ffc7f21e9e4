/**
 * The frame of every page of the write-up: a head that loads only the site's own style sheet, a
 * navigation bar with every page, the body, and links to the previous and next page.
 *
 * @module
 */
import { escapeHtml } from "./html.ts";

/** A page in the navigation: its file (from the site root), its short label and its full title. */
export interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly title: string;
}

/** Options of {@link pageHtml}. */
export interface PageOptions {
  /** The page's title (the browser tab and the header). */
  title: string;
  /** The HTML of the page's content. */
  body: string;
  /** Every page, in reading order. */
  nav: readonly NavItem[];
  /** This page's file, as in `nav`. */
  href: string;
  /** The site's name, shown first in the navigation. Default "Results". */
  site?: string;
  /** The style sheet, from the site root. Default `assets/site.css`. */
  stylesheet?: string;
}

/**
 * A whole HTML page.
 *
 * @example
 * ```ts
 * const nav = [
 *   { href: "index.html", label: "Overview", title: "Overview" },
 *   { href: "figures.html", label: "Figures", title: "Every figure" },
 * ];
 * const html = pageHtml({ title: "Every figure", body: "<p>…</p>", nav, href: "figures.html" });
 * html.includes('<a href="figures.html" title="Every figure" aria-current="page">Figures</a>'); // true
 * html.includes('<a class="previous" href="index.html">← Overview</a>'); // true
 * ```
 */
export function pageHtml(options: PageOptions): string {
  const { nav, href } = options;
  const site = escapeHtml(options.site ?? "Results");
  const links = nav.map((item) => {
    const current = item.href === href ? ` aria-current="page"` : "";
    return `<a href="${escapeHtml(item.href)}" title="${escapeHtml(item.title)}"${current}>${
      escapeHtml(item.label)
    }</a>`;
  });
  const at = nav.findIndex((item) => item.href === href);
  const previous = at > 0 ? nav[at - 1] : undefined;
  const next = at >= 0 && at < nav.length - 1 ? nav[at + 1] : undefined;
  const pager = [
    previous ? `<a class="previous" href="${escapeHtml(previous.href)}">← ${escapeHtml(previous.title)}</a>` : "",
    next ? `<a class="next" href="${escapeHtml(next.href)}">${escapeHtml(next.title)} →</a>` : "",
  ].join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · ${site}</title>
<link rel="stylesheet" href="${escapeHtml(options.stylesheet ?? "assets/site.css")}">
</head>
<body>
<nav class="site-nav"><span class="site-name">${site}</span>${links.join("")}</nav>
<main>
${options.body}
</main>
<footer class="pager">${pager}</footer>
</body>
</html>
`;
}
