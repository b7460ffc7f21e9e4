/**
 * The project's data folder: `data/` of the repository, found from this file rather than from the
 * working directory, so that `nc data` and training agree wherever they are called from.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/**
 * Where `nc data` unpacks CIFAR and where training looks for it when no directory is given (the
 * repository's `data/`; Fashion-MNIST comes from Debian's package instead).
 *
 * @example
 * ```ts
 * DATA_DIR.endsWith("/data"); // true
 * ```
 */
export const DATA_DIR: string = fileURLToPath(new URL("../../data", import.meta.url));
