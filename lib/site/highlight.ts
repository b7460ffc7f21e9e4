/**
 * Code as the write-up shows it: highlighted at build time by highlight.js (its core and the few
 * languages the project writes), so the pages need no script to colour it. The colours are classes
 * (`hljs-keyword`, …) that the site's style sheet gives.
 *
 * @module
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import typescript from "highlight.js/lib/languages/typescript";
import { escapeHtml } from "./html.ts";

hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("bash", bash);
hljs.registerLanguage("json", json);
hljs.registerLanguage("python", python);

const ALIASES: Readonly<Record<string, string>> = {
  ts: "typescript",
  typescript: "typescript",
  js: "typescript",
  javascript: "typescript",
  sh: "bash",
  shell: "bash",
  bash: "bash",
  json: "json",
  py: "python",
  python: "python",
};

/**
 * The HTML of a block of code: highlighted when `language` is one the site knows (TypeScript,
 * JavaScript, shell, JSON, Python), otherwise the text escaped.
 *
 * @example
 * ```ts
 * highlightCode("const a = 1;", "ts"); // "<span class=\"hljs-keyword\">const</span> a = <span class=\"hljs-number\">1</span>;"
 * highlightCode("a < b", "text"); // "a &lt; b"
 * ```
 */
export function highlightCode(code: string, language: string | undefined): string {
  const name = ALIASES[(language ?? "").toLowerCase()];
  if (name === undefined) return escapeHtml(code);
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}
