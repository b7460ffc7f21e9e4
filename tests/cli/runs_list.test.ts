import { afterAll, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "nc-runs-ls-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const store = join(dir, "runs");
const TINY = ["train", "--dataset", "synthetic", "--width", "4", "--depth", "1", "--epochs", "2", "--quiet", "--json"];

test(
  "nc runs ls lists the store (filtered by key and state) and nc runs show one run; a damaged run is listed as such",
  async () => {
    const ids: string[] = [];
    for (const args of [["--seed", "1"], ["--seed", "2"], ["--seed", "1", "--loss", "mse"]]) {
      const trained = await runCli([...TINY, ...args, "--runs-dir", store]);
      expect(trained.status, trained.stderr).toBe(0);
      ids.push(JSON.parse(trained.stdout).id);
    }
    const all = await runCli(["runs", "ls", "--runs-dir", store, "--json"]);
    expect(all.status).toBe(0);
    const listed = JSON.parse(all.stdout);
    expect(listed.map((r: { id: string }) => r.id)).toEqual([...ids].sort());
    for (const r of listed) {
      expect(r).toMatchObject({ state: "done", epoch: 2, epochs: 2, width: 4 });
      expect(r.test_accuracy_last).toBeGreaterThan(1); // percent
    }
    const seed1 = JSON.parse((await runCli(["runs", "ls", "--runs-dir", store, "--where", "seed=1", "--json"])).stdout);
    expect(seed1.map((r: { id: string }) => r.id).sort()).toEqual([ids[0], ids[2]].sort());
    const ce1 = JSON.parse(
      (await runCli(["runs", "ls", "--runs-dir", store, "--where", "seed=1", "--where", "loss=ce", "--json"])).stdout,
    );
    expect(ce1.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    const table = await runCli(["runs", "ls", "--runs-dir", store]);
    expect(table.stdout.split("\n")[0]).toMatch(/^id\s+state\s+epoch\s+test %/);
    expect(table.stdout).toMatch(new RegExp(`${ids[1]}\\s+done\\s+2/2`));

    const shown = await runCli(["runs", "show", ids[1], "--runs-dir", store]);
    expect(shown.status).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: ids[1], config: { seed: 2 }, status: { state: "done" } });

    writeFileSync(join(store, ids[2], "status.json"), '{"state": "do');
    const damaged = JSON.parse(
      (await runCli(["runs", "ls", "--runs-dir", store, "--state", "damaged", "--json"])).stdout,
    );
    expect(damaged).toHaveLength(1);
    expect(damaged[0]).toMatchObject({ id: ids[2], state: "damaged" });
    expect(damaged[0].reason).toMatch(/status\.json is damaged/);

    const bad = await runCli(["runs", "ls", "--runs-dir", store, "--where", "seed"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--where takes KEY=VALUE, got "seed"/);
    const missing = await runCli(["runs", "show", "nope", "--runs-dir", store]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/runs show: no run nope/);
  },
  60_000,
);
