import { expect, test, vi } from "vitest";
import {
  EtaClock,
  formatDuration,
  formatProgress,
  formatSweepProgress,
  notebookProgress,
  streamProgress,
  sweepProgress,
  terminalProgress,
} from "../../lib/notebook/progress.ts";
import type { BatchProgress } from "../../lib/training/train.ts";

const at = (epoch: number, batch: number): BatchProgress => ({
  epoch,
  epochs: 2,
  batch,
  batches: 4,
  loss: 0.5,
  accuracy: 0.75,
});

test("formatProgress shows epoch, bar, batch, loss, accuracy and ETA", () => {
  expect(formatProgress(at(1, 2), 125, 8)).toBe("epoch 1/2 [####----] 2/4  loss 0.5000  acc 75.00%  ETA 2m05s");
  expect(formatDuration(3725)).toBe("1h02m");
  expect(formatDuration(NaN)).toBe("?");
});

test("the ETA extrapolates the time per batch", () => {
  const clock = new EtaClock();
  expect(clock.eta(at(1, 1), 0)).toBeNaN();
  // 2 batches in 1 s after the first report: 0.5 s each, 5 batches left of 8.
  expect(clock.eta(at(1, 3), 1000)).toBeCloseTo(2.5, 10);
});

test("on a terminal the bar redraws one line; elsewhere one line per epoch", () => {
  const tty: string[] = [], plain: string[] = [];
  const onTty = terminalProgress({ write: (t: string) => tty.push(t), isTTY: true });
  const onPlain = terminalProgress({ write: (t: string) => plain.push(t), isTTY: false });
  for (const epoch of [1, 2]) {
    for (let batch = 1; batch <= 4; batch++) {
      onTty(at(epoch, batch));
      onPlain(at(epoch, batch));
    }
  }
  expect(tty[0].startsWith("\r\x1b[2Kepoch 1/2")).toBe(true);
  expect(tty.filter((t) => t.endsWith("\n"))).toHaveLength(2);
  expect(plain).toHaveLength(2);
  expect(plain[1]).toMatch(/^epoch 2\/2 \[#+\] 4\/4/);
});

test("outside a notebook the progress goes to the console", () => {
  const log = vi.spyOn(console, "error").mockImplementation(() => {});
  expect(() => notebookProgress()(at(1, 4))).not.toThrow();
  expect(log).toHaveBeenCalledWith(expect.stringMatching(/^epoch 1\/2/));
  log.mockRestore();
});

test("in a notebook the progress updates one display in place", () => {
  const calls: { bundle: Record<string, string>; options: { display_id: string; update: boolean } }[] = [];
  const onBatch = notebookProgress({
    display: (bundle, options) => (calls.push({ bundle, options }), Promise.resolve()),
  });
  onBatch(at(1, 4));
  onBatch(at(2, 4));
  expect(calls).toHaveLength(2);
  expect(calls[0].options.update).toBe(false);
  expect(calls[1].options.update).toBe(true);
  expect(calls[1].options.display_id).toBe(calls[0].options.display_id);
  expect(calls[1].bundle["text/plain"]).toMatch(/^epoch 2\/2/);
});

const sweepAt = (trained: number, epochsDone: number) => ({
  total: 10,
  stored: 6,
  trained,
  toTrain: 4,
  epochsDone,
  epochsTotal: 40,
  running: trained < 4 ? [{ id: "synthetic-mlp-w8-ce-e10-s0-0123456789", epoch: epochsDone % 10, epochs: 10 }] : [],
});

test("a sweep's line: runs trained of those to train, epochs, the running run, the time left", () => {
  expect(formatSweepProgress("heatmaps", sweepAt(1, 15), 30)).toBe(
    "heatmaps: 1/4 runs trained (6 stored), epoch 15/40 · synthetic-mlp-w8-ce-e10-s0 5/10 · 50s left",
  );
  expect(formatSweepProgress("x", sweepAt(0, 0), 0)).toMatch(/· \? left$/);
});

test("a pack's runs in training are counted by the epoch they stand at", () => {
  const run = (seed: number, epoch: number) => ({
    id: `synthetic-mlp-w8-ce-e10-s${seed}-0123456789`,
    epoch,
    epochs: 10,
  });
  const pack = { ...sweepAt(0, 20), running: [run(0, 5), run(1, 5), run(2, 5), run(3, 7)] };
  expect(formatSweepProgress("heatmaps", pack, 10)).toBe(
    "heatmaps: 0/4 runs trained (6 stored), epoch 20/40 · 3 runs at epoch 5/10, 1 at epoch 7/10 · 10s left",
  );
});

test("a sweep's progress in a notebook is one display, updated in place, throttled except at a run's end", () => {
  const calls: { text: string; update: boolean; id: string }[] = [];
  let clock = 0;
  const onProgress = sweepProgress("heatmaps", {
    display: (
      bundle,
      options,
    ) => (calls.push({ text: bundle["text/plain"], update: options.update, id: options.display_id }),
      Promise.resolve()),
    now: () => clock,
  });
  onProgress(sweepAt(0, 0));
  clock = 100;
  onProgress(sweepAt(0, 1)); // throttled: same run, 0.1 s later
  clock = 200;
  onProgress(sweepAt(1, 10)); // a run ended: drawn
  clock = 900;
  onProgress(sweepAt(1, 11));
  expect(calls.map((c) => c.update)).toEqual([false, true, true]);
  expect(new Set(calls.map((c) => c.id)).size).toBe(1);
  expect(calls[2].text).toMatch(/^heatmaps: 1\/4 runs trained \(6 stored\), epoch 11\/40/);
});

test("a sweep's progress on a stream: a line at least every 30 s and at each finished run, none with nothing to train", () => {
  const lines: string[] = [];
  let t = 0;
  const report = streamProgress("heatmaps", { write: (text) => lines.push(text), now: () => t });
  report(sweepAt(0, 1)); // the first report: a line
  t = 10_000;
  report(sweepAt(0, 2)); // 10 s later, nothing finished: quiet
  t = 31_000;
  report(sweepAt(0, 3)); // 31 s after the last line: a line
  t = 32_000;
  report(sweepAt(1, 10)); // a run finished: a line
  expect(lines).toHaveLength(3);
  expect(lines[1]).toMatch(/^heatmaps: 0\/4 runs trained \(6 stored\), epoch 3\/40 · .* left\n$/);
  expect(lines[2]).toMatch(/^heatmaps: 1\/4 runs trained/);
  // atRunEnd: false — only the periodic lines.
  const periodic: string[] = [];
  t = 0;
  const timed = streamProgress("x", { write: (text) => periodic.push(text), now: () => t, atRunEnd: false });
  timed(sweepAt(0, 1));
  t = 5_000;
  timed(sweepAt(1, 10));
  t = 31_000;
  timed(sweepAt(1, 11));
  expect(periodic).toHaveLength(2);
  const quiet: string[] = [];
  streamProgress("x", { write: (text) => quiet.push(text) })({ ...sweepAt(0, 0), toTrain: 0 });
  expect(quiet).toEqual([]);
});
