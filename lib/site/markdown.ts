/**
 * Markdown to HTML for the write-up (marked, GitHub-flavoured): headings carry GitHub's anchors,
 * fenced code is highlighted at build time, and every link and image goes through the site's link
 * rewriting, so a link that the site cannot follow becomes plain text instead of a broken link.
 * Math (`$…$`) stays as the text it is written in: the site loads nothing from the network.
 *
 * @module
 */
import { Marked, Parser, type Tokens } from "marked";
import { highlightCode } from "./highlight.ts";
import { escapeHtml, HeadingSlugs } from "./html.ts";
import type { SiteLink } from "./site_links.ts";

/** Options of {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Where a link points on the site. Default: where it is written. */
  link?: (href: string) => SiteLink;
  /** The source of an image on the site, or undefined to show its text instead. Default: as written. */
  image?: (src: string) => string | undefined;
  /** The heading anchors already used on the page (one page may render several texts). Default: new. */
  slugs?: HeadingSlugs;
}

/**
 * The HTML of a Markdown text.
 *
 * @example
 * ```ts
 * const html = renderMarkdown("## Key numbers\n\nSee [the method](docs/method.md).", {
 *   link: (href) => (href === "docs/method.md" ? { href: "method.html" } : { repositoryPath: href }),
 * });
 * html; // "<h2 id=\"key-numbers\">Key numbers</h2>\n<p>See <a href=\"method.html\">the method</a>.</p>\n"
 * const off = renderMarkdown("[bench](../bench/README.md)", { link: () => ({ repositoryPath: "bench/README.md" }) });
 * off; // "<p><span class=\"repository-link\" title=\"bench/README.md in the repository\">bench</span></p>\n"
 * ```
 */
export function renderMarkdown(text: string, options: MarkdownOptions = {}): string {
  const link = options.link ?? ((href: string) => ({ href }));
  const image = options.image ?? ((src: string) => src);
  const slugs = options.slugs ?? new HeadingSlugs();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      heading(token: Tokens.Heading): string {
        const html = this.parser.parseInline(token.tokens);
        const plain = this.parser.parseInline(token.tokens, this.parser.textRenderer);
        const id = slugs.next(unescapeEntities(plain));
        return `<h${token.depth} id="${escapeHtml(id)}">${html}</h${token.depth}>\n`;
      },
      link(token: Tokens.Link): string {
        const html = this.parser.parseInline(token.tokens);
        const target = link(token.href);
        if ("repositoryPath" in target) {
          return `<span class="repository-link" title="${
            escapeHtml(target.repositoryPath)
          } in the repository">${html}</span>`;
        }
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<a href="${escapeHtml(target.href)}"${title}>${html}</a>`;
      },
      image(token: Tokens.Image): string {
        const src = image(token.href);
        if (src === undefined) return escapeHtml(token.text);
        const title = token.title ? ` title="${escapeHtml(token.title)}"` : "";
        return `<img src="${escapeHtml(src)}" alt="${escapeHtml(token.text)}"${title}>`;
      },
      tablecell(token: Tokens.TableCell): string {
        const tag = token.header ? "th" : "td";
        const html = this.parser.parseInline(token.tokens);
        const plain = this.parser.parseInline(token.tokens, this.parser.textRenderer);
        const align = token.align ? ` align="${token.align}"` : "";
        // A cell without spaces (a number such as 1.40e-16, a name) does not break at its hyphens.
        const nowrap = /\s/.test(plain.trim()) ? "" : ` class="nowrap"`;
        return `<${tag}${align}${nowrap}>${html}</${tag}>\n`;
      },
      code(token: Tokens.Code): string {
        const language = token.lang?.split(/\s/)[0];
        const cls = language ? ` class="hljs language-${escapeHtml(language)}"` : ` class="hljs"`;
        return `<pre><code${cls}>${highlightCode(token.text, language)}</code></pre>\n`;
      },
    },
  });
  return marked.parse(text) as string;
}

/**
 * The plain text of the first paragraph of a Markdown text (for summaries), or "" when it has none.
 *
 * @example
 * ```ts
 * firstParagraph("# Title\n\n**Claim**: every loss *collapses*.\n\nMore."); // "**Claim**: every loss *collapses*."
 * ```
 */
export function firstParagraph(text: string): string {
  const token = new Marked().lexer(text).find((t) => t.type === "paragraph");
  return token === undefined ? "" : token.raw.trim();
}

/**
 * The text of the first heading of a Markdown text, without its Markdown, or undefined.
 *
 * @example
 * ```ts
 * firstHeading("intro\n\n# 03 · NC *dynamics*\n"); // "03 · NC dynamics"
 * ```
 */
export function firstHeading(text: string): string | undefined {
  const token = new Marked().lexer(text).find((t) => t.type === "heading") as Tokens.Heading | undefined;
  if (token === undefined) return undefined;
  const parser = new Parser();
  return unescapeEntities(parser.parseInline(token.tokens, parser.textRenderer));
}

function unescapeEntities(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|#39);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[name]!,
  );
}
