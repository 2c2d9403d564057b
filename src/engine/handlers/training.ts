import { EtudeError } from '../../shared/errors';
import { hyperparams as hyperparamsSchema, type Hyperparams, type ModelSpec } from '../../shared/training';
import type { EngineContext } from '../context';
import { encodingInfos } from '../encode/registry';
import { architectureOf, parameterCount, parseSpec } from '../models/registry';
import { estimateRun, planForBudget } from '../train/planner';
import { recommend } from '../train/recommend';
import type { NamespaceHandlers } from './types';

/** A spec and hyperparameters checked against the vocabulary they are to train on; the reason where they cannot. */
function checked(ctx: EngineContext, vocabularyId: number, rawSpec: ModelSpec, raw: Partial<Hyperparams> | undefined): { spec: ModelSpec; hp: Hyperparams } {
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
  const hp = hyperparamsSchema.parse(raw ?? {});
  const refused = architecture.refuse?.(spec, hp);
  if (refused) throw new EtudeError('invalid_input', refused);
  return { spec, hp };
}

export const trainingHandlers: NamespaceHandlers<'training'> = {
  async 'training.start'({ vocabularyId, model: name, spec: rawSpec, hyperparams, budgetMinutes }, ctx) {
    let { spec, hp } = checked(ctx, vocabularyId, rawSpec, hyperparams);
    if (ctx.store.models.byName(name)) {
      throw new EtudeError('conflict', `a model named "${name}" already exists: resume or continue it, or choose another name`);
    }
    if (budgetMinutes !== undefined) ({ spec, hyperparams: hp } = await planForBudget(ctx.tf, ctx.store, vocabularyId, spec, hp, budgetMinutes * 60));
    const vocab = ctx.store.vocabularies.get(vocabularyId);
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
  'training.resume': ({ runId, maxMinutes }, ctx) => {
    if (maxMinutes !== undefined) ctx.store.runs.setTimeLimit(runId, maxMinutes * 60);
    return ctx.training.control(runId, 'resume');
  },
  'training.stop': ({ runId }, ctx) => ctx.training.control(runId, 'stop'),
  'training.cancel': ({ runId }, ctx) => ctx.training.control(runId, 'cancel'),
  'training.status': (_input, ctx) => ctx.training.status(),

  'training.estimate'({ vocabularyId, spec: rawSpec, hyperparams, budgetMinutes }, ctx) {
    const { spec, hp } = checked(ctx, vocabularyId, rawSpec, hyperparams);
    return budgetMinutes !== undefined ? planForBudget(ctx.tf, ctx.store, vocabularyId, spec, hp, budgetMinutes * 60) : estimateRun(ctx.tf, vocabularyId, spec, hp);
  },

  'training.recommend': ({ corpusId }, ctx) => {
    ctx.store.corpora.require(corpusId);
    return recommend(ctx.store, corpusId);
  },
};
