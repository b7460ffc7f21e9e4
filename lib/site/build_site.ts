/**
 * The write-up as a static site that opens from the file system: a front page, a page for every
 * notebook of `notebooks/` with its outputs, a page with every figure of `figures/`, the key numbers
 * (`figures/SUMMARY.md`) and the method (`docs/method.md`), with the links between them rewritten to
 * the site's pages. Every page sits in the site's root folder; the figures' files are copied to
 * `figures/` and the style sheet is `assets/site.css`. The pages load nothing else: no script, no
 * font, nothing from the network.
 *
 * @module
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, join } from "node:path";
import { asStorageError } from "../store/storage_error.ts";
import { type FigureEntry, figuresPageBody } from "./figures_page.ts";
import { HeadingSlugs } from "./html.ts";
import { indexPageBody } from "./index_page.ts";
import { firstHeading, firstParagraph, renderMarkdown } from "./markdown.ts";
import { type Notebook, renderNotebook } from "./notebook_page.ts";
import { type NavItem, pageHtml } from "./page.ts";
import { siteLink, type SiteTargets } from "./site_links.ts";
import { SITE_CSS } from "./site_style.ts";

/** Options of {@link buildSite}. */
export interface BuildSiteOptions {
  /** The repository (or a folder laid out like it: `notebooks/`, `figures/`, `docs/method.md`). Default ".". */
  root?: string;
  /** The folder to write the site to; replaced if it holds an earlier site. Default `<root>/site`. */
  out?: string;
}

/** What {@link buildSite} wrote. */
export interface SiteSummary {
  /** The site's folder. */
  readonly out: string;
  /** The pages, in reading order (paths from `out`). */
  readonly pages: readonly string[];
  readonly notebooks: number;
  readonly figures: number;
  /** Every file written, and their total size in bytes. */
  readonly files: number;
  readonly bytes: number;
}

/** Thrown when the output folder holds files that are not an earlier site. */
export class SiteOutputError extends Error {
  override name = "SiteOutputError";
}

const FIGURE_FILES = /\.(svg|pdf|png|csv|json)$/;
const STYLESHEET = "assets/site.css";

/**
 * Builds the site and says what it wrote. Throws a {@link SiteOutputError} when `out` holds other
 * files, and a `StorageError` naming `out` when it cannot be written (read-only, full disk, …).
 *
 * @example
 * ```ts ignore (reads every notebook and figure of the checkout; tests/site/site.test.ts builds it)
 * const site = buildSite({ root: ".", out: "site" });
 * site.pages; // ["index.html", "01_ufm_global_minimizers.html", …, "figures.html", "summary.html", "method.html"]
 * ```
 */
export function buildSite(options: BuildSiteOptions = {}): SiteSummary {
  const root = options.root ?? ".";
  const out = options.out ?? join(root, "site");
  const read = (path: string) => readFileSync(join(root, path), "utf8");
  const has = (path: string) => existsSync(join(root, path));
  const list = (dir: string, pattern: RegExp) =>
    has(dir) ? readdirSync(join(root, dir)).filter((f) => pattern.test(f)).sort() : [];

  const notebookFiles = list("notebooks", /\.ipynb$/);
  const figureFiles = list("figures", FIGURE_FILES);
  const figureNames = figureFiles.filter((f) => f.endsWith(".svg")).map((f) => basename(f, ".svg"));
  const pages = new Map<string, string>(notebookFiles.map((f) => [`notebooks/${f}`, `${basename(f, ".ipynb")}.html`]));
  if (has("figures/SUMMARY.md")) pages.set("figures/SUMMARY.md", "summary.html");
  if (has("docs/method.md")) pages.set("docs/method.md", "method.html");
  const targets: SiteTargets = {
    pages,
    figures: new Set(figureNames),
    files: new Set(figureFiles.map((f) => `figures/${f}`)),
    figuresPage: "figures.html",
  };
  const imageTargets: SiteTargets = { ...targets, pages: new Map(), figures: new Set() };
  const links = (from: string) => ({
    link: (href: string) => siteLink(href, from, targets),
    image: (src: string) => {
      if (src.startsWith("data:")) return src;
      const target = siteLink(src, from, imageTargets);
      return "href" in target && !/^[a-z][a-z0-9+.-]*:/i.test(target.href) ? target.href : undefined;
    },
  });

  const notebooks = notebookFiles.map((file) => {
    const from = `notebooks/${file}`;
    const notebook = JSON.parse(read(from)) as Notebook;
    const page = renderNotebook(notebook, { name: basename(file, ".ipynb"), ...links(from) });
    const code = notebook.cells.filter((c) => c.cell_type === "code")
      .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
    return { file, href: pages.get(from)!, page, code, from };
  });
  const notebookOf = (name: string) =>
    notebooks.find((nb) => nb.code.includes(`"${name}"`) || nb.code.includes(`"${name.replace(/_column$/, "")}"`));

  const readme = has("README.md") ? read("README.md") : "";
  const title = firstHeading(readme) ?? "Results";
  const site = title.split(" — ")[0];
  const nav: NavItem[] = [
    { href: "index.html", label: "Overview", title: "Overview" },
    ...notebooks.map((nb) => ({
      href: nb.href,
      label: /^\d+/.exec(nb.file)?.[0] ?? basename(nb.file, ".ipynb"),
      title: nb.page.title,
    })),
    { href: "figures.html", label: "Figures", title: "Figures" },
    ...(pages.has("figures/SUMMARY.md") ? [{ href: "summary.html", label: "Key numbers", title: "Key numbers" }] : []),
    ...(pages.has("docs/method.md") ? [{ href: "method.html", label: "Method", title: "The method" }] : []),
  ];
  const render = (href: string, pageTitle: string, body: string) =>
    [href, pageHtml({ title: pageTitle, body, nav, href, site, stylesheet: STYLESHEET })] as const;

  const markdownPage = (from: string, href: string, fallback: string) => {
    const text = read(from);
    const body = renderMarkdown(text, { ...links(from), slugs: new HeadingSlugs() });
    return render(href, firstHeading(text) ?? fallback, body);
  };
  const figures: FigureEntry[] = figureNames.map((name) => {
    const files = Object.fromEntries(
      (["svg", "pdf", "png", "csv"] as const).filter((ext) => targets.files.has(`figures/${name}.${ext}`))
        .map((ext) => [ext, `figures/${name}.${ext}`]),
    );
    const nb = notebookOf(name);
    return { name, svg: read(`figures/${name}.svg`), files, notebook: nb && { href: nb.href, title: nb.page.title } };
  });
  const index = indexPageBody({
    title,
    intro: renderMarkdown(firstParagraph(readme), links("README.md")),
    notebooks: notebooks.map((nb) => ({
      href: nb.href,
      title: nb.page.title,
      summary: renderMarkdown(nb.page.summary, links(nb.from)),
      executed: nb.page.executed,
      figures: nb.page.figures,
    })),
    pages: [
      { href: "figures.html", title: "Figures", about: `all ${figures.length} figures, with their PDF, PNG and data` },
      ...(pages.has("figures/SUMMARY.md")
        ? [{
          href: "summary.html",
          title: "Key numbers",
          about: "the numbers behind every figure (figures/SUMMARY.md)",
        }]
        : []),
      ...(pages.has("docs/method.md")
        ? [{ href: "method.html", title: "The method", about: "losses, metrics, UFM and protocol (docs/method.md)" }]
        : []),
    ],
  });
  const written = [
    render("index.html", "Overview", index),
    ...notebooks.map((nb) => render(nb.href, nb.page.title, nb.page.html)),
    render("figures.html", "Figures", figuresPageBody(figures)),
    ...(pages.has("figures/SUMMARY.md") ? [markdownPage("figures/SUMMARY.md", "summary.html", "Key numbers")] : []),
    ...(pages.has("docs/method.md") ? [markdownPage("docs/method.md", "method.html", "The method")] : []),
  ];

  try {
    clearOutput(out);
    mkdirSync(join(out, "assets"), { recursive: true });
    mkdirSync(join(out, "figures"), { recursive: true });
    writeFileSync(join(out, STYLESHEET), SITE_CSS);
    for (const [href, html] of written) writeFileSync(join(out, href), html);
    for (const file of figureFiles) copyFileSync(join(root, "figures", file), join(out, "figures", file));
  } catch (error) {
    throw asStorageError(error, out, "write the site to");
  }
  const all = [STYLESHEET, ...written.map(([href]) => href), ...figureFiles.map((f) => `figures/${f}`)];
  return {
    out,
    pages: written.map(([href]) => href),
    notebooks: notebooks.length,
    figures: figures.length,
    files: all.length,
    bytes: all.reduce((sum, path) => sum + statSync(join(out, path)).size, 0),
  };
}

/** Empties `out` when it is missing, empty or an earlier site (it has the site's style sheet). */
function clearOutput(out: string): void {
  if (!existsSync(out)) return;
  if (readdirSync(out).length > 0 && !existsSync(join(out, STYLESHEET))) {
    throw new SiteOutputError(
      `${out} holds files that are not an earlier site (no ${STYLESHEET}): choose an empty or new folder with --out`,
    );
  }
  rmSync(out, { recursive: true, force: true });
}
