/**
 * `deno task site [--out site]`: the write-up as a static site that opens from the file system
 * (`site/index.html`): a page for every notebook with its outputs, every figure with its files and
 * data, the key numbers and the method (`lib/site/build_site.ts`). Built from the checkout's
 * `notebooks/`, `figures/` and `docs/method.md` as they are; it runs nothing.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { buildSite, SiteOutputError } from "../lib/site/build_site.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = "deno task site [--out FOLDER]  (default: site/ in the checkout; open FOLDER/index.html)";

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\nUsage: ${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const out = resolve(values.out ?? join(root, "site"));
  const start = performance.now();
  try {
    const site = buildSite({ root, out });
    const mib = (site.bytes / 2 ** 20).toFixed(1);
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    console.log(
      `${site.pages.length} pages (${site.notebooks} notebooks, ${site.figures} figures), ${site.files} files, ` +
        `${mib} MiB in ${relative(process.cwd(), out) || "."} (${seconds} s); open ${join(out, "index.html")}`,
    );
    return 0;
  } catch (error) {
    // One line, never a stack: a folder in the way, a read-only or full disk, a damaged notebook.
    console.error(error instanceof SiteOutputError ? error.message : `error: ${(error as Error).message}`);
    return 1;
  }
}

process.exit(main());
