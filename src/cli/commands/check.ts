import { UsageError, type Command } from '../command';
import { withEngine } from '../engine-call';

export const checkCommand: Command = {
  name: 'check',
  summary: "does a generation copy its model's corpus? the longest match, its source, and style metrics",
  usage: 'etude check --generation ID [--threshold NOTES] [--json]',
  options: { generation: { type: 'string' }, threshold: { type: 'string' } },
  async run(ctx) {
    const id = Number(ctx.values.generation);
    if (!Number.isInteger(id) || id < 1) throw new UsageError('--generation ID is required (etude generations lists them)');
    const threshold = ctx.values.threshold === undefined ? undefined : Number(ctx.values.threshold);
    if (threshold !== undefined && (!Number.isInteger(threshold) || threshold < 2)) throw new UsageError('--threshold is a number of notes, 2 or more');
    const check = await withEngine(ctx.dbPath, (call) => call('generations.check', { id, ...(threshold ? { threshold } : {}) }));
    const takes = check.takes.map((t) => ({
      take: t.take + 1,
      longest_match_notes: t.longestMatchNotes,
      source: t.source ? { piece: t.source.piece, bars: t.source.bars } : null,
      copies: t.copies,
      metrics: {
        pitch_class_distance: t.metrics.pitchClassDistance,
        ioi_distance: t.metrics.ioiDistance,
        duration_distance: t.metrics.durationDistance,
        pitch_range: t.metrics.pitchRange,
        notes_per_beat: t.metrics.notesPerBeat,
        polyphony: t.metrics.polyphony,
        in_key: t.metrics.inKey,
      },
    }));
    if (!ctx.json) {
      for (const t of takes) {
        const where = t.source ? ` (${t.source.piece}, bars ${t.source.bars[0]}–${t.source.bars[1]})` : '';
        ctx.out(`take ${t.take}: ${t.copies ? 'COPIES its corpus' : 'original'}: longest match ${t.longest_match_notes} notes${where}; pitch classes ${t.metrics.pitch_class_distance}, rhythm ${t.metrics.ioi_distance} from the corpus`);
      }
    }
    // One take: its fields at the top level, as a single answer.
    const single = takes.length === 1 ? takes[0] : {};
    return { generation: check.generationId, corpus: check.corpus, threshold: check.threshold, check_ms: check.checkMs, ...single, takes };
  },
};
