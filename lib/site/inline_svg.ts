/**
 * SVG figures placed inline in a page, where the browser shows each mark's `<title>` (Plot's
 * `title` channel) as a tooltip on hover — which it does not for an SVG shown through `<img>`.
 * Inline, every SVG of a page shares one id space: ids are given a prefix per figure so that two
 * figures' clip paths or gradients never resolve to each other's.
 *
 * @module
 */

/**
 * `svg` (a file's text, or HTML that holds SVG) ready to place inline: without an XML declaration,
 * doctype or leading comments, with every `id` and its references (`url(#…)`, `href="#…"`)
 * prefixed by `prefix`. The `<title>` elements are kept as they are.
 *
 * @example
 * ```ts
 * const svg = "<?xml version=\"1.0\"?>\n<svg><clipPath id=\"c\"/><g clip-path=\"url(#c)\"><title>CE</title></g></svg>";
 * inlineSvg(svg, "f1-"); // "<svg><clipPath id=\"f1-c\"/><g clip-path=\"url(#f1-c)\"><title>CE</title></g></svg>"
 * ```
 */
export function inlineSvg(svg: string, prefix: string): string {
  const body = svg.replace(/^\s*(?:<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->|\s)*/i, "");
  const ids = new Set([...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return body;
  const renamed = (id: string) => (ids.has(id) ? prefix + id : id);
  return body
    .replace(/(\sid=")([^"]+)"/g, (_, head: string, id: string) => `${head}${renamed(id)}"`)
    .replace(/url\(\s*(['"]?)#([^'")\s]+)\1\s*\)/g, (_, q: string, id: string) => `url(${q}#${renamed(id)}${q})`)
    .replace(/(\s(?:xlink:)?href=")#([^"]+)"/g, (_, head: string, id: string) => `${head}#${renamed(id)}"`);
}
