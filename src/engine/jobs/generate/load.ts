import type { ModelInfo, ModelSpec } from '../../../shared/training';
import { EtudeError } from '../../../shared/errors';
import { architectureOf, createModel, expectedManifest, MODEL_MAX_PARAMETERS } from '../../models/registry';
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
  const manifest = JSON.parse(checkpoint.manifest) as { weights: ManifestEntry[] };
  // A model stored before model files were checked may claim a topology its weights do not fit: refuse it before building a byte.
  const expected = expectedManifest(spec, vocab.tokens.length, window * vocab.width);
  const fits = expected.length === manifest.weights.length && expected.every((e, i) => e.name === manifest.weights[i]!.name && e.shape.join('x') === manifest.weights[i]!.shape.join('x'));
  const parameters = expected.reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0);
  if (!fits || parameters > MODEL_MAX_PARAMETERS) {
    throw new EtudeError('invalid_input', `the model "${info.name}" cannot be built: its weights do not fit its topology${fits ? ` (${parameters} parameters, over ${MODEL_MAX_PARAMETERS})` : ''}`);
  }
  const model = createModel(spec, vocab.tokens.length, run.hyperparams.seed, { lossWeights: run.hyperparams.lossWeights, visible: window * vocab.width });
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
