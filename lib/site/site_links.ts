/**
 * Links written for the repository, rewritten for the write-up site: a link between the notebooks,
 * the docs and the figures (`../figures/nc_dynamics.svg`, `docs/method.md#5-…`) points at the page
 * that shows the same thing on the site, and a link to a repository file that the site does not
 * carry is reported as such, so that pages never link to a missing file.
 *
 * All pages of the site sit in its root folder, so the rewritten links are paths from that root.
 *
 * @module
 */
import { posix } from "node:path";

/** What the site carries, by repository path. */
export interface SiteTargets {
  /** Repository files shown as a page of the site: path → the page (`docs/method.md` → `method.html`). */
  readonly pages: ReadonlyMap<string, string>;
  /** Figures shown on the figures page, by name (`figures/NAME.svg` → `FIGURES_PAGE#NAME`). */
  readonly figures: ReadonlySet<string>;
  /** Repository files copied to the same path in the site (`figures/nc_dynamics.pdf`). */
  readonly files: ReadonlySet<string>;
  /** The page that shows every figure. */
  readonly figuresPage: string;
}

/** A link of a page: `href` to write, or `repositoryPath` when it names a file the site does not carry. */
export type SiteLink = { readonly href: string } | { readonly repositoryPath: string };

/**
 * Where a link written in the repository file `from` (a path from the repository root) points on
 * the site: web and mail links and in-page anchors as they are; a page, a figure or a copied file
 * by its site path (keeping the `#anchor`); anything else as the repository path it names.
 *
 * @example
 * ```ts
 * const targets = {
 *   pages: new Map([["docs/method.md", "method.html"], ["notebooks/03_nc_dynamics.ipynb", "03_nc_dynamics.html"]]),
 *   figures: new Set(["nc_dynamics"]),
 *   files: new Set(["figures/nc_dynamics.pdf"]),
 *   figuresPage: "figures.html",
 * };
 * siteLink("../docs/method.md#7-nc-dynamics", "notebooks/03_nc_dynamics.ipynb", targets); // { "href": "method.html#7-nc-dynamics" }
 * siteLink("nc_dynamics.svg", "figures/SUMMARY.md", targets); // { "href": "figures.html#nc_dynamics" }
 * siteLink("nc_dynamics.pdf", "figures/SUMMARY.md", targets); // { "href": "figures/nc_dynamics.pdf" }
 * siteLink("../bench/README.md", "docs/method.md", targets); // { "repositoryPath": "bench/README.md" }
 * siteLink("https://arxiv.org/abs/2210.02192", "docs/method.md", targets); // { "href": "https://arxiv.org/abs/2210.02192" }
 * ```
 */
export function siteLink(href: string, from: string, targets: SiteTargets): SiteLink {
  if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("#") || href === "") return { href };
  const hash = href.indexOf("#");
  const path = decodeURI(hash < 0 ? href : href.slice(0, hash));
  const anchor = hash < 0 ? "" : href.slice(hash);
  const repositoryPath = posix.normalize(posix.join(posix.dirname(from), path));
  const page = targets.pages.get(repositoryPath);
  if (page !== undefined) return { href: encodeURI(page) + anchor };
  const figure = /^figures\/([^/]+)\.svg$/.exec(repositoryPath)?.[1];
  if (figure !== undefined && targets.figures.has(figure)) return { href: `${targets.figuresPage}#${figure}` };
  if (targets.files.has(repositoryPath)) return { href: encodeURI(repositoryPath) + anchor };
  return { repositoryPath };
}
