/**
 * Audition by checkpoint: when training saves a checkpoint, the model continues one fixed primer
 * (the opening bars of a held-out piece) with a fixed seed, so checkpoints can be compared by ear.
 */
import type { CheckpointAudition } from '../../../shared/training';
import type { TrainableModel } from '../../models/types';
import type { Store } from '../../store/store';
import { continuePassage, type VocabularyContext } from './continue';
import { barStarts } from '../../../shared/music/bars';
import { cutPassage, type Passage } from '../../../shared/music/passage';

const PRIMER_BARS = 2;
const CONTINUE_BARS = 4;

/** The run's fixed primer: the first bars of the first piece held out for validation (else the first piece). */
export function auditionPrimer(store: Store, vocabularyId: number, preferred: readonly number[]): Passage | null {
  const ids = store.vocabularies.encodedPieceIds(vocabularyId);
  const order = [...preferred, ...ids.keys()];
  for (const index of order) {
    const pieceId = ids[index];
    if (pieceId === null || pieceId === undefined) continue;
    const { title, piece } = store.corpora.encodable(pieceId);
    if (piece.notes.length === 0) continue;
    const end = Math.max(piece.durationTicks, ...piece.notes.map((n) => n.endTick));
    const starts = barStarts(piece.timeSignatures, piece.ppq, end);
    const to = starts[Math.min(PRIMER_BARS, starts.length - 1)]!;
    if (to <= 0) continue;
    return cutPassage(piece, 0, to, `${title}, bars 1–${PRIMER_BARS}`);
  }
  return null;
}

export async function renderAudition(model: TrainableModel, vocab: VocabularyContext, primer: Passage, window: number, seed: number): Promise<CheckpointAudition> {
  const started = performance.now();
  const { takes } = await continuePassage(model, vocab, primer, {
    length: { unit: 'bars', value: CONTINUE_BARS },
    temperature: 1,
    topK: 0,
    topP: 1,
    greedy: false,
    variations: 1,
    seed,
    constraints: {},
    window,
  });
  const take = takes[0]!;
  return {
    primerLabel: primer.label,
    ppq: primer.ppq,
    tempos: primer.tempos,
    notes: take.notes,
    seamTick: take.seamTick,
    seamSec: take.seamSec,
    seconds: (performance.now() - started) / 1000,
  };
}
