/**
 * Where the text of a standalone SVG figure lands, measured with the figure font's own metrics, and
 * the layout faults that follow from it: two labels that overlap, or a label that leaves the canvas
 * (or the nested `<svg>` panel that clips it).
 *
 * A text's box spans its advance width horizontally (the width a browser's `getBBox` gives) and its
 * glyphs' ink vertically (from the outlines in the font), so that two labels on neighbouring lines
 * whose letters do not touch are not an overlap. The box is placed as a renderer places it: the
 * transforms of the text and of every ancestor (`translate`, `rotate`, `scale`, `matrix`, and the
 * viewport of each nested `<svg>`), `x`/`y`/`dx`/`dy` in user units or `em` (Plot writes
 * `y="0.32em"` and `y="0.71em"`), `<tspan>` lines, `text-anchor`, `dominant-baseline`, and
 * `font-size` and `font-weight` inherited from ancestors.
 *
 * @module
 */
import * as fontkit from "fontkit";
import { DOMParser } from "linkedom";
import { figureFontFiles } from "../../lib/figures/fonts.ts";

/** Advance and ink extents of a string in em (ink heights measured upwards from the baseline). */
export interface TextMetrics {
  readonly advance: number;
  readonly inkTop: number;
  readonly inkBottom: number;
}

/** Measures strings in a font: what {@link textBoxes} needs of it. */
export interface TextMeasurer {
  measure(text: string, options: { bold: boolean; tabular: boolean }): TextMetrics;
  /** Ascent and descent of the font in em (descent negative), for `dominant-baseline`. */
  readonly ascent: number;
  readonly descent: number;
}

interface FontkitGlyphRun {
  advanceWidth: number;
  bbox: { minY: number; maxY: number; minX: number; maxX: number };
}
interface FontkitFont {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  layout(text: string, features?: string[]): FontkitGlyphRun;
}

let defaultMeasurer: TextMeasurer | undefined;

/**
 * A measurer over the figure fonts (DejaVu Sans regular and bold, see {@link figureFontFiles}),
 * shaped by fontkit (kerning included); results are cached per string.
 *
 * @example
 * ```ts
 * const m = figureFontMeasurer().measure("NC1", { bold: false, tabular: false });
 * m.advance > 1.5 && m.advance < 2.5; // true: about two em wide
 * ```
 */
export function figureFontMeasurer(): TextMeasurer {
  if (defaultMeasurer) return defaultMeasurer;
  const [regularPath, boldPath] = figureFontFiles();
  const open = (path: string) => (fontkit as unknown as { openSync(p: string): FontkitFont }).openSync(path);
  const regular = open(regularPath), bold = open(boldPath);
  const cache = new Map<string, TextMetrics>();
  defaultMeasurer = {
    ascent: regular.ascent / regular.unitsPerEm,
    descent: regular.descent / regular.unitsPerEm,
    measure(text, options) {
      const key = `${options.bold ? "b" : "r"}${options.tabular ? "t" : "p"}${text}`;
      let metrics = cache.get(key);
      if (!metrics) {
        const font = options.bold ? bold : regular;
        const run = font.layout(text, options.tabular ? ["tnum"] : undefined);
        const em = font.unitsPerEm;
        const empty = !(run.bbox.maxY > run.bbox.minY);
        metrics = {
          advance: run.advanceWidth / em,
          inkTop: empty ? 0 : run.bbox.maxY / em,
          inkBottom: empty ? 0 : run.bbox.minY / em,
        };
        cache.set(key, metrics);
      }
      return metrics;
    },
  };
  return defaultMeasurer;
}

/** A 2-D affine map [a, b, c, d, e, f]: (x, y) ↦ (a x + c y + e, b x + d y + f), as SVG's `matrix`. */
type Affine = readonly [number, number, number, number, number, number];
const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];
const multiply = (m: Affine, n: Affine): Affine => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5],
];
const apply = (
  m: Affine,
  x: number,
  y: number,
): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
const translate = (x: number, y: number): Affine => [1, 0, 0, 1, x, y];

/** Parses an SVG `transform` attribute (translate, rotate with or without a centre, scale, skewX/Y, matrix). */
function parseTransform(value: string): Affine {
  let m: Affine = IDENTITY;
  for (const [, name, args] of value.matchAll(/([a-zA-Z]+)\s*\(([^)]*)\)/g)) {
    const v = args.trim().split(/[\s,]+/).filter((s) => s !== "").map(Number);
    let t: Affine;
    switch (name) {
      case "translate":
        t = translate(v[0] ?? 0, v[1] ?? 0);
        break;
      case "scale":
        t = [v[0], 0, 0, v[1] ?? v[0], 0, 0];
        break;
      case "rotate": {
        const r = ((v[0] ?? 0) * Math.PI) / 180, cos = Math.cos(r), sin = Math.sin(r);
        t = [cos, sin, -sin, cos, 0, 0];
        if (v.length === 3) t = multiply(multiply(translate(v[1], v[2]), t), translate(-v[1], -v[2]));
        break;
      }
      case "skewX":
        t = [1, 0, Math.tan((v[0] * Math.PI) / 180), 1, 0, 0];
        break;
      case "skewY":
        t = [1, Math.tan((v[0] * Math.PI) / 180), 0, 1, 0, 0];
        break;
      case "matrix":
        t = v.slice(0, 6) as unknown as Affine;
        break;
      default:
        throw new Error(`text layout: unknown transform "${name}" in "${value}"`);
    }
    m = multiply(m, t);
  }
  return m;
}

/** A rectangle in the root SVG's user units (points for the project's figures). */
export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** One run of text as rendered: its string, size and where its box lands on the canvas. */
export interface TextBox {
  readonly text: string;
  /** Font size in the text's own user units. */
  readonly fontSize: number;
  readonly bold: boolean;
  /** The box's four corners in the root's user units (a rotated label gives a rotated box). */
  readonly corners: readonly (readonly [number, number])[];
  /** The axis-aligned bounds of the corners. */
  readonly bounds: Rect;
  /** The viewports that clip the text: the root canvas, then each enclosing nested `<svg>`. */
  readonly viewports: readonly Rect[];
  /** The `aria-label`s of its ancestors, nearest last (where in the figure the text belongs). */
  readonly context: string;
}

interface Inherited {
  fontSize: number;
  bold: boolean;
  tabular: boolean;
  anchor: string;
  baseline: string;
  context: string;
}

interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

const SKIPPED = new Set([
  "style",
  "title",
  "desc",
  "defs",
  "clippath",
  "mask",
  "symbol",
  "marker",
  "script",
  "pattern",
]);

/** A presentation attribute, or the same property in the element's `style`. */
function property(el: DomNode, name: string): string | null {
  const style = el.getAttribute?.("style");
  if (style) {
    const match = new RegExp(`(?:^|;)\\s*${name}\\s*:\\s*([^;]+)`).exec(style);
    if (match) return match[1].trim();
  }
  return el.getAttribute?.(name) ?? null;
}

/** A length in user units: a number, `px`/unitless, `pt` (1.25 px in CSS, but 1 unit here), or `em`. */
function length(value: string | null | undefined, fontSize: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const first = value.trim().split(/[\s,]+/)[0];
  const n = parseFloat(first);
  if (!Number.isFinite(n)) return undefined;
  return first.endsWith("em") ? n * fontSize : n;
}

function fontSizeOf(el: DomNode, parent: number): number {
  const value = property(el, "font-size");
  if (!value) return parent;
  const n = parseFloat(value);
  if (!Number.isFinite(n)) return parent;
  return value.trim().endsWith("em") ? n * parent : value.trim().endsWith("%") ? (n / 100) * parent : n;
}

function inherit(el: DomNode, parent: Inherited): Inherited {
  const weight = property(el, "font-weight");
  const variant = property(el, "font-variant") ?? property(el, "font-variant-numeric");
  const label = el.getAttribute?.("aria-label");
  return {
    fontSize: fontSizeOf(el, parent.fontSize),
    bold: weight === null ? parent.bold : weight === "bold" || weight === "bolder" || Number(weight) >= 600,
    tabular: variant === null ? parent.tabular : variant.includes("tabular-nums"),
    anchor: property(el, "text-anchor") ?? parent.anchor,
    baseline: property(el, "dominant-baseline") ?? parent.baseline,
    context: label ? (parent.context ? `${parent.context} › ${label}` : label) : parent.context,
  };
}

function viewBoxOf(el: DomNode): number[] | undefined {
  const box = el.getAttribute?.("viewBox")?.trim().split(/[\s,]+/).map(Number);
  return box && box.length === 4 && box.every(Number.isFinite) ? box : undefined;
}

function boundsOf(points: readonly (readonly [number, number])[]): Rect {
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
}

/**
 * Every non-blank run of text of an SVG document with the box it occupies, in the root's user
 * units. The root's canvas is its `viewBox` (else its `width` × `height`).
 *
 * @example
 * ```ts
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" font-size="10">' +
 *   '<text transform="translate(50,25)" text-anchor="middle">NC1</text></svg>';
 * const [box] = textBoxes(svg);
 * Math.round(box.bounds.left + box.bounds.right); // 100: centred on x = 50
 * ```
 */
export function textBoxes(svg: string, options: { measurer?: TextMeasurer } = {}): TextBox[] {
  const measurer = options.measurer ?? figureFontMeasurer();
  const document = new DOMParser().parseFromString(svg.replace(/^<\?xml[^>]*\?>\s*/, ""), "image/svg+xml");
  const root = (document as unknown as { documentElement: DomNode }).documentElement;
  if (!root || root.nodeName.toLowerCase() !== "svg") throw new Error("text layout: the document is not an <svg>");
  const box = viewBoxOf(root);
  const canvas: Rect = box ? { left: box[0], top: box[1], right: box[0] + box[2], bottom: box[1] + box[3] } : {
    left: 0,
    top: 0,
    right: length(root.getAttribute?.("width"), 16) ?? 300,
    bottom: length(root.getAttribute?.("height"), 16) ?? 150,
  };
  const start: Inherited = {
    fontSize: 16,
    bold: false,
    tabular: false,
    anchor: "start",
    baseline: "auto",
    context: "",
  };
  const boxes: TextBox[] = [];

  const visit = (el: DomNode, ctm: Affine, parent: Inherited, viewports: Rect[], isRoot: boolean) => {
    const name = el.nodeName.toLowerCase();
    if (SKIPPED.has(name)) return;
    if (property(el, "display") === "none" || property(el, "visibility") === "hidden") return;
    const style = inherit(el, parent);
    let m = ctm;
    let clips = viewports;
    if (name === "svg" && !isRoot) {
      const x = length(el.getAttribute?.("x"), style.fontSize) ?? 0,
        y = length(el.getAttribute?.("y"), style.fontSize) ?? 0;
      const vb = viewBoxOf(el);
      const w = length(el.getAttribute?.("width"), style.fontSize) ?? vb?.[2] ?? 0;
      const h = length(el.getAttribute?.("height"), style.fontSize) ?? vb?.[3] ?? 0;
      clips = [...viewports, boundsOf([apply(ctm, x, y), apply(ctm, x + w, y + h)])];
      m = multiply(ctm, translate(x, y));
      if (vb) m = multiply(multiply(m, [w / vb[2], 0, 0, h / vb[3], 0, 0]), translate(-vb[0], -vb[1]));
    }
    const transform = el.getAttribute?.("transform");
    if (transform) m = multiply(m, parseTransform(transform));
    if (name === "text") {
      layoutText(el, m, style, clips);
      return;
    }
    for (const child of Array.from(el.childNodes)) if (child.nodeType === 1) visit(child, m, style, clips, false);
  };

  /** Lays out a `<text>`: chunks start at the text and at every `<tspan>` with its own `x` or `y`. */
  const layoutText = (text: DomNode, m: Affine, style: Inherited, clips: Rect[]) => {
    let x = 0, y = 0;
    type Piece = { text: string; style: Inherited; x: number; y: number };
    let chunk: Piece[] = [];
    const flush = () => {
      if (chunk.length) placeChunk(chunk, m, clips);
      chunk = [];
    };
    const walk = (el: DomNode, s: Inherited, isText: boolean) => {
      const f = s.fontSize;
      const ax = length(el.getAttribute?.("x"), f), ay = length(el.getAttribute?.("y"), f);
      if (!isText && (ax !== undefined || ay !== undefined)) flush();
      if (ax !== undefined) x = ax;
      if (ay !== undefined) y = ay;
      x += length(el.getAttribute?.("dx"), f) ?? 0;
      y += length(el.getAttribute?.("dy"), f) ?? 0;
      for (const child of Array.from(el.childNodes)) {
        if (child.nodeType === 3) {
          const value = (child.textContent ?? "").replace(/[\t\n\r]/g, " ");
          if (value === "") continue;
          const metrics = measurer.measure(value, s);
          chunk.push({ text: value, style: s, x, y });
          x += metrics.advance * f;
        } else if (child.nodeType === 1 && child.nodeName.toLowerCase() === "tspan") {
          walk(child, inherit(child, s), false);
        }
      }
    };
    walk(text, style, true);
    flush();
  };

  /** One anchored chunk: pieces laid out left to right from the chunk's start, shifted by its anchor. */
  const placeChunk = (pieces: { text: string; style: Inherited; x: number; y: number }[], m: Affine, clips: Rect[]) => {
    const first = pieces[0];
    const string = pieces.map((p) => p.text).join("");
    if (string.trim() === "") return;
    let advance = 0, top = Infinity, bottom = -Infinity;
    for (const p of pieces) {
      const metrics = measurer.measure(p.text, p.style);
      const f = p.style.fontSize;
      advance += metrics.advance * f;
      if (p.text.trim() === "") continue;
      const shift = baselineShift(p.style.baseline, measurer) * f;
      top = Math.min(top, p.y + shift - metrics.inkTop * f);
      bottom = Math.max(bottom, p.y + shift - metrics.inkBottom * f);
    }
    const anchor = first.style.anchor;
    const left = first.x - (anchor === "middle" ? advance / 2 : anchor === "end" ? advance : 0);
    const corners = ([[left, top], [left + advance, top], [left + advance, bottom], [left, bottom]] as const).map((
      [cx, cy],
    ) => apply(m, cx, cy));
    boxes.push({
      text: string,
      fontSize: first.style.fontSize,
      bold: first.style.bold,
      corners,
      bounds: boundsOf(corners),
      viewports: [canvas, ...clips],
      context: first.style.context,
    });
  };

  visit(root, IDENTITY, start, [], true);
  return boxes;
}

/** Where the alphabetic baseline sits below the text's `y` for a `dominant-baseline` (in em). */
function baselineShift(baseline: string, measurer: TextMeasurer): number {
  switch (baseline) {
    case "central":
      return (measurer.ascent + measurer.descent) / 2;
    case "middle":
      return measurer.measure("x", { bold: false, tabular: false }).inkTop / 2;
    case "hanging":
    case "text-before-edge":
    case "text-top":
      return measurer.ascent;
    case "text-after-edge":
    case "text-bottom":
    case "ideographic":
      return measurer.descent;
    default:
      return 0;
  }
}

/** A layout fault: two texts that overlap, or a text that leaves its canvas or clipping panel. */
export interface TextLayoutIssue {
  readonly kind: "overlap" | "outside";
  /** How far (user units): the overlap's depth, or how far the text sticks out. */
  readonly amount: number;
  readonly boxes: readonly TextBox[];
  readonly message: string;
}

/** The depth two convex polygons overlap by (separating-axis theorem), 0 when they are apart. */
function overlapDepth(a: readonly (readonly [number, number])[], b: readonly (readonly [number, number])[]): number {
  let depth = Infinity;
  for (const poly of [a, b]) {
    for (let i = 0; i < poly.length; i++) {
      const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % poly.length];
      const len = Math.hypot(x2 - x1, y2 - y1);
      if (len === 0) continue;
      const nx = -(y2 - y1) / len, ny = (x2 - x1) / len;
      const project = (p: readonly (readonly [number, number])[]) => p.map(([x, y]) => x * nx + y * ny);
      const pa = project(a), pb = project(b);
      const d = Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
      if (d <= 0) return 0;
      depth = Math.min(depth, d);
    }
  }
  return depth === Infinity ? 0 : depth;
}

const describe = (b: TextBox) =>
  `"${b.text}" at (${b.bounds.left.toFixed(1)}, ${b.bounds.top.toFixed(1)})${b.context ? ` in ${b.context}` : ""}`;

/**
 * The layout faults of an SVG figure's text: every pair of texts whose boxes overlap by more than
 * `tolerance` (user units, default 0.5: half a point in the project's figures), and every text that
 * sticks out of the canvas or of a nested `<svg>` (which clips it) by more than `tolerance`.
 *
 * @example
 * ```ts
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" font-size="10">' +
 *   '<text x="10" y="20">CE</text><text x="14" y="22">LS</text></svg>';
 * textLayoutIssues(svg).map((i) => i.kind); // ["overlap"]
 * ```
 */
export function textLayoutIssues(
  svg: string,
  options: { tolerance?: number; measurer?: TextMeasurer } = {},
): TextLayoutIssue[] {
  const tolerance = options.tolerance ?? 0.5;
  const boxes = textBoxes(svg, { measurer: options.measurer });
  const issues: TextLayoutIssue[] = [];
  for (const box of boxes) {
    for (const [i, v] of box.viewports.entries()) {
      const out = Math.max(
        v.left - box.bounds.left,
        box.bounds.right - v.right,
        v.top - box.bounds.top,
        box.bounds.bottom - v.bottom,
      );
      if (out > tolerance) {
        const where = i === 0 ? "the canvas" : "its panel";
        issues.push({
          kind: "outside",
          amount: out,
          boxes: [box],
          message: `${describe(box)} leaves ${where} by ${out.toFixed(1)}`,
        });
        break;
      }
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].bounds, b = boxes[j].bounds;
      if (a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top) continue;
      const depth = overlapDepth(boxes[i].corners, boxes[j].corners);
      if (depth > tolerance) {
        issues.push({
          kind: "overlap",
          amount: depth,
          boxes: [boxes[i], boxes[j]],
          message: `${describe(boxes[i])} overlaps ${describe(boxes[j])} by ${depth.toFixed(1)}`,
        });
      }
    }
  }
  return issues;
}
