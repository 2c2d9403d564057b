/**
 * The style scorecard, inside the generation worker: the model continues passages of the corpus's
 * held-out pieces, and its takes are measured against excerpts of the corpus of the same length
 * (src/engine/fidelity), and searched for in the corpus it learned from.
 */
import { EtudeError } from '../../shared/errors';
import type { Scorecard } from '../../shared/fidelity';
import { barStarts } from '../../shared/music/bars';
import { cutPassage, type Passage } from '../../shared/music/passage';
import type { PieceNotes } from '../../shared/music/notes';
import { seededRandom } from '../../shared/random';
import { SequenceDataset } from '../dataset/sequence-dataset';
import { barTicksAt, excerptOf, excerptsOf } from '../fidelity/excerpts';
import type { Excerpt } from '../fidelity/features';
import { MIN_EXCERPTS, compareStyle, copyFigures, verdictOf } from '../fidelity/scorecard';
import { corpusIndexFor } from '../originality/index-cache';
import { longestMatchBars } from '../originality/match-bars';
import type { Store } from '../store/store';
import { continuePassage, GenerationCancelled } from './generate/continue';
import type { JobRunner } from './job-context';

/** Bars of the passage a take continues, and bars it continues for (a corpus excerpt spans as many). */
export const PRIMER_BARS = 2;
export const TAKE_BARS = 8;
/** Takes from one passage (sampled as one batch): fewer passages, faster; more, a fairer sample. */
const TAKES_PER_PASSAGE = 3;
/** Corpus excerpts compared at most (a seeded sample beyond): distances grow with the square. */
const MAX_EXCERPTS = 150;

interface CorpusPiece {
  pieceId: number;
  title: string;
  piece: PieceNotes;
}

function shuffled<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The pieces of the corpus the model never learned from, and what they are. */
export function heldOutPieces(store: Store, modelId: number, runId: number, corpusId: number, pieces: readonly CorpusPiece[]): { pieces: CorpusPiece[]; passages: Scorecard['passages']; note: string | null } {
  const model = store.models.get(modelId);
  if (model.corpusId !== corpusId) return { pieces: [...pieces], passages: 'other-corpus', note: null };
  const hp = store.runs.run(runId).hyperparams;
  const dataset = SequenceDataset.load(store, model.vocabularyId);
  const ids = store.vocabularies.encodedPieceIds(model.vocabularyId);
  let held: number[] = [];
  try {
    held = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, seed: hp.seed }).validation.pieces.map((p) => ids[p]).filter((id): id is number => typeof id === 'number');
  } catch {
    held = []; // no piece long enough for a window: none was held out either
  }
  const chosen = pieces.filter((p) => held.includes(p.pieceId));
  if (chosen.length > 0) return { pieces: chosen, passages: 'held-out', note: null };
  return {
    pieces: [...pieces],
    passages: 'corpus-pieces',
    note: `the model learned every piece of "${store.corpora.summary(corpusId).name}" (none was held out), so the takes continue pieces it knows: this says how close it stays to them, not how it does with music it never heard`,
  };
}

/** A passage of PRIMER_BARS bars at a seeded bar of the piece, leaving TAKE_BARS after it where the piece is long enough. */
function passageOf(p: CorpusPiece, random: () => number): Passage | null {
  const { piece } = p;
  const end = piece.notes.reduce((e, n) => Math.max(e, n.endTick), 0);
  if (end === 0) return null;
  const starts = barStarts(piece.timeSignatures, piece.ppq, end);
  const bars = starts.length - 1;
  const last = Math.max(0, bars - PRIMER_BARS - TAKE_BARS);
  const bar = Math.floor(random() * (last + 1));
  const from = starts[bar]!;
  const to = starts[Math.min(starts.length - 1, bar + PRIMER_BARS)]!;
  if (to <= from) return null;
  const passage = cutPassage(piece, from, to, `${p.title}, bars ${bar + 1}–${bar + PRIMER_BARS}`);
  return passage.notes.length > 0 ? passage : null;
}

export const runFidelity: JobRunner<'fidelity'> = async (input, ctx) => {
  const { store } = ctx;
  const started = performance.now();
  const random = seededRandom(input.seed);
  const checkpoint = store.runs.checkpoint(input.checkpointId);
  const modelInfo = store.models.get(checkpoint.modelId);
  const corpus = store.corpora.summary(input.corpusId);
  const pieces: CorpusPiece[] = [...store.corpora.iterateEncodable(input.corpusId)].map(({ pieceId, title, piece }) => ({ pieceId, title, piece }));

  // The corpus as the measure sees it: excerpts as long as a take.
  let excerpts: Excerpt[] = pieces.flatMap((p) => excerptsOf(p.piece, TAKE_BARS, `piece ${p.pieceId}`));
  if (excerpts.length < MIN_EXCERPTS) {
    throw new EtudeError(
      'invalid_input',
      `"${corpus.name}" is too small for a scorecard: it holds ${excerpts.length} stretch${excerpts.length === 1 ? '' : 'es'} of ${TAKE_BARS} bars with notes, and comparing takes with it needs at least ${MIN_EXCERPTS} (import more pieces, or longer ones)`,
    );
  }
  if (excerpts.length > MAX_EXCERPTS) excerpts = shuffled(excerpts, random).slice(0, MAX_EXCERPTS);

  const held = heldOutPieces(store, modelInfo.id, checkpoint.runId, input.corpusId, pieces);
  const passageCount = Math.ceil(input.takes / TAKES_PER_PASSAGE);
  const order = shuffled(held.pieces, random);
  const passages: Passage[] = [];
  for (let i = 0; passages.length < passageCount && i < passageCount * 4; i++) {
    const passage = passageOf(order[i % order.length]!, random);
    if (passage) passages.push(passage);
  }
  if (passages.length === 0) throw new EtudeError('invalid_input', `"${corpus.name}" has no passage of ${PRIMER_BARS} bars with notes for the model to continue`);

  // Through the worker's model cache: a scorecard after a take reuses the loaded model, and frees nothing it does not own.
  const lease = ctx.models.acquire(store, checkpoint.id);
  const loaded = lease.loaded;
  const takes: Excerpt[] = [];
  const matchBars: number[] = [];
  const copyCorpusId = modelInfo.corpusId !== null && store.corpora.byId(modelInfo.corpusId) ? modelInfo.corpusId : input.corpusId;
  const index = corpusIndexFor(store, copyCorpusId);
  try {
    for (let p = 0; p < passages.length && takes.length < input.takes; p++) {
      const passage = passages[p]!;
      const variations = Math.min(16, Math.ceil((input.takes - takes.length) / (passages.length - p)));
      ctx.progress({ phase: 'generating', done: takes.length, total: input.takes });
      let result;
      try {
        result = await continuePassage(
          loaded.model,
          loaded.vocab,
          passage,
          { ...input.sampling, length: { unit: 'bars', value: TAKE_BARS }, variations, seed: input.seed + p, constraints: {}, window: loaded.window, startMark: loaded.startMark },
          { cancelled: () => ctx.control.state === 'cancel' },
        );
      } catch (err) {
        if (err instanceof GenerationCancelled) throw new EtudeError('cancelled', 'the scorecard was cancelled');
        if (err instanceof EtudeError && err.kind === 'invalid_input') throw new EtudeError('invalid_input', `"${modelInfo.name}" cannot make takes for a scorecard: ${err.message}`);
        throw err;
      }
      const seam = passage.endTick;
      const starts = barStarts(passage.timeSignatures, passage.ppq, seam + (TAKE_BARS + 2) * 64 * passage.ppq);
      const first = starts.findIndex((t) => t >= seam);
      const end = starts[Math.min(starts.length - 1, first + TAKE_BARS)]!;
      const barTicks = barTicksAt(passage.timeSignatures, passage.ppq, seam);
      for (const take of result.takes) {
        const continuation = take.notes.filter((n) => n.startTick >= seam);
        takes.push({ ...excerptOf({ ppq: passage.ppq, timeSignatures: passage.timeSignatures, notes: continuation }, seam, end), group: `passage ${p}` });
        matchBars.push(longestMatchBars(index, continuation, passage.ppq, barTicks).bars);
      }
    }
  } finally {
    lease.release();
  }
  ctx.progress({ phase: 'measuring', done: takes.length, total: input.takes });
  const style = compareStyle(excerpts, takes, input.seed);
  const copies = copyFigures(matchBars, input.copyBars);
  const card = { ...style, ...copies, copyBars: input.copyBars };
  return {
    model: modelInfo.name,
    checkpointId: checkpoint.id,
    checkpointEpoch: checkpoint.epoch,
    corpus: corpus.name,
    passages: held.passages,
    note: held.note,
    takes: takes.length,
    excerpts: excerpts.length,
    bars: TAKE_BARS,
    ...card,
    copyCorpus: store.corpora.summary(copyCorpusId).name,
    verdict: verdictOf(card),
    seconds: (performance.now() - started) / 1000,
  };
};
