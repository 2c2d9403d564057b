import type { Scorecard } from '../../shared/fidelity';
import { UsageError, type Command } from '../command';
import { corpusNamed, modelNamed, withEngine, type EventMessage } from '../engine-call';

function count(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number`);
  return n;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** The scorecard as a musician reads it: the verdict, then the numbers. */
export function scorecardLines(r: Scorecard): string[] {
  return [
    r.verdict,
    `${r.model} (checkpoint ${r.checkpointId}, epoch ${r.checkpointEpoch}) against ${r.corpus}: ${r.takes} takes of ${r.bars} bars from ${r.passages === 'held-out' ? 'its held-out pieces' : r.passages === 'other-corpus' ? 'its pieces' : 'pieces the model learned'}, ${r.excerpts} excerpts of the corpus`,
    ...(r.note ? [`note: ${r.note}`] : []),
    `overlap (1 = indistinguishable): mean ${r.meanOverlap.toFixed(3)}, KL ${r.meanKl.toFixed(3)}`,
    ...r.features.map((f) => `  ${f.label.padEnd(26)} ${f.overlap.toFixed(3)}${f.takes !== null && f.corpus !== null ? `   takes ${f.takes.toFixed(2)}, corpus ${f.corpus.toFixed(2)}` : ''}`),
    `classifier AUC (0.5 = cannot tell them apart): ${r.auc.toFixed(3)}`,
    ...r.telltales.map((t) => `  ${t.words} (${t.auc.toFixed(2)} alone)`),
    `copies of ${r.copyCorpus} longer than ${r.copyBars} bars: ${pct(r.copyRate)} of takes; median longest match ${r.medianMatchBars.toFixed(1)} bars, longest ${r.longestMatchBars.toFixed(1)}`,
    `${r.seconds.toFixed(1)} s`,
  ];
}

export const fidelityCommand: Command = {
  name: 'fidelity',
  summary: 'does a model sound like a corpus without copying it? a style scorecard of its takes',
  usage: 'etude fidelity --model NAME --corpus NAME [--checkpoint ID] [--takes N] [--copy-bars K] [--seed S] [--temperature T] [--top-p P] [--all-checkpoints] [--json]',
  options: {
    model: { type: 'string' },
    corpus: { type: 'string' },
    checkpoint: { type: 'string' },
    takes: { type: 'string' },
    'copy-bars': { type: 'string' },
    seed: { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    'all-checkpoints': { type: 'boolean' },
  },
  async run(ctx) {
    const modelName = (ctx.values.model as string | undefined)?.trim();
    const corpusName = (ctx.values.corpus as string | undefined)?.trim();
    if (!modelName) throw new UsageError('--model NAME is required (etude models lists them)');
    if (!corpusName) throw new UsageError('--corpus NAME is required (etude corpora lists them)');
    const optional = <T>(value: T | undefined, key: string) => (value === undefined ? {} : { [key]: value });
    if (ctx.values['all-checkpoints']) {
      const curve = await withEngine(ctx.dbPath, async (call) => {
        const model = await modelNamed(call, modelName);
        const corpus = await corpusNamed(call, corpusName);
        return call('models.fidelityByCheckpoint', { id: model.id, corpusId: corpus.id, ...optional(count(ctx.values.takes, '--takes'), 'takes'), ...optional(count(ctx.values['copy-bars'], '--copy-bars'), 'copyBars') });
      });
      if (!ctx.json) {
        for (const p of curve.points) ctx.out(`epoch ${String(p.epoch).padStart(4)}  checkpoint ${p.checkpointId}  val loss ${p.valLoss?.toFixed(4) ?? '–'}  AUC ${p.auc.toFixed(3)}  overlap ${p.meanOverlap.toFixed(3)}  copies ${pct(p.copyRate)}${p.checkpointId === curve.suggested ? '  ← stop here' : ''}`);
        ctx.out(curve.reason);
      }
      return curve;
    }
    const r = await withEngine(ctx.dbPath, async (call, engine) => {
      const model = await modelNamed(call, modelName);
      const corpus = await corpusNamed(call, corpusName);
      const jobId = `cli-fidelity-${process.pid}`;
      const off = engine.on((m: EventMessage) => {
        if (m.event === 'models.fidelityProgress' && m.payload.jobId === jobId && !ctx.json && process.stderr.isTTY) {
          process.stderr.write(`\r${m.payload.phase}: ${m.payload.done} of ${m.payload.total} takes\x1b[K`);
        }
      });
      const cancel = () => void call('models.cancelFidelity', { jobId }).catch(() => undefined);
      process.once('SIGINT', cancel);
      try {
        return await call('models.fidelity', {
          id: model.id,
          corpusId: corpus.id,
          jobId,
          ...optional(count(ctx.values.checkpoint, '--checkpoint'), 'checkpointId'),
          ...optional(count(ctx.values.takes, '--takes'), 'takes'),
          ...optional(count(ctx.values['copy-bars'], '--copy-bars'), 'copyBars'),
          ...optional(count(ctx.values.seed, '--seed'), 'seed'),
          ...optional(count(ctx.values.temperature, '--temperature'), 'temperature'),
          ...optional(count(ctx.values['top-p'], '--top-p'), 'topP'),
        });
      } finally {
        process.off('SIGINT', cancel);
        off();
        if (!ctx.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      }
    });
    if (!ctx.json) for (const line of scorecardLines(r)) ctx.out(line);
    return r;
  },
};
