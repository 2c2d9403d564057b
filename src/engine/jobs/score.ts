/**
 * Scoring a model on a corpus: −log p of each piece as the model's encoding writes it, a true
 * likelihood. Each piece is read from its start mark with the model's state carried forward (the
 * same stepper generation uses); at every step the model's distribution is renormalised over the
 * tokens that may come next (never padding or marks; the encoding's grammar where it has one), and
 * a token the vocabulary lacks is scored as p(<unk>) × the escape distribution's probability of
 * its text. Pieces the model trained on are left out. Runs in a TF worker.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { EtudeError } from '../../shared/errors';
import type { ScoreReport } from '../../shared/scoring';
import type { RoundTripReport } from '../../shared/encoding';
import { BOS, EOS, PAD, UNK } from '../encode/build-vocabulary';
import { EscapeModel } from '../encode/escape';
import { framesAfterFirst } from '../encode/frame-pitches';
import { encodingOf } from '../encode/registry';
import { addReports, compareNotes } from '../encode/round-trip';
import type { Encoded, TokenGrammar } from '../encode/types';
import { SequenceDataset } from '../dataset/sequence-dataset';
import { architectureOf } from '../models/registry';
import { isFeatureGenerator, isTokenGenerator, type FeatureGenerator, type TokenGenerator } from '../models/types';
import type { Store } from '../store/store';
import type { JobRunner } from './job-context';
import { loadCheckpointModel } from './generate/load';
import type { VocabularyContext } from './generate/decoding';

/** Pieces scored side by side, one stepper row each. */
const ROWS = 16;

interface ScoredPiece {
  title: string;
  tokens: string[];
  nats: number[];
}

/** The pieces a model trained on, title by content hash: every run's training split of its vocabulary. */
function trainedOn(store: Store, modelId: number, vocabularyId: number): Map<string, string> {
  const ids = store.vocabularies.encodedPieceIds(vocabularyId);
  if (ids.every((id) => id === null)) return new Map();
  const dataset = SequenceDataset.load(store, vocabularyId);
  const trained = new Set<number>();
  for (const run of store.runs.runs(modelId)) {
    const hp = run.hyperparams;
    const arch = architectureOf(store.models.get(modelId).spec.arch);
    const stride = hp.stride === 0 && arch.predictsEveryPosition ? 1 : Math.max(1, hp.stride);
    try {
      const split = dataset.split({ sequenceLength: hp.sequenceLength, validationFraction: hp.validationFraction, validationTitles: hp.validationTitles, seed: hp.seed, stride });
      for (const p of split.train.pieces) if (ids[p] !== null && ids[p] !== undefined) trained.add(ids[p]!);
    } catch {
      // No piece long enough for this run's windows: it trained on nothing.
    }
  }
  return store.corpora.titlesByContentHash([...trained]);
}

/** The ids a step may take: not padding, the marks or (with a closed alphabet) <unk>; the grammar narrows it further. */
function baseMask(vocab: VocabularyContext, closed: boolean): Uint8Array {
  const mask = new Uint8Array(vocab.tokens.length).fill(1);
  for (const id of [PAD, BOS, EOS]) mask[id] = 0;
  if (closed) mask[UNK] = 0;
  return mask;
}

/** −log p(target) under logits renormalised over the allowed ids. */
function natsOf(logits: Float32Array, offset: number, allowed: Uint8Array, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < allowed.length; v++) if (allowed[v] && logits[offset + v]! > max) max = logits[offset + v]!;
  let sum = 0;
  for (let v = 0; v < allowed.length; v++) if (allowed[v]) sum += Math.exp(logits[offset + v]! - max);
  return max + Math.log(sum) - logits[offset + target]!;
}

async function scoreTokens(model: TokenGenerator, vocab: VocabularyContext, window: number, pieces: { title: string; encoded: Encoded }[], cancelled: () => boolean): Promise<{ scored: ScoredPiece[]; escaped: number }> {
  const encoding = encodingOf(vocab.encoding);
  const ids = new Map(vocab.tokens.map((t, i) => [t, i]));
  const closed = encoding.alphabet !== undefined;
  const base = baseMask(vocab, closed);
  const escape = EscapeModel.fit(vocab.tokens);
  const scored: ScoredPiece[] = [];
  let escaped = 0;
  const order = pieces.map((p, i) => ({ ...p, i, tokens: p.encoded.representation === 'tokens' ? p.encoded.tokens : [] })).sort((a, b) => b.tokens.length - a.tokens.length);
  for (let from = 0; from < order.length; from += ROWS) {
    const group = order.slice(from, from + ROWS);
    const rows = group.length;
    const targets = group.map((p) => p.tokens.map((t) => ids.get(t) ?? UNK));
    const grammars: (TokenGrammar | null)[] = group.map(() => encoding.grammar?.(vocab.tokens, vocab.params) ?? null);
    const nats = group.map((p) => new Array<number>(p.tokens.length).fill(0));
    const stepper = model.stepper(rows, window);
    const allowed = new Uint8Array(vocab.tokens.length);
    try {
      let feed = new Int32Array(rows).fill(BOS);
      const longest = targets[0]!.length;
      for (let t = 0; t < longest; t++) {
        const logits = stepper.step(feed);
        const next = new Int32Array(rows).fill(PAD);
        for (let r = 0; r < rows; r++) {
          const target = targets[r]![t];
          if (target === undefined) continue;
          const grammar = grammars[r];
          if (grammar) grammar.allowed(allowed);
          else allowed.fill(1);
          for (let v = 0; v < allowed.length; v++) allowed[v] = allowed[v]! & base[v]!;
          if (!allowed[target]) throw new EtudeError('internal', `the encoding's grammar refuses a token it wrote (${group[r]!.tokens[t]} in "${group[r]!.title}")`);
          let n = natsOf(logits, r * vocab.tokens.length, allowed, target);
          if (target === UNK && !closed) {
            n += escape.nats(group[r]!.tokens[t]!);
            escaped++;
          }
          nats[r]![t] = n;
          grammar?.advance(target);
          next[r] = target;
        }
        feed = next;
        if (t % 64 === 63) {
          if (cancelled()) throw new EtudeError('cancelled', 'the scoring was cancelled');
          await yieldToLoop();
        }
      }
    } finally {
      stepper.dispose();
    }
    group.forEach((p, r) => (scored[p.i] = { title: p.title, tokens: p.tokens, nats: nats[r]! }));
  }
  return { scored, escaped };
}

/** Seed 004's pitches: the pitch head's cross-entropy note by note (its timing is continuous, with no likelihood to give). */
async function scorePitches(model: FeatureGenerator, pieces: { title: string; encoded: Encoded }[]): Promise<ScoredPiece[]> {
  const scored: ScoredPiece[] = [];
  const all = new Uint8Array(128).fill(1);
  for (const p of pieces) {
    if (p.encoded.representation !== 'features') continue;
    const data = p.encoded.data;
    const notes = data.length / 3;
    const stepper = model.featureStepper(1);
    const nats: number[] = [];
    try {
      let out = stepper.step(new Float32Array(3));
      for (let i = 0; i < notes; i++) {
        nats.push(natsOf(out.pitch, 0, all, Math.round(data[i * 3]!)));
        out = stepper.step(data.subarray(i * 3, i * 3 + 3));
      }
    } finally {
      stepper.dispose();
    }
    scored.push({ title: p.title, tokens: Array.from({ length: notes }, (_, i) => String(data[i * 3])), nats });
    await yieldToLoop();
  }
  return scored;
}

export const scoreCorpus: JobRunner<'score'> = async ({ checkpointId, corpusId, detail }, { store, control }) => {
  const started = performance.now();
  const checkpoint = store.runs.checkpoint(checkpointId);
  const corpus = store.corpora.require(corpusId);
  const loaded = loadCheckpointModel(store, checkpoint);
  try {
    const { model, info, vocab, window } = loaded;
    if (vocab.representation === 'binary') {
      throw new EtudeError('invalid_input', `"${info.name}" is an RBM: it gives no likelihood of a piece (its normalising constant cannot be computed), so it cannot be scored`);
    }
    const encoding = encodingOf(vocab.encoding);
    const trained = trainedOn(store, info.id, info.vocabularyId);
    const ownCorpus = store.vocabularies.get(info.vocabularyId).corpusId === corpus.id;
    const pieces: { title: string; encoded: Encoded }[] = [];
    let excluded = 0;
    let unscored = 0;
    const leftOut: ScoreReport['leftOut'] = [];
    let notes = 0;
    let roundTrip: RoundTripReport = { notes: 0, exact: 0, durationChanged: 0, lost: 0, added: 0, error: 0 };
    for (const { title, contentHash, piece } of store.corpora.iterateEncodable(corpus.id)) {
      const twin = trained.get(contentHash);
      if (twin !== undefined) {
        excluded++;
        leftOut.push({ title, reason: ownCorpus ? 'the model trained on it' : `identical to "${twin}", a piece the model trained on` });
        continue;
      }
      if (piece.notes.length === 0) {
        unscored++;
        leftOut.push({ title, reason: 'no notes in the tracks the corpus takes' });
        continue;
      }
      const encoded = encoding.encode(piece, vocab.params);
      roundTrip = addReports(roundTrip, compareNotes(piece.notes, encoding.decode(encoded, vocab.params, piece)));
      notes += piece.notes.length;
      pieces.push({ title, encoded });
    }
    if (pieces.length === 0) {
      throw new EtudeError('invalid_input', `nothing in "${corpus.name}" to score: ${excluded > 0 ? `the model trained on ${excluded === 1 ? 'its piece' : `all ${excluded} of its pieces`}` : 'no piece has notes in the tracks its rule takes'}`);
    }
    let scored: ScoredPiece[];
    let escaped = 0;
    let note: string | null = null;
    if (vocab.representation === 'tokens' && isTokenGenerator(model)) ({ scored, escaped } = await scoreTokens(model, vocab, window, pieces, () => control.state === 'cancel'));
    else if (isFeatureGenerator(model)) {
      scored = await scorePitches(model, pieces);
      note = 'pitches only: the timing of seed 004 is continuous, and its heads give no likelihood for it';
    } else throw new EtudeError('invalid_input', `"${info.name}" cannot be scored`);
    const tokens = scored.reduce((n, p) => n + p.tokens.length, 0);
    const natsTotal = scored.reduce((n, p) => n + p.nats.reduce((a, b) => a + b, 0), 0);
    const frameCounts = encoding.info.kind === 'frame-pitches' ? scored.map((p) => framesAfterFirst(p.tokens, p.nats)) : null;
    const frames = frameCounts ? frameCounts.reduce((n, f) => n + f.frames, 0) : null;
    const report: ScoreReport = {
      model: info.name,
      corpus: corpus.name,
      checkpointId: checkpoint.id,
      epoch: checkpoint.epoch,
      pieces: pieces.length,
      excluded,
      notes,
      tokens,
      natsTotal,
      natsPerNote: notes > 0 ? natsTotal / notes : null,
      natsPerToken: tokens > 0 ? natsTotal / tokens : null,
      escaped,
      exact: roundTrip.error === 0 && roundTrip.added === 0 && note === null,
      roundTripError: roundTrip.error,
      unscored,
      leftOut,
      frames,
      natsPerFrame: frameCounts && frames ? frameCounts.reduce((n, f) => n + f.nats, 0) / frames : null,
      note,
      seconds: (performance.now() - started) / 1000,
      ...(detail ? { detail: scored } : {}),
    };
    return report;
  } finally {
    loaded.model.dispose();
  }
};
