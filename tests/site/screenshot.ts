/**
 * Test support: a page's screenshot against a stored PNG, within a stated tolerance (pixelmatch).
 * `NC_UPDATE_SCREENSHOTS=1` stores the new screenshot instead of comparing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readEnvironmentVariable } from "../../lib/environment.ts";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

/** The tolerance of a comparison. */
export interface ScreenshotTolerance {
  /** pixelmatch's per-pixel threshold: the colour distance (0–1, YIQ) under which two pixels count as the same. */
  readonly threshold: number;
  /** The largest fraction of the pixels that may differ. */
  readonly maxFraction: number;
}

/** The outcome of a comparison; `message` says what differs and where the images were written. */
export interface ScreenshotComparison {
  readonly pass: boolean;
  readonly differing: number;
  readonly fraction: number;
  readonly message: string;
}

/**
 * Compares `actual` (PNG bytes) with the PNG at `stored`. Anti-aliased pixels do not count
 * (pixelmatch detects them). On a mismatch the actual image and a diff are written to `failures`.
 */
export function compareScreenshot(
  actual: Uint8Array,
  stored: string,
  tolerance: ScreenshotTolerance,
  failures: string,
): ScreenshotComparison {
  if (readEnvironmentVariable("NC_UPDATE_SCREENSHOTS")) {
    mkdirSync(dirname(stored), { recursive: true });
    writeFileSync(stored, actual);
    return { pass: true, differing: 0, fraction: 0, message: `stored ${stored}` };
  }
  if (!existsSync(stored)) {
    return {
      pass: false,
      differing: NaN,
      fraction: NaN,
      message: `no stored screenshot at ${stored}: run the test once with NC_UPDATE_SCREENSHOTS=1 and look at it`,
    };
  }
  const a = PNG.sync.read(Buffer.from(actual));
  const b = PNG.sync.read(readFileSync(stored));
  const name = stored.split("/").pop()!.replace(/\.png$/, "");
  const keep = (diff?: PNG) => {
    mkdirSync(failures, { recursive: true });
    writeFileSync(join(failures, `${name}.actual.png`), actual);
    if (diff) writeFileSync(join(failures, `${name}.diff.png`), PNG.sync.write(diff));
    return `; the new screenshot${diff ? " and the diff are" : " is"} in ${failures}`;
  };
  if (a.width !== b.width || a.height !== b.height) {
    const message = `size ${a.width}×${a.height} px, stored ${b.width}×${b.height} px` + keep();
    return { pass: false, differing: NaN, fraction: NaN, message };
  }
  const diff = new PNG({ width: a.width, height: a.height });
  const differing = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: tolerance.threshold });
  const fraction = differing / (a.width * a.height);
  const pass = fraction <= tolerance.maxFraction;
  const summary = `${differing} of ${a.width * a.height} pixels differ (${(100 * fraction).toFixed(3)} %, at most ${
    100 * tolerance.maxFraction
  } % allowed)`;
  return { pass, differing, fraction, message: pass ? summary : summary + keep(diff) };
}
