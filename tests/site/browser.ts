/**
 * Test support: Debian's Chromium, headless, driven by puppeteer-core, opening pages from the file
 * system and recording what a person's browser would show or complain about.
 */
import { existsSync } from "node:fs";
import { readEnvironmentVariable } from "../../lib/environment.ts";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

/** How to install what the site test needs. */
export const CHROMIUM_SETUP =
  "`node scripts/setup.mjs --for test` (the set-up of `npm test`; as root it runs `apt-get install chromium`)";

/** The Chromium binary: `NC_CHROMIUM`, else Debian's `/usr/bin/chromium`; throws naming the set-up when missing. */
export function chromiumPath(): string {
  const path = readEnvironmentVariable("NC_CHROMIUM") ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(`the site test needs Debian's chromium, not found at ${path}: install it with ${CHROMIUM_SETUP}`);
  }
  return path;
}

/** Starts headless Chromium (no sandbox: the tests run as root on CI). */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none", "--hide-scrollbars"],
  });
}

/** One figure of a page: a top-level inline SVG or an image, with its size and tooltips. */
export interface FigureBox {
  readonly kind: "svg" | "img";
  readonly width: number;
  readonly height: number;
  readonly visible: boolean;
  /** `<title>` elements inside it (tooltips). */
  readonly titles: number;
}

/** What opening a page showed. */
export interface PageVisit {
  readonly url: string;
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Requests that failed (a missing file). */
  readonly failed: string[];
  /** Requests to anything but `file:` and `data:` URLs. */
  readonly network: string[];
  /** Every id on the page (anchors). */
  readonly ids: string[];
  /** Every `href` and `src` on the page, resolved against it, with its element. */
  readonly links: { readonly tag: string; readonly attribute: string; readonly url: string }[];
  readonly figures: FigureBox[];
}

/** Opens `url` in a new tab and records what it loads and shows; the tab is closed after. */
export async function visitPage(browser: Browser, url: string): Promise<PageVisit> {
  const page = await browser.newPage();
  const errors: string[] = [], failed: string[] = [], network: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("requestfailed", (request) => failed.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on("request", (request) => {
    if (!/^(file|data):/.test(request.url())) network.push(request.url());
  });
  try {
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(url, { waitUntil: "load" });
    const seen = await page.evaluate(() => {
      const svgs = [...document.querySelectorAll("svg")].filter((s) => !s.parentElement?.closest("svg"));
      const box = (element: Element, kind: "svg" | "img") => {
        const rect = element.getBoundingClientRect();
        return {
          kind,
          width: rect.width,
          height: rect.height,
          visible: element.checkVisibility({ opacityProperty: true, visibilityProperty: true }),
          titles: element.querySelectorAll("title").length,
        };
      };
      return {
        ids: [...document.querySelectorAll("[id]")].map((e) => e.id),
        links: [...document.querySelectorAll("[href], [src]")].map((e) => {
          const attribute = e.hasAttribute("href") ? "href" : "src";
          return {
            tag: e.tagName.toLowerCase(),
            attribute,
            url: new URL(e.getAttribute(attribute)!, location.href).href,
          };
        }),
        figures: [
          ...svgs.map((s) => box(s, "svg")),
          ...[...document.images].map((i) => ({ ...box(i, "img"), width: i.complete ? i.naturalWidth : 0 })),
        ],
      };
    });
    return { url, errors, failed, network, ...seen };
  } finally {
    await page.close();
  }
}

/** A new tab of `width` CSS pixels at device scale 1 with `url` loaded. */
export async function openPage(browser: Browser, url: string, width = 900): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 700, deviceScaleFactor: 1 });
  await page.goto(url, { waitUntil: "load" });
  return page;
}
