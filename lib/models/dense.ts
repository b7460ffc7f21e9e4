/**
 * A fully connected layer, y = x·W + b, on rank-2 inputs.
 *
 * The weights, their names and order are those of `tf.layers.dense` (kernel [in, units], then bias),
 * so checkpoints are interchangeable. The difference is the gradient: `tf.layers.dense` calls
 * `tf.fused.matMul`, whose custom gradient computes the input's gradient even when nothing needs
 * it (the first layer's input is data), while the product and the bias addition here are separate
 * operations whose gradients are taken only where the tape needs them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type LayerVariable = ReturnType<tf.layers.Layer["addWeight"]>;
type Initializer = Parameters<tf.layers.Layer["addWeight"]>[3];

/** Options of {@link Dense}. */
export interface DenseOptions {
  name: string;
  units: number;
  kernelInitializer: Initializer;
  biasInitializer: Initializer;
}

/**
 * The layer.
 *
 * @example
 * ```ts
 * const layer = new Dense({ name: "dense_1", units: 64, kernelInitializer: tf.initializers.glorotUniform({}), biasInitializer: tf.initializers.zeros() });
 * ```
 */
export class Dense extends tf.layers.Layer {
  static className = "NcDense";
  readonly units: number;
  readonly #initializers: { kernel: Initializer; bias: Initializer };
  #kernel!: LayerVariable;
  #bias!: LayerVariable;

  constructor(options: DenseOptions) {
    super({ name: options.name });
    this.units = options.units;
    this.#initializers = { kernel: options.kernelInitializer, bias: options.biasInitializer };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = shape[shape.length - 1];
    if (shape.length !== 2 || inputs == null) {
      throw new Error(`${this.name}: needs rank-2 inputs with a fixed last axis, got [${shape}]`);
    }
    this.#kernel = this.addWeight(
      "kernel",
      [inputs, this.units],
      "float32",
      this.#initializers.kernel,
      undefined,
      true,
    );
    this.#bias = this.addWeight("bias", [this.units], "float32", this.#initializers.bias, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      return tf.add(tf.matMul(x, this.#kernel.read() as tf.Tensor2D), this.#bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(Dense);
