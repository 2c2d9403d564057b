import type { EventMessage } from '../../shared/api';
import { ENCODING_KINDS, type EncodingKind } from '../../shared/encoding';
import { hyperparams as hyperparamsSchema, type Hyperparams, type ModelSpec, type RunInfo } from '../../shared/training';
import { UsageError, type Command, type CommandContext } from '../command';
import type { Engine } from '../../engine/engine';
import { corpusNamed, modelNamed, withEngine, type EngineCaller } from '../engine-call';
import { parseParamFlags } from './vocab';
import { spokenDuration } from '../../shared/format';

function numberFlag(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number`);
  return n;
}


/** Prints a run's progress (JSON lines with --json) until it ends; Ctrl+C stops it cleanly with a checkpoint. */
export async function followRun(ctx: CommandContext, call: EngineCaller, engine: Engine, runId: number): Promise<RunInfo> {
  const off = engine.on((m: EventMessage) => {
    if (m.event === 'training.batch' && m.payload.runId === runId) {
      const p = m.payload;
      if (ctx.json) ctx.out(JSON.stringify({ type: 'batch', epoch: p.epoch, batch: p.batch, batches: p.batches, step: p.step, loss: p.loss, samples_per_s: p.samplesPerSecond, eta_s: p.etaSeconds }));
      else if (process.stderr.isTTY) process.stderr.write(`\repoch ${p.epoch + 1} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)} (${p.samplesPerSecond.toFixed(0)} samples/s${p.etaSeconds !== null ? `, about ${spokenDuration(p.etaSeconds)} to go` : ''})\x1b[K`);
    } else if (m.event === 'training.epoch' && m.payload.runId === runId) {
      const p = m.payload;
      if (ctx.json) ctx.out(JSON.stringify({ type: 'epoch', epoch: p.epoch, step: p.step, loss: p.loss, val_loss: p.valLoss, seconds: p.seconds, eta_s: p.etaSeconds }));
      else ctx.err(`\repoch ${p.epoch}/${p.epochs}: loss ${p.loss.toFixed(4)}, validation ${p.valLoss?.toFixed(4) ?? '-'} (${p.seconds.toFixed(1)} s, about ${spokenDuration(p.etaSeconds)} to go)\x1b[K`);
    } else if (m.event === 'training.checkpoint' && m.payload.runId === runId && ctx.json) {
      ctx.out(JSON.stringify({ type: 'checkpoint', kind: m.payload.kind, epoch: m.payload.epoch, step: m.payload.step, checkpoint: m.payload.checkpointId }));
    }
  });
  // Ctrl+C ends the run cleanly, with a checkpoint, so it can be resumed.
  const stop = () => void call('training.stop', { runId }).catch(() => undefined);
  process.once('SIGINT', stop);
  try {
    return await engine.training.waitFor(runId);
  } finally {
    process.off('SIGINT', stop);
    off();
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a style model; JSON lines of progress with --json, then a summary',
  usage:
    'etude train --corpus NAME --encoding KIND --arch ARCH --model NAME [--preset NAME] [--epochs N] [--batch-size N] [--sequence-length N] ' +
    '[--learning-rate X] [--seed N] [--param k=v ...] [--set k=v ...] [--max-minutes M] [--json]\n' +
    '       etude train --model NAME --resume [--max-minutes M] [--json]',
  options: {
    corpus: { type: 'string' },
    encoding: { type: 'string' },
    arch: { type: 'string' },
    model: { type: 'string' },
    preset: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'sequence-length': { type: 'string' },
    'learning-rate': { type: 'string' },
    seed: { type: 'string' },
    param: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
    'max-minutes': { type: 'string' },
    resume: { type: 'boolean' },
  },
  async run(ctx) {
    const modelName = (ctx.values.model as string | undefined)?.trim();
    if (!modelName) throw new UsageError('--model NAME is required');
    const maxMinutes = numberFlag(ctx.values['max-minutes'], '--max-minutes');
    if (maxMinutes !== undefined && maxMinutes <= 0) throw new UsageError('--max-minutes must be above 0');

    const run: RunInfo = await withEngine(ctx.dbPath, async (call, engine) => {
      let runId: number;
      if (ctx.values.resume) {
        const model = await modelNamed(call, modelName);
        const last = (await call('runs.list', { modelId: model.id })).at(-1);
        if (!last) throw new Error(`model "${modelName}" has no run to resume`);
        if (last.status === 'completed') throw new Error(`the last run of "${modelName}" completed; there is nothing to resume`);
        runId = (await call('training.resume', { runId: last.id })).id;
      } else {
        const corpusName = ctx.values.corpus as string | undefined;
        const encoding = ctx.values.encoding as string | undefined;
        const arch = ctx.values.arch as string | undefined;
        if (!corpusName?.trim()) throw new UsageError('--corpus NAME is required (or --resume)');
        if (!encoding || !(ENCODING_KINDS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding must be one of ${ENCODING_KINDS.join(', ')}`);
        const architectures = await call('architectures.list', {});
        const architecture = architectures.find((a) => a.name === arch);
        if (!architecture) throw new UsageError(`--arch must be one of ${architectures.map((a) => a.name).join(', ')}`);
        const presetName = (ctx.values.preset as string | undefined) ?? architecture.defaultPreset;
        const preset = architecture.presets.find((p) => p.name === presetName);
        if (!preset) throw new UsageError(`--preset must be one of ${architecture.presets.map((p) => p.name).join(', ')}`);
        const overrides = parseParamFlags((ctx.values.set as string[] | undefined) ?? []);
        const specKeys = ['arch', ...architecture.fields.map((f) => f.key)];
        const spec: ModelSpec = { ...preset.spec, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => specKeys.includes(k))) };
        const hp: Partial<Hyperparams> = {
          ...preset.hyperparams,
          ...Object.fromEntries(Object.entries(overrides).filter(([k]) => !specKeys.includes(k))),
        };
        const flags: [string, keyof Hyperparams][] = [
          ['epochs', 'epochs'],
          ['batch-size', 'batchSize'],
          ['sequence-length', 'sequenceLength'],
          ['learning-rate', 'learningRate'],
          ['seed', 'seed'],
        ];
        for (const [flag, key] of flags) {
          const value = numberFlag(ctx.values[flag], `--${flag}`);
          if (value !== undefined) (hp as Record<string, number>)[key] = value;
        }
        if (maxMinutes !== undefined) hp.maxSeconds = maxMinutes * 60;
        const checked = hyperparamsSchema.safeParse(hp);
        if (!checked.success) throw new UsageError(checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        const corpus = await corpusNamed(call, corpusName);
        const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: encoding as EncodingKind, params: parseParamFlags((ctx.values.param as string[] | undefined) ?? []) });
        runId = (await call('training.start', { vocabularyId: vocab.id, model: modelName, spec, hyperparams: checked.data })).id;
      }

      return followRun(ctx, call, engine, runId);
    });

    const summary = await withEngine(ctx.dbPath, async (call) => {
      const checkpoints = await call('runs.checkpoints', { runId: run.id });
      const best = checkpoints.find((c) => c.kind === 'best') ?? checkpoints.at(-1) ?? null;
      return { model: run.model, run: run.id, status: run.status, message: run.message, epochs: run.epoch, best_val_loss: run.bestValLoss, checkpoint: best?.id ?? null };
    });
    if (!ctx.json) ctx.out(`${summary.model}: run ${summary.run} ${summary.status}${summary.message ? ` (${summary.message})` : ''}, ${summary.epochs} epochs, best validation loss ${summary.best_val_loss?.toFixed(4) ?? '-'}`);
    if (['failed', 'diverged'].includes(run.status)) throw new Error(`training ${run.status}: ${run.message ?? ''}`);
    return summary;
  },
};
