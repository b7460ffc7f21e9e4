/**
 * An executed Jupyter notebook as the body of a page: Markdown cells rendered, code cells
 * highlighted, and each output in the richest form the site can show without a script — HTML,
 * SVG placed inline (so its marks' tooltips work), Markdown, PNG or JPEG as data URLs, then plain
 * text; streams and errors as text.
 *
 * @module
 */
import { highlightCode } from "./highlight.ts";
import { escapeHtml, HeadingSlugs, stripAnsi } from "./html.ts";
import { inlineSvg } from "./inline_svg.ts";
import { firstHeading, firstParagraph, type MarkdownOptions, renderMarkdown } from "./markdown.ts";

/** Text as notebooks store it: one string or a list of lines. */
export type NotebookText = string | readonly string[];

/** One output of a code cell (nbformat 4). */
export interface NotebookOutput {
  readonly output_type: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly name?: string;
  readonly text?: NotebookText;
  readonly ename?: string;
  readonly evalue?: string;
  readonly traceback?: readonly string[];
}

/** One cell of a notebook (nbformat 4). */
export interface NotebookCell {
  readonly cell_type: string;
  readonly source: NotebookText;
  readonly execution_count?: number | null;
  readonly outputs?: readonly NotebookOutput[];
}

/** A notebook (nbformat 4), as much of it as a page needs. */
export interface Notebook {
  readonly cells: readonly NotebookCell[];
  readonly metadata?: {
    readonly kernelspec?: { readonly language?: string };
    readonly language_info?: { readonly name?: string };
  };
}

/** A notebook rendered: its title, first paragraph (Markdown), whether it ran, its figures and its HTML. */
export interface NotebookPage {
  readonly title: string;
  readonly summary: string;
  readonly executed: boolean;
  readonly figures: number;
  readonly html: string;
}

/** Options of {@link renderNotebook}. */
export interface NotebookPageOptions {
  /** The title when no Markdown cell has a heading. Default "Notebook". */
  name?: string;
  /** Link and image rewriting for Markdown cells and Markdown outputs. */
  link?: MarkdownOptions["link"];
  /** See {@link MarkdownOptions.image}. */
  image?: MarkdownOptions["image"];
}

/** Output types in the order of preference (the first one an output carries is shown). */
const MIME_ORDER = ["text/html", "image/svg+xml", "text/markdown", "image/png", "image/jpeg", "text/plain"] as const;

const text = (value: unknown): string =>
  Array.isArray(value) ? value.join("") : typeof value === "string" ? value : JSON.stringify(value, null, 1);

/**
 * The page of a notebook.
 *
 * @example
 * ```ts
 * const page = renderNotebook({
 *   cells: [
 *     { cell_type: "markdown", source: ["# 01 · A title\n", "\n", "What it shows."] },
 *     { cell_type: "code", source: "1 + 1", execution_count: 1, outputs: [{ output_type: "execute_result", data: { "text/plain": "2" } }] },
 *   ],
 * });
 * [page.title, page.summary, page.executed, page.figures]; // ["01 · A title", "What it shows.", true, 0]
 * page.html.includes('<pre class="output-text">2</pre>'); // true
 * ```
 */
export function renderNotebook(notebook: Notebook, options: NotebookPageOptions = {}): NotebookPage {
  const slugs = new HeadingSlugs();
  const markdown = (source: string) => renderMarkdown(source, { link: options.link, image: options.image, slugs });
  const language = notebook.metadata?.kernelspec?.language ?? notebook.metadata?.language_info?.name;
  const firstMarkdown = notebook.cells.find((c) => c.cell_type === "markdown");
  const headed = notebook.cells.find((c) => c.cell_type === "markdown" && firstHeading(text(c.source)) !== undefined);
  let figures = 0;
  const parts = notebook.cells.map((cell) => {
    const source = text(cell.source);
    if (cell.cell_type === "markdown") return `<div class="cell markdown-cell">\n${markdown(source)}</div>`;
    if (cell.cell_type !== "code") return `<div class="cell raw-cell"><pre>${escapeHtml(source)}</pre></div>`;
    const prompt = `<span class="prompt">[${cell.execution_count ?? " "}]</span>`;
    const input = `<div class="input">${prompt}<pre><code class="hljs">${
      highlightCode(source, language)
    }</code></pre></div>`;
    const outputs = (cell.outputs ?? []).map((output) => {
      const shown = renderOutput(output, { markdown, prefix: `f${figures + 1}-` });
      if (shown.figure) figures++;
      return shown.html;
    });
    const block = outputs.length > 0 ? `\n<div class="outputs">\n${outputs.join("\n")}\n</div>` : "";
    return `<div class="cell code-cell">\n${input}${block}\n</div>`;
  });
  return {
    title: headed ? firstHeading(text(headed.source))! : options.name ?? "Notebook",
    summary: firstMarkdown ? firstParagraph(text(firstMarkdown.source)) : "",
    executed: notebook.cells.some((c) => (c.outputs?.length ?? 0) > 0 || typeof c.execution_count === "number"),
    figures,
    html: parts.join("\n"),
  };
}

/** One output as HTML, and whether it is a figure. */
function renderOutput(
  output: NotebookOutput,
  context: { markdown: (source: string) => string; prefix: string },
): { html: string; figure: boolean } {
  if (output.output_type === "stream") {
    const name = output.name === "stderr" ? "stderr" : "stdout";
    return {
      html: `<pre class="output-stream ${name}">${escapeHtml(stripAnsi(text(output.text ?? "")))}</pre>`,
      figure: false,
    };
  }
  if (output.output_type === "error") {
    const trace = (output.traceback ?? []).map(stripAnsi).join("\n");
    const head = `${output.ename ?? "Error"}: ${output.evalue ?? ""}`;
    return {
      html: `<pre class="output-error">${escapeHtml(trace.includes(head) ? trace : `${head}\n${trace}`)}</pre>`,
      figure: false,
    };
  }
  const data = output.data ?? {};
  const mime = MIME_ORDER.find((m) => m in data);
  if (mime === undefined) {
    const kinds = Object.keys(data).join(", ") || output.output_type;
    return {
      html: `<p class="output-missing">(an output of type ${escapeHtml(kinds)}, not shown here)</p>`,
      figure: false,
    };
  }
  const value = text(data[mime]);
  switch (mime) {
    case "text/html":
      return /<svg[\s>]/i.test(value)
        ? { html: `<div class="figure">${inlineSvg(value, context.prefix)}</div>`, figure: true }
        : { html: `<div class="output-html">${value}</div>`, figure: false };
    case "image/svg+xml":
      return { html: `<div class="figure">${inlineSvg(value, context.prefix)}</div>`, figure: true };
    case "text/markdown":
      return { html: `<div class="output-markdown">\n${context.markdown(value)}</div>`, figure: false };
    case "image/png":
    case "image/jpeg": {
      const src = `data:${mime};base64,${value.replace(/\s/g, "")}`;
      return { html: `<div class="figure"><img src="${src}" alt="figure"></div>`, figure: true };
    }
    default:
      return { html: `<pre class="output-text">${escapeHtml(value)}</pre>`, figure: false };
  }
}
