import { describe, expect, test } from "vitest";
import { CliError, parseFlags } from "../../lib/cli/args.ts";
import { closestNames, didYouMean, editDistance } from "../../lib/cli/suggest.ts";
import { runCli } from "../helpers.ts";

const string = { type: "string" } as const;

describe("negative numbers as flag values", () => {
  test.each([["-0.1"], ["-3"], ["-.5"], ["-1e-3"], ["-2.5E+4"]])("--lr %s is the value of --lr", (value) => {
    const { values } = parseFlags(["--lr", value, "--seed", "1"], { lr: string, seed: string }, "train");
    expect(values).toMatchObject({ lr: value, seed: "1" });
  });

  test("the joined form still works, and a boolean flag followed by a number is still an error", () => {
    expect(parseFlags(["--lr=-0.1"], { lr: string }, "train").values.lr).toBe("-0.1");
    expect(() => parseFlags(["--json", "-1"], { json: { type: "boolean" } }, "train")).toThrow(
      /^train: Unknown option '-1' \(see --help\)$/,
    );
  });

  test("a value that only starts with a dash is still ambiguous (it may be a forgotten value)", () => {
    expect(() => parseFlags(["--lr", "-x"], { lr: string }, "train")).toThrow(CliError);
    expect(() => parseFlags(["--out", "--lr", "1"], { out: string, lr: string }, "plot")).toThrow(
      /argument is ambiguous/,
    );
  });

  test("the command line takes them: a negative --gamma reaches the loss's own check", async () => {
    const { status, stderr } = await runCli(["ufm", "--loss", "fl", "--gamma", "-1"]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/"gamma" must be ≥ 0/);
    expect(stderr).not.toMatch(/ambiguous/);
  });
});

describe("did you mean", () => {
  test.each([
    // Counted by hand: one deletion; one swap; two substitutions; kitten → sitting is the textbook 3.
    ["epoch", "epochs", 1],
    ["epcohs", "epochs", 1],
    ["lr", "seed", 4],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
    ["same", "same", 0],
  ])("editDistance(%j, %j) is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  test("closestNames keeps the nearest close names only", () => {
    expect(closestNames("--epoch", ["--epochs", "--eval-epochs", "--seed"])).toEqual(["--epochs"]);
    expect(closestNames("--batch", ["--batch-size", "--backend"])).toEqual(["--batch-size"]);
    expect(closestNames("tran", ["train", "ufm", "sweep"])).toEqual(["train"]);
    expect(closestNames("frobnicate", ["train", "sweep", "metrics"])).toEqual([]);
    expect(didYouMean("--x", ["--epochs"])).toBe("");
  });

  test("a mistyped flag is one error with the suggestion", async () => {
    const { status, stdout, stderr } = await runCli(["train", "--epcohs", "3"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("error: train: Unknown option '--epcohs'; did you mean --epochs? (see --help)\n");
    const joined = await runCli(["ufm", "--lamda-w=0.1"]);
    expect(joined.stderr).toMatch(/Unknown option '--lamda-w'; did you mean --lambda-w\?/);
    const far = await runCli(["ufm", "--bogus", "1"]);
    expect(far.stderr).toBe("error: ufm: Unknown option '--bogus' (see --help)\n");
  });

  test("a mistyped command is one error with the suggestion, then the usage", async () => {
    const { status, stderr } = await runCli(["trian"]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^error: unknown command "trian"; did you mean train\?\n\nUsage: /);
    expect((await runCli(["frobnicate"])).stderr).toMatch(/^error: unknown command "frobnicate"\n\nUsage: /);
  });
});
