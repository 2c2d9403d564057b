import type { EventMessage } from '../../shared/api';
import { ENCODING_KINDS, type EncodingKind } from '../../shared/encoding';
import { hyperparams as hyperparamsSchema, type Hyperparams, type ModelSpec, type RunInfo } from '../../shared/training';
import { UsageError, type Command, type CommandContext } from '../command';
import type { Engine } from '../../engine/engine';
import { corpusNamed, modelNamed, withEngine, type EngineCaller } from '../engine-call';
import { parseParamFlags } from './vocab';
import { spokenDuration } from '../../shared/format';
import { EtudeError } from '../../shared/errors';
import { DISK_FULL_STOP } from '../../engine/store/disk';

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
  // Ctrl+C (or a SIGTERM from a shell or a supervisor) ends the run cleanly, with a checkpoint, so it can be resumed.
  const stop = () => void call('training.stop', { runId }).catch(() => undefined);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await engine.training.waitFor(runId);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    off();
  }
}

interface RunSetup {
  vocabularyId: number;
  encoding: string;
  spec: ModelSpec;
  hyperparams: Hyperparams;
  reasons: string[];
}

/**
 * What to train, from the flags: the encoding and architecture named (else the studio's
 * recommendation for the corpus), the preset's settings, then --set and the number flags.
 */
async function setupOf(ctx: CommandContext, call: EngineCaller, maxMinutes: number | undefined): Promise<RunSetup> {
  const corpusName = ctx.values.corpus as string | undefined;
  if (!corpusName?.trim()) throw new UsageError('--corpus NAME is required (or --resume)');
  let encoding = ctx.values.encoding as string | undefined;
  let arch = ctx.values.arch as string | undefined;
  if (encoding !== undefined && !(ENCODING_KINDS as readonly string[]).includes(encoding)) throw new UsageError(`--encoding must be one of ${ENCODING_KINDS.join(', ')}`);
  const corpus = await corpusNamed(call, corpusName);
  const architectures = await call('architectures.list', {});
  const reasons: string[] = [];
  let params = parseParamFlags((ctx.values.param as string[] | undefined) ?? []);
  let presetName = ctx.values.preset as string | undefined;
  if (encoding === undefined && arch === undefined && presetName === undefined) {
    const advice = await call('training.recommend', { corpusId: corpus.id });
    ({ encoding } = advice);
    arch = advice.spec.arch;
    presetName = advice.preset;
    params = { ...advice.params, ...params };
    reasons.push(...advice.reasons);
  }
  const preset = presetName !== undefined ? architectures.flatMap((a) => a.presets).find((p) => p.name === presetName) : undefined;
  if (presetName !== undefined && !preset) throw new UsageError(`--preset must be one of ${architectures.flatMap((a) => a.presets.map((p) => p.name)).join(', ')}`);
  arch ??= preset?.spec.arch;
  if (arch === undefined) {
    // An encoding named alone: the first architecture that learns what it writes.
    const representation = (await call('encodings.list', {})).find((e) => e.kind === encoding)!.representation;
    arch = architectures.find((a) => a.representation === representation)!.name;
  }
  const architecture = architectures.find((a) => a.name === arch);
  if (!architecture) throw new UsageError(`--arch must be one of ${architectures.map((a) => a.name).join(', ')}`);
  const chosen = preset ?? architecture.presets.find((p) => p.name === architecture.defaultPreset)!;
  if (chosen.spec.arch !== architecture.name) throw new UsageError(`--preset ${chosen.name} is for ${chosen.spec.arch}, not ${architecture.name}`);
  encoding ??= chosen.encoding;
  const overrides = parseParamFlags((ctx.values.set as string[] | undefined) ?? []);
  const specKeys = ['arch', ...architecture.fields.map((f) => f.key)];
  const spec: ModelSpec = { ...chosen.spec, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => specKeys.includes(k))) };
  const hp: Partial<Hyperparams> = { ...chosen.hyperparams, ...Object.fromEntries(Object.entries(overrides).filter(([k]) => !specKeys.includes(k))) };
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
  const vocab = await call('vocabularies.build', { corpusId: corpus.id, encoding: encoding as EncodingKind, params });
  return { vocabularyId: vocab.id, encoding, spec, hyperparams: checked.data, reasons };
}

/** `--from-base`: a base model (by catalog or model name, or the one that fits) fine-tuned on the corpus. */
async function personalize(ctx: CommandContext, call: EngineCaller, name: string, from: string, budget: number | undefined): Promise<RunInfo> {
  const corpusName = ctx.values.corpus as string | undefined;
  if (!corpusName?.trim()) throw new UsageError('--corpus NAME is required: the music to personalise the base model on');
  const corpus = await corpusNamed(call, corpusName);
  let base: number | 'auto' = 'auto';
  if (from !== 'auto') {
    const models = await call('models.list', {});
    const found = models.find((m) => m.base && (m.baseName === from || m.name.toLowerCase() === from.toLowerCase()));
    if (!found) throw new UsageError(`no base model "${from}" (base models: ${models.filter((m) => m.base).map((m) => m.baseName).join(', ') || 'none installed'}; or auto)`);
    base = found.id;
  }
  const epochs = numberFlag(ctx.values.epochs, '--epochs');
  const result = await call('models.personalize', { corpusId: corpus.id, name, base, ...(epochs ? { hyperparams: { epochs } } : {}), ...(budget ? { budgetMinutes: budget } : {}) });
  if (!ctx.json) {
    ctx.err(`from "${result.base.name}"${result.newTokens ? `, ${result.newTokens} new tokens added to its vocabulary` : ''}`);
    for (const r of result.reasons) ctx.err(`  ${r}`);
  }
  return result.run;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a style model (the recommended encoding and model unless named); JSON lines of progress with --json, then a summary',
  usage:
    'etude train --corpus NAME --model NAME [--from-base NAME|auto] [--budget MINUTES] [--estimate] [--encoding KIND] [--arch ARCH] [--preset NAME] [--epochs N] [--batch-size N] ' +
    '[--sequence-length N] [--learning-rate X] [--seed N] [--param k=v ...] [--set k=v ...] [--max-minutes M] [--json]\n' +
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
    budget: { type: 'string' },
    estimate: { type: 'boolean' },
    'from-base': { type: 'string' },
    resume: { type: 'boolean' },
  },
  async run(ctx) {
    const modelName = (ctx.values.model as string | undefined)?.trim();
    const estimateOnly = ctx.values.estimate === true;
    if (!modelName && !estimateOnly) throw new UsageError('--model NAME is required');
    const maxMinutes = numberFlag(ctx.values['max-minutes'], '--max-minutes');
    if (maxMinutes !== undefined && maxMinutes <= 0) throw new UsageError('--max-minutes must be above 0');
    const budget = numberFlag(ctx.values.budget, '--budget');
    if (budget !== undefined && budget <= 0) throw new UsageError('--budget is a number of minutes above 0');

    if (estimateOnly) {
      return withEngine(ctx.dbPath, async (call) => {
        const setup = await setupOf(ctx, call, maxMinutes);
        const e = await call('training.estimate', { vocabularyId: setup.vocabularyId, spec: setup.spec, hyperparams: setup.hyperparams, ...(budget ? { budgetMinutes: budget } : {}) });
        if (!ctx.json) {
          ctx.out(`about ${spokenDuration(e.secondsPerEpoch)} an epoch (${e.windowsPerEpoch} windows), ${e.epochs} epochs: about ${spokenDuration(e.totalSeconds)} in all, ${e.peakMemoryMb} MB at most`);
          for (const r of [...setup.reasons, ...(e.reasons ?? [])]) ctx.out(`  ${r}`);
        }
        return {
          windows_per_epoch: e.windowsPerEpoch,
          seconds_per_epoch: e.secondsPerEpoch,
          epochs: e.epochs,
          total_seconds: e.totalSeconds,
          peak_memory_mb: e.peakMemoryMb,
          seconds_per_step: e.secondsPerStep,
          batches_per_epoch: e.batchesPerEpoch,
          parameters: e.parameters,
          encoding: setup.encoding,
          spec: e.spec,
          reasons: [...setup.reasons, ...(e.reasons ?? [])],
        };
      });
    }

    const run: RunInfo = await withEngine(ctx.dbPath, async (call, engine) => {
      let runId: number;
      if (ctx.values.resume) {
        const model = await modelNamed(call, modelName!);
        const last = (await call('runs.list', { modelId: model.id })).at(-1);
        if (!last) throw new Error(`model "${modelName}" has no run to resume`);
        if (last.status === 'completed') throw new Error(`the last run of "${modelName}" completed; there is nothing to resume`);
        runId = (await call('training.resume', { runId: last.id, ...(maxMinutes !== undefined ? { maxMinutes } : {}) })).id;
      } else if (ctx.values['from-base'] !== undefined) {
        runId = (await personalize(ctx, call, modelName!, String(ctx.values['from-base']), budget)).id;
      } else {
        const setup = await setupOf(ctx, call, maxMinutes);
        if (!ctx.json) for (const r of setup.reasons) ctx.err(r);
        runId = (await call('training.start', { vocabularyId: setup.vocabularyId, model: modelName!, spec: setup.spec, hyperparams: setup.hyperparams, ...(budget ? { budgetMinutes: budget } : {}) })).id;
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
    if (run.status === 'stopped' && run.message === DISK_FULL_STOP) throw new EtudeError('unavailable', `run ${run.id} ${DISK_FULL_STOP} (etude train --model "${run.model}" --resume)`);
    return summary;
  },
};
