import { EtudeError } from '../../shared/errors';
import type { GeneratedNote, GenerationInfo } from '../../shared/generation';
import type { GenerationCheck, StyleMetrics, TakeCheck } from '../../shared/originality';
import type { Store } from '../store/store';
import { CorpusIndex, IOI_LABELS, profileOf, type CorpusProfile } from './corpus-index';

export const DEFAULT_THRESHOLD = 8;
const NAMES = ['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'];
// Krumhansl–Kessler key profiles.
const MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88];
const MINOR = [6.33, 2.68, 3.52, 5.38, 2.6, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17];

/** The key whose profile correlates best with the notes' pitch classes (Krumhansl–Schmuckler). */
export function estimateKey(notes: readonly { pitch: number; startTick: number; endTick: number }[]): { tonic: number; mode: 'major' | 'minor' } {
  const weight = new Array<number>(12).fill(0);
  for (const n of notes) weight[n.pitch % 12]! += Math.max(1, n.endTick - n.startTick);
  const corr = (profile: number[], tonic: number) => {
    const xs = weight;
    const ys = xs.map((_, i) => profile[(i - tonic + 12) % 12]!);
    const mx = xs.reduce((a, b) => a + b, 0) / 12;
    const my = ys.reduce((a, b) => a + b, 0) / 12;
    let num = 0;
    let dx = 0;
    let dy = 0;
    for (let i = 0; i < 12; i++) {
      num += (xs[i]! - mx) * (ys[i]! - my);
      dx += (xs[i]! - mx) ** 2;
      dy += (ys[i]! - my) ** 2;
    }
    return dx === 0 || dy === 0 ? -1 : num / Math.sqrt(dx * dy);
  };
  let best = { tonic: 0, mode: 'major' as 'major' | 'minor', r: -Infinity };
  for (let t = 0; t < 12; t++) {
    for (const [mode, profile] of [['major', MAJOR], ['minor', MINOR]] as const) {
      const r = corr(profile, t);
      if (r > best.r) best = { tonic: t, mode, r };
    }
  }
  return { tonic: best.tonic, mode: best.mode };
}

const distance = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? 0)), 0) / 2;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function styleMetrics(continuation: readonly GeneratedNote[], ppq: number, corpus: CorpusProfile, passage: readonly GeneratedNote[]): StyleMetrics {
  const take = profileOf([{ notes: continuation, ppq }]);
  const key = estimateKey(passage.length > 0 ? passage : continuation);
  const scale = (key.mode === 'major' ? [0, 2, 4, 5, 7, 9, 11] : [0, 2, 3, 5, 7, 8, 10]).map((d) => (d + key.tonic) % 12);
  const inKey = continuation.length === 0 ? 0 : continuation.filter((n) => scale.includes(n.pitch % 12)).length / continuation.length;
  return {
    pitchClassDistance: round(distance(take.pitchClasses, corpus.pitchClasses)),
    ioiDistance: round(distance(take.ioi, corpus.ioi)),
    durationDistance: round(distance(take.duration, corpus.duration)),
    pitchRange: { take: [take.pitchLow, take.pitchHigh], corpus: [corpus.pitchLow, corpus.pitchHigh] },
    notesPerBeat: { take: round(take.notesPerBeat, 2), corpus: round(corpus.notesPerBeat, 2) },
    polyphony: { take: round(take.polyphony, 2), corpus: round(corpus.polyphony, 2) },
    inKey: { share: round(inKey), key: `${NAMES[key.tonic]} ${key.mode}` },
    distributions: {
      pitchClasses: { take: take.pitchClasses.map((v) => round(v)), corpus: corpus.pitchClasses.map((v) => round(v)) },
      ioi: { take: take.ioi.map((v) => round(v)), corpus: corpus.ioi.map((v) => round(v)) },
      duration: { take: take.duration.map((v) => round(v)), corpus: corpus.duration.map((v) => round(v)) },
      ioiLabels: IOI_LABELS,
    },
  };
}

/** Originality and style checks, with one index per corpus kept while the corpus is unchanged. */
export class OriginalityService {
  private readonly indexes = new Map<number, CorpusIndex>();

  constructor(private readonly store: Store) {}

  index(corpusId: number): CorpusIndex {
    const stamp = CorpusIndex.stampOf(this.store, corpusId);
    let index = this.indexes.get(corpusId);
    if (!index || index.stamp !== stamp) {
      index = CorpusIndex.build(this.store, corpusId);
      this.indexes.set(corpusId, index);
    }
    return index;
  }

  check(generationId: number, threshold = DEFAULT_THRESHOLD): GenerationCheck {
    const g: GenerationInfo = this.store.generations.get(generationId);
    const model = this.store.models.get(g.modelId);
    if (model.corpusId === null) throw new EtudeError('invalid_input', `the corpus "${g.model}" was trained on has been deleted: there is nothing to compare with`);
    const index = this.index(model.corpusId);
    const started = performance.now();
    const takes: TakeCheck[] = g.takes.map((take) => {
      const passage = take.notes.filter((n) => n.startTick < take.seamTick);
      const continuation = take.notes.filter((n) => n.startTick >= take.seamTick);
      const match = index.longestMatch(continuation, g.ppq);
      const matched = match.notes >= 2 ? [continuation[match.takeNote]!.startTick, continuation[Math.min(continuation.length - 1, match.takeNote + match.notes - 1)]!.endTick] : null;
      return {
        take: take.index,
        longestMatchNotes: match.notes,
        source: match.notes >= 2 ? match.source : null,
        copies: match.notes >= threshold,
        matchTicks: matched as [number, number] | null,
        metrics: styleMetrics(continuation, g.ppq, index.profile, passage),
      };
    });
    return {
      generationId,
      corpus: this.store.corpora.summary(model.corpusId).name,
      threshold,
      takes,
      checkMs: Math.round((performance.now() - started) * 10) / 10,
      indexSeconds: Math.round(index.buildSeconds * 1000) / 1000,
      corpusSymbols: index.symbols,
    };
  }
}
