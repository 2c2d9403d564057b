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
      const figure = r.natsPerNote === null ? 'no likelihood' : `${r.natsPerNote.toFixed(3)} nats a note, ${r.natsPerToken!.toFixed(3)} a token`;
      ctx.out(`${r.model} on ${r.corpus}: ${r.pieces} pieces, ${r.notes} notes, ${r.tokens} tokens: ${figure}${r.exact ? '' : ' (the encoding does not write these pieces exactly: not comparable)'}`);
      if (r.excluded > 0) ctx.out(`${r.excluded} pieces left out: the model trained on them`);
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
      escaped: r.escaped,
      exact: r.exact,
      round_trip_error: r.roundTripError,
      unscored: r.unscored,
      note: r.note,
      seconds: r.seconds,
    };
  },
};
