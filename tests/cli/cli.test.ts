import { afterAll, describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

function writeInput(name: string, value: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

// Three classes in the plane at the vertices of an equilateral triangle, each with two samples.
const angle = (k: number) => (2 * Math.PI * k) / 3;
const vertex = (k: number, r = 1) => [r * Math.cos(angle(k)), r * Math.sin(angle(k))];
const VALID = {
  features: [vertex(0), vertex(0, 1.2), vertex(1), vertex(1, 1.2), vertex(2), vertex(2, 1.2)],
  labels: [0, 0, 1, 1, 2, 2],
  W: [vertex(0), vertex(1), vertex(2)],
  b: [0, 0, 0],
};

describe("nc metrics", () => {
  test("prints one JSON object with nc1–nc4 and the variants", async () => {
    const { status, stdout, stderr } = await run(["metrics", "--input", writeInput("ok.json", VALID), "--json"]);
    expect(status).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    const m = JSON.parse(stdout);
    for (const key of ["nc1", "nc2", "nc3", "nc4", "nc1Trace", "cdnv", "nc2Means", "nccMismatch"]) {
      expect(m).toHaveProperty(key);
    }
    // W is an exact simplex ETF (2-D triangle) and the class means are its scaled rows.
    expect(m.nc2).toBeLessThan(1e-12);
    expect(m.nc3).toBeLessThan(1e-12);
    expect(m.nc1).toBeGreaterThan(0);
    expect(stderr).toMatch(/6 samples, K = 3, d = 2/);
  });

  test.each([
    [
      "ragged rows",
      { ...VALID, features: [[1, 0], [0, 1, 2], ...VALID.features.slice(2)] },
      /"features" row 1 has 3 entries, expected 2 \(ragged rows\)/,
    ],
    [
      "a label out of range",
      { ...VALID, labels: [0, 0, 1, 1, 2, 3] },
      /"labels"\[5\] = 3 is not an integer in \[0, 3\)/,
    ],
    ["a W that does not match d", { ...VALID, W: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }, /feature dimension must match/],
    ["an empty class", { ...VALID, labels: [0, 0, 1, 1, 1, 1] }, /class 2 has no samples/],
    ["a b of the wrong length", { ...VALID, b: [0, 0] }, /"b" must be an array of 3 finite numbers/],
    ["a missing key", { features: VALID.features, labels: VALID.labels, W: VALID.W }, /missing key "b"/],
    ["an unknown key", { ...VALID, bias: [0, 0, 0] }, /unknown key "bias"/],
  ])("rejects %s with one error line and status 2", async (_, input, message) => {
    const { status, stdout, stderr } = await run(["metrics", "--input", writeInput("bad.json", input), "--json"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  test("rejects a file that is not JSON and a missing file", async () => {
    const notJson = join(dir, "broken.json");
    writeFileSync(notJson, "{ features: ");
    expect((await run(["metrics", "--input", notJson])).stderr).toMatch(/broken\.json: /);
    const missing = await run(["metrics", "--input", join(dir, "absent.json")]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/absent\.json: .*no such file/i);
  });
});

describe("nc ufm", () => {
  test("prints the optimum, its NC metrics and the theory", async () => {
    const { status, stdout } = await run([
      "ufm",
      "--loss",
      "ls",
      "--alpha",
      "0.1",
      "--K",
      "4",
      "--n",
      "5",
      "--d",
      "6",
      "--json",
    ]);
    expect(status).toBe(0);
    const r = JSON.parse(stdout);
    for (const key of ["objective", "wNormSq", "nc1", "nc2", "nc3", "nc4", "iterations"]) {
      expect(typeof r[key]).toBe("number");
    }
    expect(r.loss).toEqual({ name: "ls", alpha: 0.1 });
    expect(r.wNormSq).toBeCloseTo(r.theory.wNormSq, 6);
    expect(r.objective).toBeCloseTo(r.theory.objective, 10);
    expect(r.theory.candidate).toBe(false);
  });

  test("marks MSE's prediction with bias decay as a candidate, in the JSON and on stderr", async () => {
    const args = ["ufm", "--loss", "mse", "--K", "4", "--n", "5", "--d", "6", "--lambda-b", "0.1"];
    const json = await run([...args, "--json"]);
    expect(json.status).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.theory.candidate).toBe(true);
    expect(r.objective).toBeLessThan(r.theory.objective); // the solver does better than the candidate
    expect(json.stderr).toMatch(/note: with λ_b > 0 the MSE prediction is a candidate .* not a proven optimum/);
    const table = await run(args);
    expect(table.stdout.split("\n")[0]).toMatch(/optimised\s+candidate$/);
    const plain = await run(["ufm", "--loss", "mse", "--K", "4", "--n", "5", "--d", "6"]);
    expect(plain.stderr).not.toMatch(/candidate/);
  });

  test.each([
    [["ufm", "--bogus", "1"], /Unknown option '--bogus'/],
    [["ufm", "--K", "ten"], /--K must be a number, got "ten"/],
    [["ufm", "--loss", "fl", "--gamma=-1"], /"gamma" must be ≥ 0/],
    [["ufm", "--loss", "ls", "--alpha", "1"], /"alpha" must be in \[0, 1\)/],
    [["ufm", "--loss", "mse", "--M", "0"], /"M" must be > 0/],
    [["ufm", "--loss", "ce", "--alpha", "0.1"], /--alpha applies to --loss ls/],
    [["ufm", "--K", "1"], /--K must be an integer in \[2, 10000\], got 1/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ])("rejects %j with status 2", async (argv, message) => {
    const { status, stderr } = await run(argv);
    expect(status).toBe(2);
    expect(stderr).toMatch(message);
  });

  test("--version prints the toolkit's version, the package's", async () => {
    const { status, stdout } = await run(["--version"]);
    expect(status).toBe(0);
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(stdout).toBe(`nc ${version}\n`);
  });

  test("--help documents every command", async () => {
    for (const command of ["metrics", "ufm"]) {
      const { status, stdout } = await run([command, "--help"]);
      expect(status).toBe(0);
      expect(stdout).toMatch(new RegExp(`Usage: deno task nc ${command}`));
    }
  });
});

test("the CLI process exits non-zero on bad input and prints JSON alone on stdout", () => {
  const cli = join(import.meta.dirname!, "../../lib/cli.ts");
  const ok = spawnSync(process.execPath, [
    "run",
    "-A",
    cli,
    "metrics",
    "--input",
    writeInput("p.json", VALID),
    "--json",
  ], { encoding: "utf8" });
  expect(ok.status).toBe(0);
  expect(Object.keys(JSON.parse(ok.stdout))).toContain("nc1");
  const bad = spawnSync(process.execPath, [
    "run",
    "-A",
    cli,
    "metrics",
    "--input",
    writeInput("q.json", { ...VALID, b: [] }),
  ], { encoding: "utf8" });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^error: .*"b" must be an array/);
});
