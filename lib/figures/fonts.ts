/**
 * The figure font files: DejaVu Sans regular and bold (Debian's `fonts-dejavu-core`, installed by
 * the set-up). The PNG and PDF export embed them, and the text-layout check measures with them.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readEnvironmentVariable } from "../environment.ts";

/** The font files of every PNG and PDF (Debian's paths; `NC_FONT_DIR` names another folder with them). */
export const FONT_FILES = {
  regular: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  bold: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
} as const;

/**
 * The paths of the regular and bold figure fonts, from `NC_FONT_DIR` when set; throws naming the
 * package to install when one is missing.
 *
 * @example
 * ```ts
 * const [regular, bold] = figureFontFiles(); // [".../DejaVuSans.ttf", ".../DejaVuSans-Bold.ttf"]
 * ```
 */
export function figureFontFiles(): [regular: string, bold: string] {
  const dir = readEnvironmentVariable("NC_FONT_DIR");
  const system = [FONT_FILES.regular, FONT_FILES.bold];
  const files = dir ? system.map((f) => join(dir, f.split("/").at(-1)!)) : system;
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(`figure font missing (${missing.join(", ")}): install Debian's fonts-dejavu-core`);
  }
  return [files[0], files[1]];
}
