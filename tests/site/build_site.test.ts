import { afterAll, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { buildSite, SiteOutputError } from "../../lib/site/build_site.ts";
import { StorageError } from "../../lib/store/storage_error.ts";

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

test("buildSite names the folder it cannot write as a StorageError", () => {
  const file = join(dir, "a-file");
  writeFileSync(file, "");
  expect(() => buildSite({ root: FIXTURE, out: join(file, "site") })).toThrow(StorageError);
  expect(() => buildSite({ root: FIXTURE, out: join(file, "site") })).toThrow(
    `cannot write the site to ${join(file, "site")}: a part of the path is a file, not a directory (ENOTDIR)`,
  );
});

test("deno task site prints one line, not a stack, for a bad flag and for a folder it cannot write", () => {
  const script = resolve(import.meta.dirname!, "../../scripts/site.ts");
  const site = (...args: string[]) => spawnSync(process.execPath, ["run", "-A", script, ...args], { encoding: "utf8" });
  const flag = site("--nope");
  expect(flag.status).toBe(2);
  expect(flag.stderr).toMatch(/^error: Unknown option '--nope'\nUsage: deno task site/);
  const file = join(dir, "in-the-way");
  writeFileSync(file, "");
  const storage = site("--out", join(file, "site"));
  expect(storage.status).toBe(1);
  expect(storage.stderr).toBe(
    `error: cannot write the site to ${join(file, "site")}: a part of the path is a file, not a directory (ENOTDIR)\n`,
  );
});
