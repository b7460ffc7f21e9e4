/**
 * Small HTML helpers of the write-up's pages: escaping text for HTML and the anchors of headings,
 * made as GitHub makes them so that links written for the repository (`docs/method.md#7-…`) keep
 * pointing at the same heading on the site.
 *
 * @module
 */

/**
 * Text escaped for an HTML element or a double-quoted attribute.
 *
 * @example
 * ```ts
 * escapeHtml('a < b & "c"'); // "a &lt; b &amp; &quot;c&quot;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/**
 * The anchor GitHub gives a heading: lower case, punctuation dropped (letters, digits, `-` and `_`
 * kept, in any script), each space a `-`.
 *
 * @example
 * ```ts
 * headingSlug("7. NC dynamics: every loss collapses"); // "7-nc-dynamics-every-loss-collapses"
 * headingSlug("What the set-up installs"); // "what-the-set-up-installs"
 * ```
 */
export function headingSlug(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/**
 * Unique heading anchors within one page: the first heading of a text gets its {@link headingSlug},
 * later ones with the same text get `-1`, `-2`, … as on GitHub.
 *
 * @example
 * ```ts
 * const slugs = new HeadingSlugs();
 * [slugs.next("Results"), slugs.next("Results")]; // ["results", "results-1"]
 * ```
 */
export class HeadingSlugs {
  readonly #seen = new Map<string, number>();

  /** The anchor of the next heading whose plain text is `text`. */
  next(text: string): string {
    const base = headingSlug(text);
    const count = this.#seen.get(base);
    this.#seen.set(base, (count ?? -1) + 1);
    return count === undefined ? base : `${base}-${count + 1}`;
  }
}

/**
 * Terminal colour and cursor codes removed (tracebacks of notebook errors carry them).
 *
 * @example
 * ```ts
 * stripAnsi("\u001b[31mTypeError\u001b[0m: boom"); // "TypeError: boom"
 * ```
 */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}
