import { EtudeError } from '../../shared/errors';
import { hyperparams as hyperparamsSchema, type Hyperparams, type ModelSpec } from '../../shared/training';
import { encodingInfos } from '../encode/registry';
import { activationsPerStep, architectureOf, parameterCount, parseSpec, rowsPerPass } from '../models/registry';
import type { NamespaceHandlers } from './types';

/**
 * A memory estimate for training: weights with their optimizer moments and gradients, plus the
 * activations one gradient pass keeps (a large batch is taken in passes of `rowsPerPass` rows).
 */
function estimate(spec: ModelSpec, vocabSize: number, hp: Hyperparams, width: number) {
  const parameters = parameterCount(spec, vocabSize, hp.sequenceLength * width);
  const weights = parameters * 4;
  const rows = rowsPerPass(spec, vocabSize, hp.sequenceLength, hp.batchSize);
  const activations = rows * hp.sequenceLength * activationsPerStep(spec, vocabSize) * 4 * 6;
  return { parameters, weightsMb: Math.round((weights / 2 ** 20) * 10) / 10, trainingMb: Math.round(((weights * 4 + activations) / 2 ** 20) * 10) / 10 };
}

export const trainingHandlers: NamespaceHandlers<'training'> = {
  'training.start'({ vocabularyId, model: name, spec: rawSpec, hyperparams }, ctx) {
    const vocab = ctx.store.vocabularies.get(vocabularyId);
    const spec = parseSpec(rawSpec);
    const architecture = architectureOf(spec.arch);
    if (vocab.representation !== architecture.representation) {
      const fitting = encodingInfos().filter((e) => e.representation === architecture.representation).map((e) => e.kind);
      throw new EtudeError(
        'invalid_input',
        `the ${spec.arch} architecture learns ${architecture.representation}, and a ${vocab.encoding} vocabulary holds ${vocab.representation}: ` +
          `encode the corpus as ${fitting.join(' or ')}`,
      );
    }
    if (ctx.store.models.byName(name)) {
      throw new EtudeError('conflict', `a model named "${name}" already exists: resume or continue it, or choose another name`);
    }
    const hp = hyperparamsSchema.parse(hyperparams ?? {});
    const refused = architecture.refuse?.(spec, hp);
    if (refused) throw new EtudeError('invalid_input', refused);
    const model = ctx.store.models.create({
      name,
      vocabularyId,
      corpusId: vocab.corpusId,
      spec,
      parameters: parameterCount(spec, vocab.size, hp.sequenceLength * vocab.width),
    });
    const run = ctx.store.runs.createRun(model.id, hp);
    return ctx.training.enqueue(run.id);
  },

  'training.pause': ({ runId }, ctx) => ctx.training.control(runId, 'pause'),
  'training.resume': ({ runId }, ctx) => ctx.training.control(runId, 'resume'),
  'training.stop': ({ runId }, ctx) => ctx.training.control(runId, 'stop'),
  'training.cancel': ({ runId }, ctx) => ctx.training.control(runId, 'cancel'),
  'training.status': (_input, ctx) => ctx.training.status(),

  'training.estimate'({ vocabularyId, spec, hyperparams }, ctx) {
    const vocab = ctx.store.vocabularies.get(vocabularyId);
    return estimate(parseSpec(spec), vocab.size, hyperparamsSchema.parse(hyperparams ?? {}), vocab.width);
  },
};
