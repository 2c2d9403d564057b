/**
 * The scorecard's measure, pure: takes against corpus excerpts of the same length, by MGEval's
 * per-feature overlap, a classifier two-sample test and the copy rate, with one line of verdict.
 */
import type { FeatureFidelity, Scorecard, Telltale } from '../../shared/fidelity';
import { auc, twoSampleAuc } from './classifier';
import { compareSets } from './distances';
import { CLASSIFIER_COLUMNS, FEATURES, LENGTH_LABELS, classifierRow, featureVector, featuresOf, type Excerpt, type FeatureName, type PieceFeatures } from './features';

/** Fewer pieces on either side than this and the distances and the classifier mean nothing. */
export const MIN_EXCERPTS = 10;

const LABELS: Record<FeatureName, string> = {
  pitchClassHistogram: 'pitch classes',
  noteLengthHistogram: 'note lengths',
  usedPitches: 'pitches used',
  pitchRange: 'pitch range',
  meanPitch: 'mean pitch',
  melodicInterval: 'melodic interval',
  interOnsetInterval: 'time between onsets',
  polyphony: 'notes sounding together',
  notesPerBeat: 'notes per beat',
  pitchClassEntropy: 'pitch-class variety',
  grooveConsistency: 'steady rhythm bar to bar',
  scaleConsistency: 'staying in one scale',
};

/** What "more" and "less" of each classifier column sound like, said of the takes. */
const WORDS: Record<string, [more: string, less: string]> = {
  usedPitches: ['use more different pitches', 'use fewer different pitches'],
  pitchRange: ['use a wider range', 'use a narrower range'],
  meanPitch: ['sit higher', 'sit lower'],
  melodicInterval: ['leap further between notes', 'move in smaller steps'],
  interOnsetInterval: ['leave longer gaps between notes', 'play notes closer together'],
  polyphony: ['stack more notes together', 'play fewer notes together'],
  notesPerBeat: ['are busier', 'are sparser'],
  pitchClassEntropy: ['wander over more pitch classes', 'keep to fewer pitch classes'],
  grooveConsistency: ['repeat one rhythm bar after bar more strictly', 'change their rhythm from bar to bar more'],
  scaleConsistency: ['keep more strictly to one scale', 'stray outside the scale more'],
  ...Object.fromEntries(LENGTH_LABELS.map((l) => [`length:${l}`, [`use more ${l} notes`, `use fewer ${l} notes`]])),
};

export interface Measured {
  features: FeatureFidelity[];
  meanOverlap: number;
  meanKl: number;
  auc: number;
  telltales: Telltale[];
  copyRate: number;
  medianMatchBars: number;
  longestMatchBars: number;
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const median = (xs: readonly number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Per-feature overlap and KL, the classifier's AUC and the three features that give the takes away. */
export function compareStyle(corpus: readonly Excerpt[], takes: readonly Excerpt[], seed = 1): Omit<Measured, 'copyRate' | 'medianMatchBars' | 'longestMatchBars'> {
  const fc = corpus.map(featuresOf);
  const ft = takes.map(featuresOf);
  const features: FeatureFidelity[] = FEATURES.map((name) => {
    const { overlap, kl } = compareSets(
      fc.map((f) => featureVector(f, name)),
      ft.map((f) => featureVector(f, name)),
    );
    const scalar = typeof fc[0]?.[name] === 'number';
    const avg = (fs: PieceFeatures[]) => (scalar ? mean(fs.map((f) => f[name] as number)) : null);
    return { feature: name, label: LABELS[name], overlap, kl, takes: avg(ft), corpus: avg(fc) };
  });
  const rowsC = fc.map(classifierRow);
  const rowsT = ft.map(classifierRow);
  // The features that give the takes away: each alone, the further its AUC from 0.5 the plainer.
  const telltales: Telltale[] = CLASSIFIER_COLUMNS.map((column, j) => {
    const separation = auc(
      rowsT.map((r) => r[j]!),
      rowsC.map((r) => r[j]!),
    );
    const [more, less] = WORDS[column]!;
    return { feature: column, words: `the takes ${separation >= 0.5 ? more : less} than your pieces`, auc: Math.max(separation, 1 - separation) };
  })
    .sort((a, b) => b.auc - a.auc)
    .slice(0, 3);
  return {
    features,
    meanOverlap: mean(features.map((f) => f.overlap)),
    meanKl: mean(features.map((f) => f.kl)),
    auc: twoSampleAuc(rowsC, rowsT, { seed, groupsA: corpus.map((e, i) => e.group ?? `c${i}`), groupsB: takes.map((e, i) => e.group ?? `t${i}`) }),
    telltales,
  };
}

/** Copy figures from each take's longest match with the corpus, in bars. */
export function copyFigures(matchBars: readonly number[], copyBars: number): Pick<Measured, 'copyRate' | 'medianMatchBars' | 'longestMatchBars'> {
  return {
    copyRate: matchBars.length > 0 ? matchBars.filter((b) => b > copyBars).length / matchBars.length : 0,
    medianMatchBars: median(matchBars),
    longestMatchBars: matchBars.length > 0 ? Math.max(...matchBars) : 0,
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** One line a musician reads first; the numbers are beside it. */
export function verdictOf(m: Pick<Scorecard, 'auc' | 'meanOverlap' | 'copyRate' | 'copyBars' | 'telltales'>): string {
  const copying =
    m.copyRate === 0
      ? `none copies more than ${m.copyBars} bars of the corpus`
      : `${pct(m.copyRate)} of them copy more than ${m.copyBars} bars of the corpus`;
  const hint = m.telltales[0] ? `; mostly, ${m.telltales[0].words}` : '';
  let style: string;
  if (m.auc <= 0.6) style = 'The takes sound like your pieces: a classifier can hardly tell them apart';
  else if (m.auc <= 0.72) style = `The takes sound mostly like your pieces, with a difference a classifier picks up${hint}`;
  else if (m.auc <= 0.85) style = `The takes are recognisably in the style but still give themselves away${hint}`;
  else style = `The takes do not yet sound like your pieces${hint}`;
  const warning = m.copyRate > 0.05 ? '. Too many quote the corpus: the model is memorising it' : '';
  return `${style}; ${copying}${warning}.`;
}
