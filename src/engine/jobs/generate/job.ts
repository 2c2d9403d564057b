/** A generation job inside a TF worker: the checkpoint's model (kept loaded from the last take, or loaded now), continue the passage, report the takes as they grow. */
import { EtudeError } from '../../../shared/errors';
import type { JobRunner } from '../job-context';
import { continuePassage } from './continue';
import { guardTakes } from './originality-guard';
import type { Lease } from './model-cache';
import { isTokenGenerator, type TokenGenerator } from '../../models/types';

export const runGeneration: JobRunner<'generate'> = async ({ checkpointId, passage, options, blend }, ctx) => {
  const started = performance.now();
  let firstNotes: number | null = null;
  const lease = ctx.models.acquire(ctx.store, checkpointId);
  let baseLease: Lease | null = null;
  try {
    baseLease = blend ? ctx.models.acquire(ctx.store, blend.checkpointId) : null;
    const loaded = lease.loaded;
    const base = baseLease?.loaded ?? null;
    if (base && !isTokenGenerator(base.model)) throw new EtudeError('invalid_input', 'only token models blend with their base');
    const blended = base && blend ? { model: base.model as unknown as TokenGenerator, vocabSize: base.vocab.tokens.length, weight: blend.weight } : undefined;
    const continueOptions = { ...options, window: loaded.window, startMark: loaded.startMark, ...(blended ? { blend: blended } : {}) };
    const { takes, notices } = await continuePassage(
      loaded.model,
      loaded.vocab,
      passage,
      continueOptions,
      {
        cancelled: () => ctx.control.state === 'cancel',
        stopped: () => ctx.control.state === 'stop',
        previewMs: 200,
        progress: (done, total, previews) => {
          if (previews && firstNotes === null && previews.some((t) => t.notes.length > passage.notes.length)) firstNotes = (performance.now() - started) / 1000;
          const { ppq, tempos, timeSignatures } = passage;
          ctx.progress({ done, total, takes: previews, timeline: previews ? { ppq, tempos, timeSignatures } : null });
        },
      },
    );
    // Takes stopped early are kept as they got: nothing is sampled again.
    const guarded = await guardTakes(ctx.store, ctx.control.state === 'stop' ? null : loaded.info.corpusId, takes, passage, options, (prefix, length, seed) =>
      continuePassage(loaded.model, loaded.vocab, prefix, { ...continueOptions, length, seed, variations: 1 }, { cancelled: () => ctx.control.state === 'cancel' }).then((r) => r.takes[0]!),
    );
    return { takes: guarded.takes, notices: [...notices, ...guarded.notices], seconds: (performance.now() - started) / 1000, firstNotesSeconds: firstNotes };
  } catch (err) {
    // A WebAssembly abort goes up as it is: the worker that ran it is replaced.
    if (err instanceof EtudeError || err instanceof WebAssembly.RuntimeError) throw err;
    throw new EtudeError('internal', `the generation failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    lease.release();
    baseLease?.release();
  }
};
