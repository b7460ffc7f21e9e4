import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { join, relative } from "node:path";
import process from "node:process";
import { COMMANDS, loadCommand } from "../../lib/cli.ts";
import { PRESENTATION_PACKAGES, trainingGraph } from "../../scripts/bundle_contents.ts";
import { runCli } from "../helpers.ts";

const root = join(import.meta.dirname!, "../..");

test("every entry of the dispatch table names its module's command, with the command's summary", async () => {
  for (const entry of COMMANDS) {
    const command = await loadCommand(entry);
    expect(command?.name, entry.module).toBe(entry.name);
    expect(command.summary, entry.name).toBe(entry.summary);
  }
});

describe("command modules load when their command runs", () => {
  test("lib/cli.ts imports no command module and no npm package when it starts", () => {
    const info = spawnSync(join(root, "node_modules/.bin/deno"), ["info", "--json", "lib/cli.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(info.status, info.stderr).toBe(0);
    const files = (JSON.parse(info.stdout).modules as { local?: string }[]).flatMap((m) => m.local ?? []);
    const local = files.map((f) => relative(root, f));
    expect(local.filter((f) => /_command\.ts$|runs_commands\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.includes("node_modules"))).toEqual([]);
  });

  test("the training commands and the benchmark reach no presentation package, and reach the webgpu backend", () => {
    const { local, npmEntries } = trainingGraph(root);
    const packages = new Set(npmEntries.map((f) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(f)![1]));
    expect(PRESENTATION_PACKAGES.filter((p) => packages.has(p))).toEqual([]);
    expect([...packages]).toContain("@tensorflow/tfjs-backend-webgpu");
    expect(local).toContain("lib/cli/train_command.ts");
    expect(local).toContain("bench/device_bench.ts");
    expect(local.filter((f) => f.startsWith("lib/figures/") || f === "lib/cli/runs_commands.ts")).toEqual([]);
  }, 60_000);
});

describe("in the training-only bundle (NC_BUNDLE=training-only)", () => {
  async function inBundle(argv: string[], bundle = "training-only") {
    const saved = process.env.NC_BUNDLE;
    process.env.NC_BUNDLE = bundle;
    try {
      return await runCli(argv);
    } finally {
      if (saved === undefined) delete process.env.NC_BUNDLE;
      else process.env.NC_BUNDLE = saved;
    }
  }

  test("the other commands refuse in one line naming the full bundle", async () => {
    for (const name of COMMANDS.filter((c) => !c.training).map((c) => c.name)) {
      const { status, stdout, stderr } = await inBundle([name, "--json"]);
      expect(status).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(`error: nc ${name} is not in the training-only bundle; use the full bundle or a checkout\n`);
    }
  });

  test("the usage lists its commands and names the others; its commands run", async () => {
    const { status, stdout } = await inBundle(["--help"]);
    expect(status).toBe(0);
    const listed = [...stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
    expect(listed).toEqual(["train", "sweep", "runs", "unlock"]);
    expect(stdout).toMatch(/Not in this training-only bundle: metrics, ufm, plot, export, data/);
    const help = await inBundle(["train", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: deno task nc train/);
    const everything = await inBundle(["--help"], "full");
    expect([...everything.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1])).toEqual(COMMANDS.map((c) => c.name));
  });

  test("a value NC_BUNDLE does not take is one error naming it", async () => {
    const { status, stderr } = await inBundle(["train"], "slim");
    expect(status).toBe(2);
    expect(stderr).toBe(`error: NC_BUNDLE must be full or training-only, got "slim"\n`);
  });
});
