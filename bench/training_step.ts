/** A timed training step on seeded random inputs, shared by the benchmarks. */
import * as tf from "@tensorflow/tfjs";
import { lossTensor } from "../lib/core/loss_tensors.ts";
import { forward, type Network, trainableVariables } from "../lib/models/network.ts";
import { Sgd, type SgdOptions } from "../lib/training/optimizer.ts";

/** One CE training step of `net` (SGD, lr 0.01) and the disposal of what it holds. */
export function trainingStep(
  net: Network,
  batch: number,
  sgdOptions: SgdOptions = { momentum: 0.9, weightDecay: 0, clipNorm: 0 },
): { step: () => Promise<void>; dispose: () => void } {
  const vars = trainableVariables(net);
  const sgd = new Sgd(vars, sgdOptions);
  const x = tf.randomNormal([batch, ...net.inputShape], 0, 1, "float32", 1);
  const y = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % net.numClasses), "int32");
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => lossTensor({ name: "ce" }, forward(net, x, { training: true }).logits, y),
        vars,
      );
      sgd.step(vars.map((v) => grads[v.name]), 0.01).dispose();
      return value;
    });
    await loss.data(); // waits for the device too
    loss.dispose();
  };
  return { step, dispose: () => (sgd.dispose(), tf.dispose([x, y])) };
}

/** Training samples per second over `steps` steps after `warmup` untimed ones. */
export async function trainThroughput(
  net: Network,
  batch: number,
  steps: number,
  warmup: number,
  sgdOptions?: SgdOptions,
): Promise<number> {
  const { step, dispose } = trainingStep(net, batch, sgdOptions);
  for (let i = 0; i < warmup; i++) await step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - start) / 1000;
  dispose();
  return (batch * steps) / seconds;
}
