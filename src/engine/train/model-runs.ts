/**
 * Runs that start from a trained model rather than from scratch: continuing a model on its own
 * corpus, and fine-tuning a copy of it on another corpus (its vocabulary extended with the tokens
 * the new corpus adds, so every token it knew keeps its embedding and output weights).
 */
import { EtudeError } from '../../shared/errors';
import { hyperparams as hyperparamsSchema, type Hyperparams, type ModelInfo, type ModelSpec, type RunInfo } from '../../shared/training';
import { buildVocabulary } from '../encode/build-vocabulary';
import { encodingOf } from '../encode/registry';
import { architectureOf, parameterCount, parseSpec } from '../models/registry';
import type { Store } from '../store/store';
import type { CheckpointData } from '../store/runs';

function refuseWhileTraining(store: Store, model: ModelInfo): void {
  const run = store.runs.latestRun(model.id);
  if (run && ['queued', 'running', 'paused'].includes(run.status)) {
    throw new EtudeError('conflict', `"${model.name}" is already training (run ${run.id} is ${run.status})`);
  }
}

/** The checkpoint to start from: the one asked for, else the furthest of the latest run (where training stood). */
function startingCheckpoint(store: Store, model: ModelInfo, checkpointId: number | undefined): CheckpointData {
  if (checkpointId !== undefined) return store.runs.generationCheckpoint(model.id, checkpointId);
  const latest = store.runs.latestRun(model.id);
  const furthest = latest ? store.runs.resumePoint(latest.id) : null;
  return furthest ?? store.runs.generationCheckpoint(model.id);
}

function mergedHyperparams(store: Store, checkpoint: CheckpointData, overrides: Partial<Hyperparams> | undefined): Hyperparams {
  const before = store.runs.run(checkpoint.runId).hyperparams;
  return hyperparamsSchema.parse({ ...before, maxSeconds: undefined, ...overrides });
}

/** A new run of the same model, starting from its checkpoint (optimizer state included) on its own corpus. */
export function continueTraining(store: Store, input: { modelId: number; checkpointId?: number; hyperparams?: Partial<Hyperparams> }): RunInfo {
  const model = store.models.get(input.modelId);
  refuseWhileTraining(store, model);
  const vocab = store.vocabularies.get(model.vocabularyId);
  if (vocab.pieces === 0) {
    throw new EtudeError(
      'invalid_input',
      `"${model.name}" has no music to train on here (${model.origin.kind === 'import' || model.origin.kind === 'layers' ? 'it was imported without its corpus' : 'its encoded corpus is empty'}): fine-tune it on one of your corpora instead`,
    );
  }
  const checkpoint = startingCheckpoint(store, model, input.checkpointId);
  const hp = mergedHyperparams(store, checkpoint, input.hyperparams);
  return store.runs.createRun(model.id, hp, { checkpointId: checkpoint.id, label: `${model.name}, epoch ${checkpoint.epoch}`, optimizer: true });
}

/**
 * A new model, `name`, that starts as a copy of `modelId`'s checkpoint and trains on another
 * corpus. The corpus is encoded with the model's own encoding and parameters; for token models
 * the vocabulary is the model's, in its order, plus the corpus's new tokens after it. Refused,
 * with the reason, where the weights cannot carry over.
 */
/** What a fine-tuned run would start from: the checkpoint, its spec, the extended vocabulary and the merged settings, checked. */
export async function fineTuneSetup(
  store: Store,
  input: { modelId: number; corpusId: number; checkpointId?: number; hyperparams?: Partial<Hyperparams> },
  onProgress?: (done: number, total: number) => void,
) {
  const source = store.models.get(input.modelId);
  const corpus = store.corpora.require(input.corpusId);
  const checkpoint = startingCheckpoint(store, source, input.checkpointId);
  const spec = JSON.parse(checkpoint.topology) as ModelSpec;
  const from = store.vocabularies.get(source.vocabularyId);
  let encoding;
  try {
    encoding = encodingOf(from.encoding);
  } catch {
    throw new EtudeError('invalid_input', `"${source.name}" reads the encoding "${from.encoding}", which this studio does not have: it cannot learn a new corpus here`);
  }
  // A vocabulary of an older version is extended in that version's reading, or not at all.
  const params = encoding.info.version === from.encodingVersion ? from.params : encoding.legacyParams?.(from.encodingVersion, from.params);
  if (!params) {
    throw new EtudeError(
      'invalid_input',
      `"${source.name}" learned ${from.encoding} version ${from.encodingVersion}, and this studio encodes version ${encoding.info.version}: ` +
        'the new corpus would be written in tokens the model never saw. Train a new model on it instead',
    );
  }
  const baseTokens = from.representation === 'tokens' ? store.vocabularies.tokens(from.id) : undefined;
  const vocab = await buildVocabulary(store, {
    corpusId: corpus.id,
    encoding: from.encoding,
    params,
    minCount: from.minCount,
    maxSize: Math.max(from.maxSize, (baseTokens?.length ?? 0) + 1),
    ...(baseTokens ? { extend: baseTokens } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const hp = mergedHyperparams(store, checkpoint, input.hyperparams);
  const width = store.vocabularies.get(vocab.id).width;
  if (from.representation !== 'tokens' && width !== from.width) {
    throw new EtudeError('invalid_input', `"${source.name}" reads rows of ${from.width} values, and "${corpus.name}" encodes to ${width}: the models' inputs differ`);
  }
  const refused = architectureOf(spec.arch).refuse?.(parseSpec(spec), hp);
  if (refused) throw new EtudeError('invalid_input', refused);
  return { source, corpus, checkpoint, spec, vocab, width, hp, newTokens: baseTokens ? vocab.size - baseTokens.length : 0 };
}

/**
 * A new model, `name`, that starts as a copy of `modelId`'s checkpoint and trains on another
 * corpus. The corpus is encoded with the model's own encoding and parameters; for token models
 * the vocabulary is the model's, in its order, plus the corpus's new tokens after it. Refused,
 * with the reason, where the weights cannot carry over.
 */
export async function fineTune(
  store: Store,
  input: {
    modelId: number;
    corpusId: number;
    name: string;
    checkpointId?: number;
    hyperparams?: Partial<Hyperparams>;
    /** Fits the run's hyperparameters before it is created (a time budget): the new vocabulary, the spec, the merged settings. */
    plan?: (vocabularyId: number, spec: ModelSpec, hp: Hyperparams) => Promise<Hyperparams>;
  },
  onProgress?: (done: number, total: number) => void,
): Promise<{ model: ModelInfo; run: RunInfo; newTokens: number }> {
  const name = input.name.trim();
  if (store.models.byName(name)) throw new EtudeError('conflict', `a model named "${name}" already exists: choose another name for the fine-tuned model`);
  const setup = await fineTuneSetup(store, input, onProgress);
  const { source, corpus, checkpoint, spec, vocab, width, newTokens } = setup;
  const hp = input.plan ? await input.plan(vocab.id, spec, setup.hp) : setup.hp;
  const model = store.models.create({
    name,
    vocabularyId: vocab.id,
    corpusId: corpus.id,
    spec,
    parameters: parameterCount(spec, vocab.size, hp.sequenceLength * width),
    origin: { kind: 'fine-tune', from: source.name, fromEpoch: checkpoint.epoch, corpus: corpus.name, newTokens, ...(source.base ? { base: true } : {}) },
    // Personalising a base model (or a model grown from one): generation can blend it with that base.
    ...(source.base ? { basedOn: source.id } : source.basedOn !== null ? { basedOn: source.basedOn } : {}),
  });
  // Fresh optimizer state: the moments belong to the old corpus (and to a narrower vocabulary when it grew).
  const run = store.runs.createRun(model.id, hp, { checkpointId: checkpoint.id, label: `${source.name}, epoch ${checkpoint.epoch}`, optimizer: false });
  return { model, run, newTokens };
}
