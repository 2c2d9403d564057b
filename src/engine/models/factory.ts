import type { Hyperparams, ModelSpec } from '../../shared/training';
import { Bigru } from './bigru';
import { PsdLstm } from './psd-lstm';
import { Rbm } from './rbm';
import { TokenLstm } from './token-lstm';
import { Transformer } from './transformer';
import type { TrainableModel } from './types';

/**
 * Builds a model from its JSON spec: the spec is what a checkpoint's topology records.
 * `vocabSize` is the token count for token models; the RBM needs `visible` (window rows × row width).
 */
export function createModel(
  spec: ModelSpec,
  vocabSize: number,
  seed: number,
  options: { lossWeights?: Hyperparams['lossWeights']; visible?: number } = {},
): TrainableModel {
  switch (spec.arch) {
    case 'lstm':
      return new TokenLstm(spec, vocabSize, seed);
    case 'psd-lstm':
      return new PsdLstm(spec, seed, options.lossWeights);
    case 'bigru':
      return new Bigru(spec, vocabSize, seed);
    case 'rbm':
      if (!options.visible) throw new Error('the RBM needs its number of visible units');
      return new Rbm(spec, options.visible, seed);
    case 'transformer':
      return new Transformer(spec, vocabSize, seed);
  }
}

function lstmParameters(input: number, units: number, layers: number): number {
  let n = 0;
  for (let l = 0; l < layers; l++) {
    n += input * 4 * units + units * 4 * units + 4 * units;
    input = units;
  }
  return n;
}

/** Parameters a spec will have, without building it (for the estimate shown before training). */
export function parameterCount(spec: ModelSpec, vocabSize: number, visible = 0): number {
  switch (spec.arch) {
    case 'lstm': {
      const head = spec.dense > 0 ? spec.dense : spec.units;
      const dense = spec.dense > 0 ? spec.units * spec.dense + spec.dense : 0;
      const input = spec.input === 'scaled' ? 1 : spec.embedding;
      const embedding = spec.input === 'scaled' ? 0 : vocabSize * spec.embedding;
      return embedding + lstmParameters(input, spec.units, spec.layers) + dense + head * vocabSize + vocabSize;
    }
    case 'psd-lstm':
      return lstmParameters(3, spec.units, spec.layers) + spec.units * 130 + 130;
    case 'bigru': {
      let n = vocabSize * spec.embedding;
      let input = spec.embedding;
      for (let l = 0; l < spec.layers; l++) {
        n += 2 * (input * 3 * spec.units + 3 * spec.units + spec.units * 3 * spec.units + 3 * spec.units);
        input = 2 * spec.units;
      }
      return n + 2 * spec.units * spec.dense + spec.dense + spec.dense * vocabSize + vocabSize;
    }
    case 'rbm':
      return visible * spec.hidden + visible + spec.hidden;
    case 'transformer': {
      const d = spec.embedding;
      const block = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * spec.feedForward + spec.feedForward) + (spec.feedForward * d + d);
      return vocabSize * d + (spec.positions === 'learned' ? spec.context * d : 0) + spec.layers * block + 2 * d + d * vocabSize + vocabSize;
    }
  }
}

/** Numbers a step of the model's activations holds while training, for the memory estimate. */
export function activationsPerStep(spec: ModelSpec, vocabSize: number): number {
  switch (spec.arch) {
    case 'lstm':
      return spec.layers * spec.units * 8 + spec.embedding + spec.dense + vocabSize * 3;
    case 'psd-lstm':
      return spec.layers * spec.units * 8 + 3 + 130 * 3;
    case 'bigru':
      return spec.layers * spec.units * 2 * 7 + spec.embedding;
    case 'rbm':
      return spec.hidden * 4;
    case 'transformer':
      // Per layer: the residual stream several times over, q/k/v, the feed-forward, and a row of attention weights per head.
      return spec.layers * (spec.embedding * 10 + spec.feedForward * 3) + vocabSize * 3;
  }
}

/**
 * Activation memory one forward and backward pass may use. Measured on the WASM backend: a pass
 * peaks at about six times `activationsPerStep` numbers per timestep (the tape keeps every op's
 * inputs), and per-sample speed is no better above ~32 rows, so a larger batch is split.
 */
const PASS_BUDGET_BYTES = 1e9;
const TAPE_FACTOR = 6;

/** Rows (windows) of a batch one gradient pass takes; the trainer accumulates gradients over the rest. */
export function rowsPerPass(spec: ModelSpec, vocabSize: number, sequenceLength: number, batchSize: number): number {
  if (spec.arch === 'rbm') return batchSize; // contrastive divergence is cheap and not split
  const perRow = sequenceLength * activationsPerStep(spec, vocabSize) * 4 * TAPE_FACTOR;
  const most = Math.max(1, Math.min(batchSize, Math.floor(PASS_BUDGET_BYTES / perRow)));
  // Passes of near-equal size: 64 rows at most 30 a pass go 22 + 22 + 20, not 30 + 30 + 4.
  return Math.ceil(batchSize / Math.ceil(batchSize / most));
}
