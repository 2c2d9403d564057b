/** A generation job inside a TF worker: load the checkpoint, continue the passage, report the takes as they grow. */
import { EtudeError } from '../../../shared/errors';
import type { JobRunner } from '../job-context';
import { continuePassage } from './continue';
import { guardTakes } from './originality-guard';
import { loadCheckpointModel } from './load';
import { isTokenGenerator, type TokenGenerator } from '../../models/types';

export const runGeneration: JobRunner<'generate'> = async ({ checkpointId, passage, options, blend }, ctx) => {
  const started = performance.now();
  let firstNotes: number | null = null;
  const loaded = loadCheckpointModel(ctx.store, ctx.store.runs.checkpoint(checkpointId));
  const base = blend ? loadCheckpointModel(ctx.store, ctx.store.runs.checkpoint(blend.checkpointId)) : null;
  try {
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
    if (err instanceof EtudeError) throw err;
    throw new EtudeError('internal', `the generation failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    loaded.model.dispose();
    base?.model.dispose();
  }
};
