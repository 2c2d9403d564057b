import type { ModelSpec } from '../../shared/training';
import { TokenLstm } from './token-lstm';
import type { TrainableModel } from './types';

/** Builds a model from its JSON spec: the spec is what a checkpoint's topology records. */
export function createModel(spec: ModelSpec, vocabSize: number, seed: number): TrainableModel {
  switch (spec.arch) {
    case 'lstm':
      return new TokenLstm(spec, vocabSize, seed);
  }
}

/** Parameters a spec will have, without building it (for the estimate shown before training). */
export function parameterCount(spec: ModelSpec, vocabSize: number): number {
  switch (spec.arch) {
    case 'lstm': {
      let n = vocabSize * spec.embedding;
      let input = spec.embedding;
      for (let l = 0; l < spec.layers; l++) {
        n += input * 4 * spec.units + spec.units * 4 * spec.units + 4 * spec.units;
        input = spec.units;
      }
      const head = spec.dense > 0 ? spec.dense : spec.units;
      if (spec.dense > 0) n += spec.units * spec.dense + spec.dense;
      return n + head * vocabSize + vocabSize;
    }
  }
}
