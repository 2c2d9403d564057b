import fs from 'node:fs';
import path from 'node:path';
import { EtudeError } from '../../shared/errors';
import { modelCard } from '../model-files/model-card';
import { exportModelFile, importedVariant, importModelFile, MODEL_FILE_EXTENSION, MODEL_FILE_MAX_BYTES } from '../model-files/model-file';
import { readRegularFile } from '../files/read-regular';
import { continueTraining, fineTune, fineTuneSetup } from '../train/model-runs';
import { importLayersModel } from '../model-files/layers-import';
import type { NamespaceHandlers } from './types';
import type { Hyperparams, ModelInfo, ModelSpec } from '../../shared/training';
import type { EngineContext } from '../context';
import { baseFor } from '../base-models/personalize';
import { reinstallBaseModels } from '../base-models/install';
import { baseModelAbout } from '../base-models/about';
import { estimateRun, planForBudget } from '../train/planner';
import { personalGain } from '../train/personal-gain';

/** A personalised model's learning rate, as a share of its base's. */
const PERSONALIZE_RATE = 0.5;

/** The base named, or the one that fits the corpus; refused where the model is not a base. */
function chooseBase(ctx: EngineContext, corpusId: number, base: number | 'auto'): { model: ModelInfo; reasons: string[] } {
  const chosen = base === 'auto' ? baseFor(ctx.store, corpusId) : { model: ctx.store.models.get(base), reasons: [] };
  if (!chosen.model.base) throw new EtudeError('invalid_input', `"${chosen.model.name}" is not a base model: fine-tune it instead`);
  return chosen;
}

/** A base learned from far more music: a gentler learning rate keeps what it knows while it learns yours. */
function gentle(ctx: EngineContext, base: ModelInfo, hyperparams: Partial<Hyperparams> | undefined): Partial<Hyperparams> {
  const source = ctx.store.runs.generationCheckpoint(base.id);
  return { learningRate: ctx.store.runs.run(source.runId).hyperparams.learningRate * PERSONALIZE_RATE, ...hyperparams };
}

/** Writes a file without replacing one that is there (a model file is never overwritten silently). */
function writeNew(target: string, bytes: Uint8Array): string {
  const file = target.endsWith(MODEL_FILE_EXTENSION) ? target : `${target}${MODEL_FILE_EXTENSION}`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, bytes, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new EtudeError('conflict', `${file} already exists: choose another file name`);
    throw err;
  }
  return path.resolve(file);
}

/** A model (or Layers) file named by path: only a regular file, never more than a model file may be. */
function readNamedFile(file: string): Buffer {
  try {
    return readRegularFile(file, MODEL_FILE_MAX_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = err instanceof EtudeError ? err.message : code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new EtudeError('invalid_input', `${path.basename(file)} cannot be read: ${reason}`);
  }
}

export const modelHandlers: NamespaceHandlers<'models'> = {
  'models.checkpoints': ({ modelId }, { store }) => {
    store.models.get(modelId);
    return store.runs.modelCheckpoints(modelId);
  },
  'models.evaluate': ({ modelId, checkpointId }, ctx) => ctx.evaluation.evaluate(modelId, checkpointId),
  'models.score': ({ id, corpusId, checkpointId, detail }, ctx) => ctx.evaluation.score(id, corpusId, { ...(checkpointId ? { checkpointId } : {}), ...(detail ? { detail } : {}) }),
  'models.fidelity': (input, ctx) => ctx.fidelity.scorecard(input),
  'models.cancelFidelity': ({ jobId }, ctx) => ({ cancelled: ctx.fidelity.cancel(jobId) }),
  'models.fidelityByCheckpoint': (input, ctx) => ctx.fidelity.byCheckpoint(input),

  'models.list': (_input, { store }) => store.models.summaries(),
  'models.curve'({ id }, { store }) {
    store.models.get(id);
    let offset = 0;
    return store.runs.runs(id).flatMap((run) => {
      const points = store.runs.metrics(run.id).filter((p) => p.kind === 'epoch').map((p) => ({ epoch: offset + p.epoch, runId: run.id, loss: p.loss, valLoss: p.valLoss }));
      offset += run.epoch;
      return points;
    });
  },
  'models.rename': ({ id, name }, ctx) => {
    const model = ctx.store.models.rename(id, name);
    ctx.emit('models.changed', { modelId: id });
    return model;
  },
  'models.delete': ({ id, confirmBase }, ctx) => {
    const model = ctx.store.models.get(id);
    if (model.base && !confirmBase) {
      throw new EtudeError('conflict', `"${model.name}" is a base model the studio ships: confirm that you mean to delete it (it can be reinstalled)`);
    }
    const freed = ctx.store.models.delete(id);
    ctx.emit('generations.changed', { modelId: id });
    ctx.emit('models.changed', { modelId: id });
    return freed;
  },
  'models.duplicate': ({ id, name }, ctx) => {
    const source = ctx.store.models.get(id);
    const copy = ctx.store.models.duplicate(id, name ?? ctx.store.models.freeName(source.name, (b, n) => (n === 1 ? `${b} copy` : `${b} copy ${n}`)));
    ctx.emit('models.changed', { modelId: copy });
    return ctx.store.models.get(copy);
  },
  'models.setGenerationCheckpoint': ({ id, checkpointId }, ctx) => {
    ctx.store.models.setGenerationCheckpoint(id, checkpointId);
    ctx.emit('models.changed', { modelId: id });
    return ctx.store.models.get(id);
  },
  'models.continue': (input, ctx) => {
    const run = continueTraining(ctx.store, input);
    return ctx.training.enqueue(run.id);
  },
  async 'models.fineTune'({ budgetMinutes, ...input }, ctx) {
    const plan = budgetMinutes === undefined ? undefined : async (vocabularyId: number, spec: ModelSpec, hp: Hyperparams) => (await planForBudget(ctx.tf, ctx.store, vocabularyId, spec, hp, budgetMinutes * 60, { fixedSize: true })).hyperparams;
    const { model, run, newTokens } = await fineTune(ctx.store, { ...input, ...(plan ? { plan } : {}) }, (done, total) => ctx.emit('vocabularies.progress', { corpusId: input.corpusId, done, total }));
    ctx.emit('models.changed', { modelId: model.id });
    return { model, run: ctx.training.enqueue(run.id), newTokens };
  },
  async 'models.personalize'({ corpusId, name, base, hyperparams, budgetMinutes }, ctx) {
    const chosen = chooseBase(ctx, corpusId, base);
    const plan = budgetMinutes === undefined ? undefined : async (vocabularyId: number, spec: ModelSpec, hp: Hyperparams) => (await planForBudget(ctx.tf, ctx.store, vocabularyId, spec, hp, budgetMinutes * 60, { fixedSize: true })).hyperparams;
    const { model, run, newTokens } = await fineTune(ctx.store, { modelId: chosen.model.id, corpusId, name, hyperparams: gentle(ctx, chosen.model, hyperparams), ...(plan ? { plan } : {}) }, (done, total) =>
      ctx.emit('vocabularies.progress', { corpusId, done, total }),
    );
    ctx.emit('models.changed', { modelId: model.id });
    return { model, run: ctx.training.enqueue(run.id), newTokens, base: chosen.model, reasons: chosen.reasons };
  },
  async 'models.personalizeEstimate'({ corpusId, base, hyperparams, budgetMinutes }, ctx) {
    const chosen = chooseBase(ctx, corpusId, base);
    const setup = await fineTuneSetup(ctx.store, { modelId: chosen.model.id, corpusId, hyperparams: gentle(ctx, chosen.model, hyperparams) });
    const estimate =
      budgetMinutes === undefined
        ? await estimateRun(ctx.tf, setup.vocab.id, setup.spec, setup.hp)
        : await planForBudget(ctx.tf, ctx.store, setup.vocab.id, setup.spec, setup.hp, budgetMinutes * 60, { fixedSize: true });
    return { estimate, base: chosen.model, newTokens: setup.newTokens, reasons: chosen.reasons, reading: { encoding: setup.vocab.encoding, roundTrip: setup.vocab.roundTrip } };
  },
  'models.personalGain': ({ id }, ctx) => personalGain(ctx.store, ctx.evaluation, id),
  'models.baseFor': ({ corpusId }, { store }) => {
    store.corpora.require(corpusId);
    return baseFor(store, corpusId);
  },
  'models.reinstallBase': ({ name }, ctx) => {
    const installed = reinstallBaseModels(ctx.store, name).map((id) => ctx.store.models.get(id));
    if (installed.length > 0) ctx.emit('models.changed', { modelId: null });
    return { installed };
  },
  'models.card': ({ id }, { store }) => {
    const model = store.models.get(id);
    const about = model.base && model.baseName ? baseModelAbout(model.baseName) : undefined;
    return { ...modelCard(store, id), ...(about ? { about } : {}) };
  },
  'models.export': ({ id, checkpointId, optimizer }, { store }) => {
    const file = exportModelFile(store, id, { ...(checkpointId ? { checkpointId } : {}), optimizer });
    return { name: file.name, data: Buffer.from(file.bytes).toString('base64') };
  },
  'models.exportToFile': ({ id, path: target, checkpointId, optimizer }, { store }) => {
    const file = exportModelFile(store, id, { ...(checkpointId ? { checkpointId } : {}), optimizer });
    return { path: writeNew(target, file.bytes), bytes: file.bytes.byteLength };
  },
  'models.import': ({ fileName, data, name }, ctx) => {
    const id = importModelFile(ctx.store, Buffer.from(data, 'base64'), fileName, name !== undefined ? { name } : {});
    ctx.emit('models.changed', { modelId: id });
    return ctx.store.models.get(id);
  },
  'models.importFile': ({ path: file, name }, ctx) => {
    const bytes = readNamedFile(file);
    const id = importModelFile(ctx.store, bytes, path.basename(file), name !== undefined ? { name } : {});
    ctx.emit('models.changed', { modelId: id });
    return ctx.store.models.get(id);
  },
  'models.importLayers': ({ name, modelJson, weights, vocabulary, encoding }, ctx) => {
    const files = new Map(weights.map((w) => [w.name, new Uint8Array(Buffer.from(w.data, 'base64'))]));
    const id = importLayersModel(ctx.store, {
      name,
      file: modelJson.name,
      modelJson: Buffer.from(modelJson.data, 'base64').toString('utf8'),
      // Files chosen in a browser come without their folders: match the manifest's paths by file name too.
      weightFiles: (p) => files.get(p) ?? files.get(path.basename(p)),
      vocabulary: Buffer.from(vocabulary.data, 'base64').toString('utf8'),
      vocabularyFile: vocabulary.name,
      ...(encoding ? { encoding } : {}),
    });
    ctx.emit('models.changed', { modelId: id });
    return ctx.store.models.get(id);
  },
  'models.importLayersFiles': ({ modelJson, vocabulary, name, encoding }, ctx) => {
    const read = readNamedFile;
    const folder = path.dirname(path.resolve(modelJson));
    const id = importLayersModel(ctx.store, {
      name: name ?? ctx.store.models.freeName(path.basename(folder), importedVariant),
      file: path.basename(modelJson),
      modelJson: read(modelJson).toString('utf8'),
      // The weight files are the ones the manifest names, beside model.json (never paths outside it).
      weightFiles: (p) => {
        const file = path.resolve(folder, p);
        if (path.dirname(file) !== folder) throw new EtudeError('invalid_input', `${path.basename(modelJson)} names a weight file outside its folder (${p})`);
        return read(file);
      },
      vocabulary: read(vocabulary).toString('utf8'),
      vocabularyFile: path.basename(vocabulary),
      ...(encoding ? { encoding } : {}),
    });
    ctx.emit('models.changed', { modelId: id });
    return ctx.store.models.get(id);
  },
};
