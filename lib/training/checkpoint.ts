/**
 * Checkpoints of a run: every weight of the model (batch-norm statistics included), the optimizer's
 * velocity, the run's progress, and, in the header, the run's id and configuration, in the file
 * format of `store/checkpoint_file.ts`; after them, while the test scores of the best validation
 * epoch are pending, that epoch's weights (`training/run_book.ts`).
 *
 * Tensors are matched by position and checked by shape on load, so a checkpoint only loads into the
 * architecture that wrote it; and a checkpoint whose configuration differs from the run's is
 * refused. A checkpoint without a configuration in its header (written by versions before the
 * header carried one) is taken as the run's own: its directory is named by the hash of the run's
 * configuration, so only a file copied by hand could belong to another run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type CheckpointArray,
  CheckpointError,
  readCheckpointFile,
  writeCheckpointFile,
} from "../store/checkpoint_file.ts";
import type { TrainConfig } from "./config.ts";
import { configDifferences, LATER_KEYS } from "./run_id.ts";

/** The header of a run's checkpoint. */
export interface CheckpointHeader<State> {
  /** Absent in checkpoints written before the header carried the run's identity. */
  readonly runId?: string;
  readonly config?: TrainConfig;
  readonly state: State;
}

/** The tensors a checkpoint holds, in order. */
export function checkpointTensors(model: tf.LayersModel, velocity: readonly tf.Variable[]): tf.Tensor[] {
  return [...model.weights.map((w) => w.read()), ...velocity];
}

/**
 * Writes the tensors, the run's identity and a JSON-serialisable state to `path` atomically.
 * Asynchronous: the webgpu backend cannot read tensors synchronously under Deno.
 */
export async function saveCheckpoint<State>(
  path: string,
  tensors: readonly tf.Tensor[],
  header: CheckpointHeader<State>,
  extras: readonly CheckpointArray[] = [],
): Promise<void> {
  const arrays = await Promise.all(
    tensors.map(async (t) => ({ shape: t.shape, values: await t.data() as Float32Array })),
  );
  writeCheckpointFile(path, { runId: header.runId, config: header.config, state: header.state }, [
    ...arrays,
    ...extras,
  ]);
}

/**
 * Reads a checkpoint into `variables` (assigned in place) and returns its state and the arrays it
 * holds after them (`extras`: the weights of the best validation epoch while their test scores are
 * pending); refuses a checkpoint written for another configuration or another architecture.
 */
export function loadCheckpoint<State>(
  path: string,
  variables: readonly tf.Tensor[],
  config: TrainConfig,
  options: { extras: number } = { extras: 0 },
): { state: State; extras: CheckpointArray[] } {
  const { header, arrays } = readCheckpointFile<CheckpointHeader<State>>(path);
  if (header.config !== undefined) {
    const differences = configDifferences({ ...LATER_KEYS, ...header.config }, config);
    if (differences.length > 0) {
      throw new CheckpointError(
        `${path}: written by run ${header.runId ?? "?"} with a different configuration (${
          differences.join(", ")
        }); remove the file to train this run from the start`,
      );
    }
  }
  if (arrays.length !== variables.length + options.extras) {
    throw new CheckpointError(
      `${path}: holds ${arrays.length} tensors, the model and optimizer have ${variables.length}${
        options.extras ? ` and its state names ${options.extras} more` : ""
      }`,
    );
  }
  arrays.slice(0, variables.length).forEach(({ shape, values }, i) => {
    const target = variables[i] as tf.Variable;
    if (shape.join("x") !== target.shape.join("x")) {
      throw new CheckpointError(
        `${path}: tensor ${i} has shape [${shape}], the model expects [${target.shape}] (different architecture)`,
      );
    }
    tf.tidy(() => target.assign(tf.tensor(values, [...shape])));
  });
  return { state: header.state, extras: arrays.slice(variables.length) };
}
