/**
 * The write-up site (`deno task site`), opened page by page from the file system in headless
 * Chromium: built once from the checkout's notebooks and figures and once from a fixed fixture
 * (tests/fixtures/site), whose notebook page is also compared with a stored screenshot — so that
 * regenerating the project's figures changes nothing the screenshot sees.
 */
import { afterAll, expect, test } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser } from "puppeteer-core";
import { buildSite, type SiteSummary } from "../../lib/site/build_site.ts";
import type { Notebook } from "../../lib/site/notebook_page.ts";
import { launchBrowser, openPage, type PageVisit, visitPage } from "./browser.ts";
import { compareScreenshot } from "./screenshot.ts";

const ROOT = resolve(import.meta.dirname!, "../..");
const FIXTURE = join(ROOT, "tests", "fixtures", "site");
const TIMEOUT = 120_000; // a guard for a loaded machine: the file takes about 8 s

interface Built {
  readonly root: string;
  readonly site: SiteSummary;
  /** Each page's visit, by file URL. */
  readonly visits: Map<string, PageVisit>;
}

const dir = mkdtempSync(join(tmpdir(), "nc-site-"));
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Both sites built and every page visited, once for the whole file. */
const ready: Promise<{ project: Built; fixture: Built }> = (async () => {
  browser = await launchBrowser();
  const visitAll = async (root: string, name: string): Promise<Built> => {
    const site = buildSite({ root, out: join(dir, name) });
    const visits = new Map<string, PageVisit>();
    for (const page of site.pages) {
      const url = pathToFileURL(join(site.out, page)).href;
      visits.set(url, await visitPage(browser!, url));
    }
    return { root, site, visits };
  };
  return { project: await visitAll(ROOT, "project"), fixture: await visitAll(FIXTURE, "fixture") };
})();
ready.catch(() => {}); // reported by every test that awaits it

const both = async () => Object.entries(await ready) as [string, Built][];

test("the site has a page for the index, every notebook, the figures, the key numbers and the method", async () => {
  const { project } = await ready;
  const notebooks = readdirSync(join(ROOT, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
  expect(project.site.pages).toEqual([
    "index.html",
    ...notebooks.map((f) => f.replace(/\.ipynb$/, ".html")),
    "figures.html",
    "summary.html",
    "method.html",
  ]);
}, TIMEOUT);

test(
  "every page loads from file:// with no console error, no failed request and nothing from the network",
  async () => {
    for (const [name, built] of await both()) {
      expect(built.visits.size, name).toBe(built.site.pages.length);
      for (const visit of built.visits.values()) {
        expect({ page: visit.url, errors: visit.errors, failed: visit.failed, network: visit.network }).toEqual({
          page: visit.url,
          errors: [],
          failed: [],
          network: [],
        });
      }
    }
  },
  TIMEOUT,
);

test("every link and source resolves to a file of the site, and every #anchor to an element of its page", async () => {
  let checked = 0;
  for (const [, built] of await both()) {
    for (const visit of built.visits.values()) {
      for (const link of visit.links) {
        if (/^(https?|mailto):/.test(link.url)) {
          // The web: only as a link a person follows, never as something the page loads.
          expect(`${link.tag} ${link.attribute}`, `${visit.url}: ${link.url}`).toBe("a href");
          continue;
        }
        if (link.url.startsWith("data:")) continue;
        const [file, anchor] = link.url.split("#");
        expect(file.startsWith("file:") && existsSync(fileURLToPath(file)), `${visit.url} links to ${link.url}`)
          .toBe(true);
        if (anchor !== undefined) {
          const target = built.visits.get(file);
          expect(target?.ids, `${visit.url} links to ${link.url}`).toContain(decodeURIComponent(anchor));
        }
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(100);
}, TIMEOUT);

/** Figures of a notebook's outputs, counted from the notebook file: SVG, PNG or JPEG, or HTML with an SVG. */
function notebookFigures(path: string): { figures: number; titles: number } {
  const notebook = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  let figures = 0, titles = 0;
  for (const output of notebook.cells.flatMap((c) => c.outputs ?? [])) {
    const data = output.data ?? {};
    const text = (key: string) => [data[key]].flat().join("");
    const html = "text/html" in data ? text("text/html") : "";
    if ("image/svg+xml" in data || "image/png" in data || "image/jpeg" in data || html.includes("<svg")) figures++;
    titles += ((html || text("image/svg+xml")).match(/<title[\s>]/g) ?? []).length;
  }
  return { figures, titles };
}

test(
  "every figure of the figures page and of each notebook page is in the page, visible, with its tooltips",
  async () => {
    for (const [name, built] of await both()) {
      const page = (file: string) => built.visits.get(pathToFileURL(join(built.site.out, file)).href)!;
      const svgs = readdirSync(join(built.root, "figures")).filter((f) => f.endsWith(".svg")).sort();
      const figuresPage = page("figures.html").figures;
      expect(figuresPage.length, `${name} figures page`).toBe(svgs.length);
      // The figures appear in file order, each keeping every <title> of its file.
      expect(figuresPage.map((f) => f.titles)).toEqual(
        svgs.map((f) => (readFileSync(join(built.root, "figures", f), "utf8").match(/<title[\s>]/g) ?? []).length),
      );
      for (const notebook of readdirSync(join(built.root, "notebooks")).filter((f) => f.endsWith(".ipynb"))) {
        const shown = page(notebook.replace(/\.ipynb$/, ".html")).figures;
        const expected = notebookFigures(join(built.root, "notebooks", notebook));
        expect(shown.length, `${name} ${notebook}`).toBe(expected.figures);
        expect(shown.reduce((sum, f) => sum + f.titles, 0), `${name} ${notebook} tooltips`).toBe(expected.titles);
        figuresPage.push(...shown);
      }
      for (const figure of figuresPage) {
        expect(figure.visible && figure.width > 0 && figure.height > 0, `${name}: ${JSON.stringify(figure)}`).toBe(
          true,
        );
      }
    }
  },
  TIMEOUT,
);

test("a figure's mark carries a <title> tooltip and is what the pointer hovers over", async () => {
  const { fixture } = await ready;
  const page = await openPage(browser!, pathToFileURL(join(fixture.site.out, "01_fixture.html")).href);
  try {
    const mark = await page.$(".figure svg circle:has(> title)");
    expect(mark, "a circle with a <title> in an inline figure").not.toBeNull();
    await mark!.scrollIntoView();
    const box = (await mark!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hovered = await mark!.evaluate((circle) => ({
      title: circle.querySelector("title")?.textContent,
      hovered: circle.matches(":hover"),
      inSvg: circle.namespaceURI === "http://www.w3.org/2000/svg" && circle.closest("svg")?.parentElement?.className,
    }));
    expect(hovered).toEqual({ title: "CE: test accuracy 81.9 %", hovered: true, inSvg: "figure" });
  } finally {
    await page.close();
  }
}, TIMEOUT);

/**
 * The fixture's notebook page at 900 px, against tests/site/__screenshots__/fixture_notebook.png.
 * Tolerance: the same size (a missing style sheet, a missing figure or text 1 px larger all change the
 * page's height), and at most 0.5 % of the pixels differing under pixelmatch's colour threshold 0.1 with
 * anti-aliased pixels ignored. Rendering the same page with Chromium's sub-pixel glyph positioning off
 * (the kind of change a browser update brings) differs in 0.22 %; the 0.5 % leaves that twice over.
 * What it lets through: changes of a few pixels (code blocks moved 6 px: 0.41 %; one word: 0.08 %),
 * which the other tests cover as content. Text uses DejaVu Sans and Mono, upright and bold only
 * (`fonts-dejavu-core`, which the set-up installs), so the page renders the same without other fonts.
 */
test("the fixture's notebook page looks like its stored screenshot", async () => {
  const { fixture } = await ready;
  const page = await openPage(browser!, pathToFileURL(join(fixture.site.out, "01_fixture.html")).href);
  try {
    const png = await page.screenshot({ fullPage: true, type: "png" });
    const stored = join(ROOT, "tests", "site", "__screenshots__", "fixture_notebook.png");
    const result = compareScreenshot(
      png,
      stored,
      { threshold: 0.1, maxFraction: 0.005 },
      join(ROOT, ".vitest", "site"),
    );
    expect(result.pass, result.message).toBe(true);
  } finally {
    await page.close();
  }
}, TIMEOUT);
