/**
 * The style sheet of the write-up, written to `assets/site.css`. Fonts are DejaVu Sans and DejaVu
 * Sans Mono (Debian's `fonts-dejavu-core`, which the set-up installs and the figures use), with the
 * system's fonts after them: the site loads no web font.
 *
 * @module
 */

/**
 * The site's CSS: page frame, navigation, tables, notebook cells, figures and the colours of
 * highlighted code (highlight.js classes).
 *
 * @example
 * ```ts
 * SITE_CSS.includes(".hljs-keyword"); // true
 * ```
 */
export const SITE_CSS = `:root {
  --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --link: #0757ba;
  font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 15px; line-height: 1.5;
  color: var(--text); background: #fff;
}
body { margin: 0; }
main { max-width: 960px; margin: 0 auto; padding: 0.5rem 1.25rem 2rem; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.4em 0 0.5em; }
h1 { font-size: 1.7rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2em; }
h3 { font-size: 1.1rem; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.82rem; }
:not(pre) > code { background: var(--soft); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--soft); padding: 0.6rem 0.8rem; overflow-x: auto; border-radius: 6px; margin: 0.4rem 0; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.85rem; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid var(--line); padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
td.nowrap, th.nowrap { white-space: nowrap; }
.output-html th, .output-html td { text-align: right; white-space: nowrap; }
.output-html td:first-child, .output-html th:first-child { text-align: left; }
.site-nav { display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; align-items: baseline; padding: 0.6rem 1.25rem;
  border-bottom: 1px solid var(--line); background: var(--soft); font-size: 0.9rem; }
.site-nav .site-name { font-weight: bold; margin-right: 0.5rem; }
.site-nav a[aria-current="page"] { color: var(--text); font-weight: bold; }
.pager { max-width: 960px; margin: 0 auto; padding: 1rem 1.25rem 2rem; display: flex; justify-content: space-between;
  border-top: 1px solid var(--line); font-size: 0.9rem; }
.pager .next { margin-left: auto; }
.repository-link { border-bottom: 1px dotted var(--muted); }
.cell { margin: 0.6rem 0; }
.code-cell .input { display: flex; gap: 0.5rem; align-items: flex-start; }
.code-cell .input pre { flex: 1; margin: 0; }
.prompt { color: var(--muted); font-family: "DejaVu Sans Mono", monospace; font-size: 0.75rem; min-width: 2.6rem;
  padding-top: 0.65rem; text-align: right; }
.outputs { margin-left: 3.1rem; }
.outputs > pre { background: none; border-left: 3px solid var(--line); border-radius: 0; }
.output-stream.stderr, .output-error { background: #fff0f0; border-left-color: #d1242f; }
.output-missing { color: var(--muted); font-style: italic; }
.figure { margin: 0.8rem 0; overflow-x: auto; }
.figure > svg, .figure img, .figure figure > svg { max-width: 100%; height: auto; display: block; }
.figure figure { margin: 0; }
.figure-card { margin: 1.5rem 0 2.5rem; }
.figure-card .downloads { font-size: 0.9rem; color: var(--muted); }
.figure-card .downloads a { margin-right: 0.8rem; }
.figure-index { columns: 2; font-size: 0.9rem; }
.notebook-list li { margin: 0.5rem 0; }
.notebook-list .summary { color: var(--muted); font-size: 0.9rem; }
.badge { font-size: 0.75rem; border: 1px solid var(--line); border-radius: 1em; padding: 0 0.5em; color: var(--muted); }
.hljs-keyword, .hljs-built_in, .hljs-meta { color: #cf222e; }
.hljs-string, .hljs-regexp { color: #0a3069; }
.hljs-number, .hljs-literal, .hljs-attr, .hljs-variable, .hljs-params { color: #0550ae; }
.hljs-title, .hljs-title.function_, .hljs-title.class_ { color: #6639ba; }
.hljs-comment { color: #6e7781; }
.hljs-type { color: #953800; }
`;
