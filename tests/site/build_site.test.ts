import { afterAll, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSite, SiteOutputError } from "../../lib/site/build_site.ts";

const FIXTURE = resolve(import.meta.dirname!, "../fixtures/site");
const dir = mkdtempSync(join(tmpdir(), "nc-site-build-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("buildSite writes a page for the index, each notebook, the figures, the key numbers and the method", () => {
  const site = buildSite({ root: FIXTURE, out: join(dir, "a") });
  expect(site.pages).toEqual(["index.html", "01_fixture.html", "figures.html", "summary.html", "method.html"]);
  expect([site.notebooks, site.figures]).toEqual([1, 1]);
  // The pages, the style sheet and the figure's four files.
  expect(site.files).toBe(5 + 1 + 4);
  for (const file of ["assets/site.css", "figures/demo_accuracy.csv", "figures/demo_accuracy.pdf"]) {
    expect(existsSync(join(site.out, file)), file).toBe(true);
  }
  const figures = readFileSync(join(site.out, "figures.html"), "utf8");
  expect(figures).toContain('<a href="figures/demo_accuracy.csv">data (CSV)</a>');
  expect(figures).toContain('made by <a href="01_fixture.html">01 · A fixed notebook for the site test</a>');
  const summary = readFileSync(join(site.out, "summary.html"), "utf8");
  expect(summary).toContain('<a href="figures.html#demo_accuracy">demo_accuracy.svg</a>');
  expect(summary).toContain('<a href="01_fixture.html">01</a>');
  expect(summary).toContain('<a href="method.html#1-losses">losses</a>');
  const method = readFileSync(join(site.out, "method.html"), "utf8");
  expect(method).toContain('<span class="repository-link" title="docs/training.md in the repository">training</span>');
});

test("buildSite replaces an earlier site, and refuses a folder that holds anything else", () => {
  const out = join(dir, "b");
  buildSite({ root: FIXTURE, out });
  writeFileSync(join(out, "stale.html"), "");
  buildSite({ root: FIXTURE, out });
  expect(existsSync(join(out, "stale.html"))).toBe(false);
  const other = join(dir, "c");
  mkdirSync(other);
  writeFileSync(join(other, "notes.txt"), "mine");
  expect(() => buildSite({ root: FIXTURE, out: other })).toThrow(SiteOutputError);
  expect(readFileSync(join(other, "notes.txt"), "utf8")).toBe("mine");
});
