/**
 * `nc data`: download and unpack a dataset that the toolkit cannot find on the system (CIFAR).
 *
 * @module
 */
import { CIFAR_ARCHIVES, type CifarName, fetchCifar } from "../data/download.ts";
import { CliError, type Command, parseFlags } from "./args.ts";
import { userPath } from "./paths.ts";

const NAMES = Object.keys(CIFAR_ARCHIVES) as CifarName[];

const HELP = `Usage: deno task nc data cifar10|cifar100 [options]

Downloads the official binary archive of CIFAR-10 (cifar-10-binary.tar.gz, about 163 MB) or CIFAR-100
(cifar-100-binary.tar.gz, about 161 MB) from the dataset's page at the University of Toronto, checks
its MD5, and unpacks it where training looks (DIR/cifar-10-batches-bin, DIR/cifar-100-binary). Prints
that directory. Running it again does nothing once the data is in place; an interrupted download is
resumed (or restarted when the server does not resume) and never leaves a file that looks complete.

Options:
  --data-dir DIR   where the archive and the unpacked directory go (default: the checkout's data/,
                   where training looks when it is given no --data-dir)
  --url URL        download from here instead (a mirror)
  --md5 HEX        the archive's expected MD5 (default: the official archive's)
  -h, --help       this help`;

/** The `data` subcommand. */
export const dataCommand: Command = {
  name: "data",
  summary: "download and unpack CIFAR-10 or CIFAR-100",
  help: HELP,
  async run(argv, io) {
    const [name, ...rest] = argv;
    if (name === undefined || name.startsWith("-")) {
      throw new CliError(`data: name the dataset: ${NAMES.join(" or ")} (see --help)`);
    }
    if (!(NAMES as string[]).includes(name)) {
      throw new CliError(`data: unknown dataset "${name}"; choose ${NAMES.join(" or ")}`);
    }
    const flag = { type: "string" } as const;
    const { values } = parseFlags(rest, { "data-dir": flag, url: flag, md5: flag }, "data");
    if (values.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(values.md5)) {
      throw new CliError(`--md5 must be 32 hexadecimal digits, got "${values.md5}"`);
    }
    const dir = await fetchCifar(name as CifarName, {
      dataDir: userPath(values["data-dir"]),
      url: values.url,
      md5: values.md5,
      log: (line) => io.stderr(line + "\n"),
    });
    io.stdout(dir + "\n");
    return 0;
  },
};
