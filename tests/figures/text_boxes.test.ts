import { describe, expect, test } from "vitest";
import { Resvg } from "@resvg/resvg-js";
import * as fontkit from "fontkit";
import { figureFontFiles } from "../../lib/figures/fonts.ts";
import { textBoxes, textLayoutIssues } from "./text_boxes.ts";

const svg = (body: string, attrs = 'viewBox="0 0 200 100" width="200" height="100"') =>
  `<svg xmlns="http://www.w3.org/2000/svg" ${attrs} font-size="10" font-family="DejaVu Sans">${body}</svg>`;

/** The ink bounds resvg (an independent renderer) draws the document's text at. */
function renderedInk(doc: string) {
  const box = new Resvg(doc, {
    font: { fontFiles: figureFontFiles(), loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  }).getBBox()!;
  return { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
}

/** Advance width (points) of a string at a size, straight from the font file. */
function advance(text: string, size: number): number {
  const font =
    (fontkit as unknown as { openSync(p: string): { unitsPerEm: number; layout(t: string): { advanceWidth: number } } })
      .openSync(figureFontFiles()[0]);
  return (font.layout(text).advanceWidth / font.unitsPerEm) * size;
}

// A box spans the advance width and the glyphs' ink: it holds resvg's ink box, with the same
// vertical extent (to 0.05 pt), and at most the side bearings wider on each side (under 0.25 em for
// these strings: the arrow ↑ has the widest, 0.2 em).
function expectMatchesRenderer(doc: string) {
  const [box] = textBoxes(doc);
  const ink = renderedInk(doc);
  const f = box.fontSize;
  for (
    const [ours, theirs, along] of [
      [box.bounds.left, ink.left, "x"],
      [box.bounds.right, ink.right, "x"],
      [box.bounds.top, ink.top, "y"],
      [box.bounds.bottom, ink.bottom, "y"],
    ] as const
  ) {
    const rotated = box.bounds.bottom - box.bounds.top > box.bounds.right - box.bounds.left;
    const advanceAxis = rotated ? "y" : "x";
    const slack = along === advanceAxis ? 0.25 * f : 0.05;
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(slack);
  }
  return box;
}

describe("textBoxes", () => {
  test("a start-anchored label begins at its x and is as wide as its advance", () => {
    const [box] = textBoxes(svg('<text transform="translate(50,50)">NC1 gap</text>'));
    expect(box.bounds.left).toBeCloseTo(50, 6);
    expect(box.bounds.right - box.bounds.left).toBeCloseTo(advance("NC1 gap", 10), 6);
  });

  test("an end-anchored label ends at its x; y='0.32em' moves it down by 0.32 of its size", () => {
    const plain = textBoxes(svg('<g text-anchor="end"><text transform="translate(190,50)">10⁻³</text></g>'))[0];
    const shifted =
      textBoxes(svg('<g text-anchor="end"><text transform="translate(190,50)" y="0.32em">10⁻³</text></g>'))[0];
    expect(plain.bounds.right).toBeCloseTo(190, 6);
    expect(plain.bounds.left).toBeCloseTo(190 - advance("10⁻³", 10), 6);
    expect(shifted.bounds.top - plain.bounds.top).toBeCloseTo(3.2, 6);
  });

  test("boxes agree with what resvg draws: plain, anchored, bold, rotated, nested viewports, tspans", () => {
    expectMatchesRenderer(svg('<text transform="translate(50,50)">NC1 gap</text>'));
    expectMatchesRenderer(
      svg('<g text-anchor="end" font-weight="bold"><text transform="translate(190,50)" y="0.32em">10⁻³ gyp</text></g>'),
    );
    const rotated = expectMatchesRenderer(
      svg(
        '<g text-anchor="middle"><text transform="translate(20,50) rotate(-90)" y="0.71em">↑ accuracy (%)</text></g>',
      ),
    );
    // Rotated by −90°: the advance runs up the page, centred on y = 50.
    expect(rotated.bounds.bottom - rotated.bounds.top).toBeCloseTo(advance("↑ accuracy (%)", 10), 6);
    expect((rotated.bounds.top + rotated.bounds.bottom) / 2).toBeCloseTo(50, 6);
    // A nested svg scaled ×2 by its viewBox doubles the 8-pt text it holds.
    const nested = svg(
      '<svg x="30" y="20" width="100" height="50" viewBox="0 0 50 25" font-size="8"><text x="5" y="10">ab</text></svg>',
    );
    const scaled = expectMatchesRenderer(nested);
    expect(scaled.bounds.left).toBeCloseTo(30 + 2 * 5, 6);
    expect(scaled.bounds.right - scaled.bounds.left).toBeCloseTo(2 * advance("ab", 8), 6);
  });

  test("a tspan with its own x starts a new line, one em lower", () => {
    const boxes = textBoxes(svg('<text x="10" y="20">first<tspan x="10" dy="1em">second</tspan></text>'));
    expect(boxes.map((b) => b.text)).toEqual(["first", "second"]);
    expect(boxes[1].bounds.left).toBeCloseTo(10, 6);
    expect(boxes[1].bounds.bottom - boxes[0].bounds.bottom).toBeCloseTo(10, 1);
  });

  test("blank labels (the unlabelled ticks of log axes) take no room", () => {
    expect(textBoxes(svg('<text x="10" y="20"></text><text x="10" y="20"> </text>'))).toEqual([]);
  });
});

describe("textLayoutIssues", () => {
  test("two overlapping labels are reported, with the depth of the overlap", () => {
    const issues = textLayoutIssues(svg('<text x="10" y="20">CE</text><text x="14" y="22">LS</text>'));
    expect(issues.map((i) => i.kind)).toEqual(["overlap"]);
    expect(issues[0].boxes.map((b) => b.text)).toEqual(["CE", "LS"]);
    expect(issues[0].amount).toBeGreaterThan(5);
  });

  test("labels side by side, or one line above the other, do not overlap", () => {
    const w = advance("CE", 10);
    expect(textLayoutIssues(svg(`<text x="10" y="20">CE</text><text x="${10 + w + 1}" y="20">LS</text>`))).toEqual([]);
    expect(textLayoutIssues(svg('<text x="10" y="20">CE</text><text x="10" y="32">LS</text>'))).toEqual([]);
  });

  test("touching within the tolerance (0.5 pt) is not an overlap; beyond it is", () => {
    const w = advance("CE", 10);
    expect(textLayoutIssues(svg(`<text x="10" y="20">CE</text><text x="${10 + w - 0.4}" y="20">LS</text>`))).toEqual(
      [],
    );
    expect(textLayoutIssues(svg(`<text x="10" y="20">CE</text><text x="${10 + w - 0.6}" y="20">LS</text>`)))
      .toHaveLength(1);
  });

  test("a rotated y-axis label that crosses a horizontal tick label is an overlap; beside it, it is not", () => {
    const label =
      '<g text-anchor="middle"><text transform="translate(20,50) rotate(-90)" y="0.71em">accuracy</text></g>';
    expect(textLayoutIssues(svg(`${label}<text x="15" y="52">0.5</text>`)).map((i) => i.kind)).toEqual(["overlap"]);
    expect(textLayoutIssues(svg(`${label}<text x="35" y="52">0.5</text>`))).toEqual([]);
  });

  test("text at the canvas edge is reported when it leaves the canvas", () => {
    expect(textLayoutIssues(svg('<g text-anchor="end"><text x="200" y="50">edge</text></g>'))).toEqual([]);
    const issues = textLayoutIssues(svg('<g text-anchor="middle"><text x="200" y="50">edge</text></g>'));
    expect(issues.map((i) => i.kind)).toEqual(["outside"]);
    expect(issues[0].amount).toBeCloseTo(advance("edge", 10) / 2, 6);
    // Above the top: y is the baseline, so a label at y = 5 sticks out by its cap height minus 5.
    expect(textLayoutIssues(svg('<text x="50" y="5">Top</text>')).map((i) => i.kind)).toEqual(["outside"]);
  });

  test("text clipped by a nested svg panel is reported even when it stays on the canvas", () => {
    const doc = svg(
      '<svg x="0" y="0" width="60" height="40" viewBox="0 0 60 40"><text x="40" y="20">clipped</text></svg>',
    );
    expect(textLayoutIssues(doc).map((i) => i.message)).toEqual([expect.stringContaining("leaves its panel")]);
  });

  test("an svg canvas without a viewBox is its width × height", () => {
    const doc = svg('<text x="95" y="20">wide</text>', 'width="100" height="50"');
    expect(textLayoutIssues(doc).map((i) => i.kind)).toEqual(["outside"]);
  });
});
