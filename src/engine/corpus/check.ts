import { createHash } from 'node:crypto';
import type { CorpusCheck, DropReason } from '../../shared/library';
import type { CorpusRepo } from '../store/corpora';
import { describeRule, selectTracks } from '../../shared/music/tracks';

/** Below these, a corpus is small for any of the presets: the model will mostly memorise it. */
export const SMALL_CORPUS_PIECES = 20;
export const SMALL_CORPUS_NOTES = 5_000;
/** Training notes per model parameter under which we warn that the model is large for the corpus. */
export const NOTES_PER_PARAMETER = 0.05;

/**
 * What training on a corpus would use and what it would drop, and why. A corpus that yields
 * nothing says so here, before training, instead of a pipeline silently producing "0 examples".
 */
export function checkCorpus(repo: CorpusRepo, corpusId: number, options: { modelParameters?: number } = {}): CorpusCheck {
  const corpus = repo.require(corpusId);
  const report: CorpusCheck = {
    corpusId,
    corpus: corpus.name,
    rule: corpus.trackRule,
    ruleDescription: describeRule(corpus.trackRule),
    pieces: { total: 0, used: 0, dropped: 0 },
    tracks: { total: 0, used: 0, drums: 0, excludedByRule: 0 },
    notes: { total: 0, used: 0 },
    usedSeconds: 0,
    dropped: [],
    droppedByReason: {},
    keys: {},
    tempos: [],
    meters: {},
    warnings: [],
  };
  const tempoBins = new Map<number, number>();
  const seenMusic = new Map<string, string>();
  const drop = (pieceId: number, title: string, reason: DropReason, detail: string) => {
    report.dropped.push({ pieceId, title, reason, detail });
    report.droppedByReason[reason] = (report.droppedByReason[reason] ?? 0) + 1;
    report.pieces.dropped++;
  };

  for (const piece of repo.iterateForCheck(corpusId)) {
    report.pieces.total++;
    report.notes.total += piece.noteCount;
    report.tracks.total += piece.tracks.length;
    const drums = piece.tracks.filter((t) => t.isDrum);
    report.tracks.drums += drums.length;
    const selected = selectTracks(piece.tracks, corpus.trackRule);
    report.tracks.excludedByRule += piece.tracks.length - drums.length - selected.length;
    if (piece.noteCount === 0) {
      drop(piece.id, piece.title, 'empty', 'the piece has no notes');
      continue;
    }
    if (drums.length === piece.tracks.length) {
      drop(piece.id, piece.title, 'drums only', 'every track is on the drum channel');
      continue;
    }
    if (selected.length === 0) {
      const have = [...new Set(piece.tracks.filter((t) => !t.isDrum).map((t) => t.family))].join(', ');
      drop(piece.id, piece.title, 'no track matches the rule', `the rule takes ${report.ruleDescription}; this piece has ${have}`);
      continue;
    }
    // The same music under different bytes (a format-0 and a format-1 copy, say) trains twice as hard on it.
    const fingerprint = createHash('sha1');
    for (const t of selected) fingerprint.update(t.fingerprint);
    const digest = fingerprint.digest('hex');
    const twin = seenMusic.get(digest);
    if (twin !== undefined) {
      drop(piece.id, piece.title, 'duplicate', `same notes as "${twin}"`);
      continue;
    }
    seenMusic.set(digest, piece.title);

    report.pieces.used++;
    report.tracks.used += selected.length;
    report.notes.used += selected.reduce((n, t) => n + t.noteCount, 0);
    report.usedSeconds += piece.durationSeconds;
    report.keys[piece.key ?? 'none'] = (report.keys[piece.key ?? 'none'] ?? 0) + 1;
    report.meters[piece.meter] = (report.meters[piece.meter] ?? 0) + 1;
    const bin = Math.round(piece.bpm / 10) * 10;
    tempoBins.set(bin, (tempoBins.get(bin) ?? 0) + 1);
  }
  report.tempos = [...tempoBins].sort((a, b) => a[0] - b[0]).map(([bpm, pieces]) => ({ bpm, pieces }));

  if (report.pieces.total === 0) report.warnings.push('The corpus is empty: import some MIDI or ABC files first.');
  else if (report.pieces.used === 0) report.warnings.push(`Training would use nothing: every piece is dropped (see the reasons below).`);
  else if (report.pieces.used < SMALL_CORPUS_PIECES || report.notes.used < SMALL_CORPUS_NOTES) {
    report.warnings.push(
      `Small corpus: ${report.pieces.used} pieces, ${report.notes.used} notes. A model will largely memorise it; ` +
        `${SMALL_CORPUS_PIECES}+ pieces and ${SMALL_CORPUS_NOTES.toLocaleString('en')}+ notes give it room to learn a style.`,
    );
  }
  if (options.modelParameters && report.notes.used > 0 && report.notes.used < options.modelParameters * NOTES_PER_PARAMETER) {
    report.warnings.push(
      `The model (${options.modelParameters.toLocaleString('en')} parameters) is large for ${report.notes.used.toLocaleString('en')} training notes: ` +
        'choose a smaller preset, or expect it to overfit (watch the validation loss).',
    );
  }
  return report;
}
