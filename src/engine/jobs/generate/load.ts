import type { ModelInfo, ModelSpec } from '../../../shared/training';
import { architectureOf, createModel } from '../../models/registry';
import type { ManifestEntry } from '../../models/param-set';
import type { TrainableModel } from '../../models/types';
import type { CheckpointData } from '../../store/runs';
import type { Store } from '../../store/store';
import type { VocabularyContext } from './decoding';

/** What a model needs of its vocabulary to generate. */
export function vocabularyContext(store: Store, vocabularyId: number): VocabularyContext {
  const vocab = store.vocabularies.get(vocabularyId);
  return {
    encoding: vocab.encoding,
    params: vocab.params,
    representation: vocab.representation,
    width: vocab.width,
    tokens: store.vocabularies.tokens(vocabularyId),
    counts: store.vocabularies.tokenCounts(vocabularyId),
  };
}

/** A model rebuilt from a checkpoint: the topology it records, its weights (checked name by name). */
export function loadCheckpointModel(
  store: Store,
  checkpoint: CheckpointData,
): { model: TrainableModel; info: ModelInfo; vocab: VocabularyContext; window: number; startMark: boolean } {
  const info = store.models.get(checkpoint.modelId);
  const run = store.runs.run(checkpoint.runId);
  const vocab = vocabularyContext(store, info.vocabularyId);
  const window = run.hyperparams.sequenceLength;
  const spec = JSON.parse(checkpoint.topology) as ModelSpec;
  const model = createModel(spec, vocab.tokens.length, run.hyperparams.seed, { lossWeights: run.hyperparams.lossWeights, visible: window * vocab.width });
  const manifest = JSON.parse(checkpoint.manifest) as { weights: ManifestEntry[] };
  try {
    model.params.load(manifest.weights, checkpoint.weights);
  } catch (err) {
    model.dispose();
    throw err;
  }
  // A run that tiled its pieces learned each piece from its start mark: generation from nothing starts there too.
  const startMark = run.hyperparams.stride === 0 && architectureOf(spec.arch).predictsEveryPosition;
  return { model, info, vocab, window, startMark };
}
