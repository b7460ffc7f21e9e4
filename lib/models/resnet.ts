/**
 * CIFAR-style residual networks (docs/method.md §7): a 3×3 stride-1 stem without max-pool, four
 * stages with strides 1/2/2/2, global average pooling to the features, then the classifier.
 *
 * - ResNet-18: basic blocks [2, 2, 2, 2] of two 3×3 convolutions; `width` scales every channel
 *   count (stem and stages 64·w, 128·w, 256·w, 512·w), so the features have 512·w dimensions.
 * - ResNet-50 of the reference code: bottleneck blocks [3, 4, 6, 3]; `width` scales only the inner
 *   bottleneck channels (int(planes·w)), the outputs stay 4·planes, so the features have 2048
 *   dimensions at every width (width 2 is Wide-ResNet-50-2, width 1 ResNet-50).
 *
 * Convolutions have no bias and are followed by batch norm; projection shortcuts (1×1 convolution
 * and batch norm) appear where the stride or channel count changes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  batchNorm,
  classifierLayer,
  type HiddenLayer,
  Initializers,
  ModelConfigError,
  type Network,
} from "./network.ts";

type Sym = tf.SymbolicTensor;

/** Options of the ResNet builders. */
export interface ResNetOptions {
  inputShape: readonly number[];
  numClasses: number;
  /** Width multiplier (> 0). */
  width: number;
  seed: number;
}

class Builder {
  #count = 0;
  constructor(readonly init: Initializers) {}

  name(prefix: string): string {
    return `${prefix}_${++this.#count}`;
  }

  conv(x: Sym, filters: number, kernel: number, stride: number): Sym {
    return tf.layers.conv2d({
      filters,
      kernelSize: kernel,
      strides: stride,
      padding: kernel === 1 ? "valid" : "same",
      useBias: false,
      kernelInitializer: this.init.weights(),
      name: this.name("conv"),
    }).apply(x) as Sym;
  }

  bn(x: Sym): Sym {
    return batchNorm(this.name("bn")).apply(x) as Sym;
  }

  relu(x: Sym): Sym {
    return tf.layers.reLU().apply(x) as Sym;
  }

  add(a: Sym, b: Sym): Sym {
    return tf.layers.add().apply([a, b]) as Sym;
  }

  shortcut(x: Sym, inChannels: number, outChannels: number, stride: number): Sym {
    return stride !== 1 || inChannels !== outChannels ? this.bn(this.conv(x, outChannels, 1, stride)) : x;
  }
}

function checkWidth(width: number, model: string): void {
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new ModelConfigError(`${model} width multiplier must be > 0, got ${width}`);
  }
}

/** A stage's output, globally average-pooled: the features that stage hands on. */
function pooled(name: string, x: Sym, dim: number): HiddenLayer {
  return { name, output: tf.layers.globalAveragePooling2d({}).apply(x) as Sym, dim };
}

function finish(b: Builder, input: Sym, stages: HiddenLayer[], options: ResNetOptions): Network {
  const features = stages.at(-1)!.output, featureDim = stages.at(-1)!.dim;
  const logits = classifierLayer(options.numClasses, featureDim, b.init).apply(features) as Sym;
  return {
    model: tf.model({ inputs: input, outputs: [features, logits] }),
    inputShape: options.inputShape,
    featureDim,
    numClasses: options.numClasses,
    hidden: stages,
  };
}

/**
 * ResNet-18, CIFAR variant, all channels scaled by `width`.
 *
 * @example
 * ```ts
 * const net = buildResNet18({ inputShape: [32, 32, 3], numClasses: 10, width: 0.25, seed: 0 }); // stages 16/32/64/128
 * ```
 */
export function buildResNet18(options: ResNetOptions): Network {
  checkWidth(options.width, "resnet18");
  const b = new Builder(new Initializers(options.seed));
  const channels = (c: number) => Math.max(1, Math.round(c * options.width));
  const input = tf.input({ shape: [...options.inputShape] });
  let inChannels = channels(64);
  let x = b.relu(b.bn(b.conv(input, inChannels, 3, 1)));
  const stages = [pooled("stem", x, inChannels)];
  [64, 128, 256, 512].forEach((planes, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = block === 0 && stage > 0 ? 2 : 1, out = channels(planes);
      const residual = b.bn(b.conv(b.relu(b.bn(b.conv(x, out, 3, stride))), out, 3, 1));
      x = b.relu(b.add(residual, b.shortcut(x, inChannels, out, stride)));
      inChannels = out;
    }
    stages.push(pooled(`stage ${stage + 1}`, x, inChannels));
  });
  return finish(b, input, stages, options);
}

/**
 * The reference code's CIFAR ResNet-50 with bottleneck inner width int(planes·width).
 *
 * @example
 * ```ts
 * const net = buildResNet50({ inputShape: [32, 32, 3], numClasses: 10, width: 2, seed: 0 }); // Wide-ResNet-50-2
 * ```
 */
export function buildResNet50(options: ResNetOptions): Network {
  checkWidth(options.width, "resnet50");
  const b = new Builder(new Initializers(options.seed));
  const input = tf.input({ shape: [...options.inputShape] });
  let inChannels = 64;
  let x = b.relu(b.bn(b.conv(input, 64, 3, 1)));
  const stages = [pooled("stem", x, inChannels)];
  [[64, 3], [128, 4], [256, 6], [512, 3]].forEach(([planes, blocks], stage) => {
    for (let block = 0; block < blocks; block++) {
      const stride = block === 0 && stage > 0 ? 2 : 1;
      const inner = Math.max(1, Math.floor(planes * options.width)), out = 4 * planes;
      let y = b.relu(b.bn(b.conv(x, inner, 1, 1)));
      y = b.relu(b.bn(b.conv(y, inner, 3, stride)));
      y = b.bn(b.conv(y, out, 1, 1));
      x = b.relu(b.add(y, b.shortcut(x, inChannels, out, stride)));
      inChannels = out;
    }
    stages.push(pooled(`stage ${stage + 1}`, x, inChannels));
  });
  return finish(b, input, stages, options);
}
