import { UsageError, type Command } from '../command';
import { corpusNamed, modelNamed, withEngine } from '../engine-call';

export const scoreCommand: Command = {
  name: 'score',
  summary: "how well a model predicts a corpus's pieces it never trained on: nats, a true likelihood",
  usage: 'etude score --model NAME --corpus NAME [--checkpoint ID] [--json]',
  options: { model: { type: 'string' }, corpus: { type: 'string' }, checkpoint: { type: 'string' } },
  async run(ctx) {
    const modelName = (ctx.values.model as string | undefined)?.trim();
    const corpusName = (ctx.values.corpus as string | undefined)?.trim();
    if (!modelName) throw new UsageError('--model NAME is required (etude models lists them)');
    if (!corpusName) throw new UsageError('--corpus NAME is required (etude corpora lists them)');
    const checkpoint = ctx.values.checkpoint === undefined ? undefined : Number(ctx.values.checkpoint);
    if (checkpoint !== undefined && (!Number.isInteger(checkpoint) || checkpoint < 1)) throw new UsageError('--checkpoint is a checkpoint id');
    const r = await withEngine(ctx.dbPath, async (call) => {
      const model = await modelNamed(call, modelName);
      const corpus = await corpusNamed(call, corpusName);
      return call('models.score', { id: model.id, corpusId: corpus.id, ...(checkpoint ? { checkpointId: checkpoint } : {}) });
    });
    if (!ctx.json) {
      const perFrame = r.natsPerFrame === null ? '' : `${r.natsPerFrame.toFixed(3)} nats a frame (${r.frames!} frames after each piece's first), `;
      const figure = r.natsPerNote === null ? 'no likelihood' : `${perFrame}${r.natsPerNote.toFixed(3)} nats a note, ${r.natsPerToken!.toFixed(3)} a token`;
      const total = r.pieces + r.leftOut.length;
      ctx.out(`${r.model} on ${r.corpus}: ${r.pieces} of ${total} ${total === 1 ? 'piece' : 'pieces'} scored, ${r.notes} notes, ${r.tokens} tokens: ${figure}`);
      ctx.out(r.exact ? 'exact: the encoding writes every note of these pieces, so this is a likelihood of the music itself' : `not exact: a round trip through the encoding changes ${(r.roundTripError * 100).toFixed(2)}% of these notes, so the figure is of what it keeps and not comparable`);
      if (r.leftOut.length > 0) {
        ctx.out(`${r.leftOut.length} left out:`);
        for (const p of r.leftOut) ctx.out(`  ${p.title}: ${p.reason}`);
      }
      if (r.note) ctx.out(r.note);
    }
    return {
      model: r.model,
      corpus: r.corpus,
      checkpoint: r.checkpointId,
      epoch: r.epoch,
      pieces: r.pieces,
      excluded: r.excluded,
      notes: r.notes,
      tokens: r.tokens,
      nats_total: r.natsTotal,
      nats_per_note: r.natsPerNote,
      nats_per_token: r.natsPerToken,
      frames: r.frames,
      nats_per_frame: r.natsPerFrame,
      escaped: r.escaped,
      exact: r.exact,
      round_trip_error: r.roundTripError,
      unscored: r.unscored,
      left_out: r.leftOut,
      note: r.note,
      seconds: r.seconds,
    };
  },
};
