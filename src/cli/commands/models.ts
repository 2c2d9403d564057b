import path from 'node:path';
import { ENCODING_KINDS, type EncodingKind } from '../../shared/encoding';
import type { Hyperparams } from '../../shared/training';
import { UsageError, type Command } from '../command';
import { corpusNamed, modelNamed, withEngine } from '../engine-call';
import { duration, table } from '../format';
import { followRun } from './train';

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list style models: corpus, encoding, architecture, parameters, epochs, best loss, size',
  usage: 'etude models [--json]',
  options: {},
  async run(ctx) {
    const models = await withEngine(ctx.dbPath, (call) => call('models.list', {}));
    if (!ctx.json) {
      if (models.length === 0) ctx.out('no models yet (etude train creates one)');
      else
        for (const line of table([
          ['name', 'corpus', 'encoding', 'architecture', 'parameters', 'epochs', 'best val', 'size', 'trained for', 'backend', 'origin'],
          ...models.map((m) => [
            m.name,
            m.corpus ?? '-',
            m.encoding,
            m.architecture,
            m.parameters.toLocaleString('en'),
            String(m.epochs),
            m.bestValLoss?.toFixed(4) ?? '-',
            megabytes(m.sizeBytes),
            duration(m.seconds),
            m.backend ?? '-',
            m.base ? 'base model' : m.origin.kind === 'trained' ? 'trained' : `${m.origin.kind}${'from' in m.origin ? ` of ${m.origin.from}` : ''}`,
          ]),
        ]))
          ctx.out(line);
    }
    return { models };
  },
};

function epochsFlag(value: unknown): Partial<Hyperparams> {
  if (value === undefined) return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--epochs takes a whole number of at least 1');
  return { epochs: n };
}

const USAGE = [
  'etude model export NAME --out FILE [--with-optimizer] [--json]   one file to share (.etude-model)',
  '       etude model import FILE [--name NAME] [--json]',
  '       etude model import-layers MODEL.json --vocab FILE [--encoding notes-chords|frames|events] [--name NAME] [--json]',
  '       etude model card NAME [--json]',
  '       etude model duplicate NAME [--name NEW] [--json]',
  '       etude model continue NAME [--epochs N] [--json]             a new run from where it stood',
  '       etude model fine-tune NAME --corpus CORPUS --name NEW [--epochs N] [--budget MINUTES] [--json]',
  '       etude model delete NAME [--base] [--json]                     --base to delete a base model (etude model reinstall-base brings it back)',
  '       etude model reinstall-base [NAME] [--json]                    the shipped base models, where missing',
].join('\n');

export const modelCommand: Command = {
  name: 'model',
  summary: 'share, copy, continue or fine-tune one style model (export, import, card, duplicate, continue, fine-tune)',
  usage: USAGE,
  options: {
    out: { type: 'string' },
    name: { type: 'string' },
    corpus: { type: 'string' },
    epochs: { type: 'string' },
    'with-optimizer': { type: 'boolean' },
    vocab: { type: 'string' },
    encoding: { type: 'string' },
    budget: { type: 'string' },
    base: { type: 'boolean' },
  },
  async run(ctx) {
    const [action, target] = ctx.positionals;
    if (!action) throw new UsageError(`which action? ${USAGE.split('\n')[0]}`);
    if (action === 'reinstall-base') {
      const { installed } = await withEngine(ctx.dbPath, (call) => call('models.reinstallBase', target ? { name: target } : {}));
      if (!ctx.json) ctx.out(installed.length === 0 ? 'every base model is installed' : `installed ${installed.map((m) => `"${m.name}"`).join(', ')}`);
      return { installed };
    }
    if (!target) throw new UsageError(`etude model ${action} needs a ${action === 'import' ? 'FILE' : 'model NAME'}`);
    const name = (ctx.values.name as string | undefined)?.trim();
    switch (action) {
      case 'export': {
        const out = ctx.values.out as string | undefined;
        if (!out) throw new UsageError('--out FILE is required');
        const result = await withEngine(ctx.dbPath, async (call) => {
          const model = await modelNamed(call, target);
          return call('models.exportToFile', { id: model.id, path: path.resolve(out), optimizer: ctx.values['with-optimizer'] === true });
        });
        if (!ctx.json) ctx.out(`${result.path} (${megabytes(result.bytes)})`);
        return result;
      }
      case 'import': {
        const model = await withEngine(ctx.dbPath, (call) => call('models.importFile', { path: path.resolve(target), ...(name ? { name } : {}) }));
        if (!ctx.json) ctx.out(`imported "${model.name}" (${model.architecture}, ${model.parameters.toLocaleString('en')} parameters)`);
        return { model };
      }
      case 'import-layers': {
        const vocab = ctx.values.vocab as string | undefined;
        if (!vocab) throw new UsageError('--vocab FILE is required: the tokens the model was trained with, in id order');
        const encoding = ctx.values.encoding as string | undefined;
        if (encoding !== undefined && !(ENCODING_KINDS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding must be one of ${ENCODING_KINDS.join(', ')}`);
        const model = await withEngine(ctx.dbPath, (call) =>
          call('models.importLayersFiles', {
            modelJson: path.resolve(target),
            vocabulary: path.resolve(vocab),
            ...(name ? { name } : {}),
            ...(encoding ? { encoding: encoding as EncodingKind } : {}),
          }),
        );
        if (!ctx.json) ctx.out(`imported "${model.name}" as ${model.architecture} (${model.parameters.toLocaleString('en')} parameters)`);
        return { model };
      }
      case 'card': {
        const card = await withEngine(ctx.dbPath, async (call) => call('models.card', { id: (await modelNamed(call, target)).id }));
        if (!ctx.json) {
          ctx.out(`${card.name}: ${card.architecture}, ${card.parameters.toLocaleString('en')} parameters (${card.origin.kind})`);
          ctx.out(`corpus ${card.corpus.name} (${card.corpus.pieces} pieces, sha256 ${card.corpus.hash ?? 'not recorded'})`);
          ctx.out(`encoding ${card.vocabulary.encoding} v${card.vocabulary.encodingVersion}, ${card.vocabulary.size} tokens, coverage ${(card.vocabulary.coverage * 100).toFixed(1)}%`);
          ctx.out(`trained ${card.epochs} epochs in ${duration(card.trainingSeconds)}, best validation loss ${card.bestValLoss?.toFixed(4) ?? '-'}`);
          for (const r of card.runs) {
            const m = r.machine;
            ctx.out(
              `  run: ${r.epochs} epochs, ${r.status}, batch ${r.hyperparams.batchSize} × ${r.hyperparams.sequenceLength}, ${r.hyperparams.optimizer} ${r.hyperparams.learningRate}` +
                `${r.startedFrom ? `, from ${r.startedFrom}` : ''}${m ? `, on ${m.cpu} (${m.cores} cores, ${m.backend})` : ''}${r.imported ? ' [before import]' : ''}`,
            );
          }
          ctx.out(`${card.auditions.length} audition${card.auditions.length === 1 ? '' : 's'}`);
        }
        return { card };
      }
      case 'delete': {
        const freed = await withEngine(ctx.dbPath, async (call) => call('models.delete', { id: (await modelNamed(call, target)).id, confirm: true, ...(ctx.values.base ? { confirmBase: true } : {}) }));
        if (!ctx.json) ctx.out(`deleted "${target}": ${freed.runs} runs, ${freed.checkpoints} checkpoints, ${freed.generations} generations`);
        return freed;
      }
      case 'duplicate': {
        const model = await withEngine(ctx.dbPath, async (call) => call('models.duplicate', { id: (await modelNamed(call, target)).id, ...(name ? { name } : {}) }));
        if (!ctx.json) ctx.out(`duplicated as "${model.name}"`);
        return { model };
      }
      case 'continue':
      case 'fine-tune': {
        const hyperparams = epochsFlag(ctx.values.epochs);
        const run = await withEngine(ctx.dbPath, async (call, engine) => {
          const model = await modelNamed(call, target);
          let runId: number;
          if (action === 'continue') runId = (await call('models.continue', { modelId: model.id, hyperparams })).id;
          else {
            const corpusName = ctx.values.corpus as string | undefined;
            if (!corpusName) throw new UsageError('--corpus NAME is required: the corpus to fine-tune on');
            if (!name) throw new UsageError('--name NEW is required: the fine-tuned model is a new model');
            const corpus = await corpusNamed(call, corpusName);
            const budget = ctx.values.budget === undefined ? undefined : Number(ctx.values.budget);
            if (budget !== undefined && !(budget > 0)) throw new UsageError('--budget is a number of minutes above 0');
            const tuned = await call('models.fineTune', { modelId: model.id, corpusId: corpus.id, name, hyperparams, ...(budget ? { budgetMinutes: budget } : {}) });
            if (!ctx.json) ctx.err(`"${tuned.model.name}": ${tuned.newTokens} new token${tuned.newTokens === 1 ? '' : 's'} added to the vocabulary`);
            runId = tuned.run.id;
          }
          return followRun(ctx, call, engine, runId);
        });
        if (!ctx.json) ctx.out(`${run.model}: run ${run.id} ${run.status}${run.message ? ` (${run.message})` : ''}, best validation loss ${run.bestValLoss?.toFixed(4) ?? '-'}`);
        if (['failed', 'diverged'].includes(run.status)) throw new Error(`training ${run.status}: ${run.message ?? ''}`);
        return { model: run.model, run: run.id, status: run.status, best_val_loss: run.bestValLoss };
      }
      default:
        throw new UsageError(`unknown action "${action}": ${USAGE}`);
    }
  },
};
