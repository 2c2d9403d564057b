import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auc, twoSampleAuc } from '../../src/engine/fidelity/classifier';
import { compareDistributions, compareSets, densityOnGrid, kde } from '../../src/engine/fidelity/distances';
import { excerptsOf } from '../../src/engine/fidelity/excerpts';
import { featuresOf, type Excerpt } from '../../src/engine/fidelity/features';
import { compareStyle, copyFigures, verdictOf } from '../../src/engine/fidelity/scorecard';
import { parseMidi } from '../../src/engine/midi/smf';
import { seededRandom } from '../../src/shared/random';
import { JIGS, midiFiles } from '../helpers/corpora';

const Q = 480;
const note = (pitch: number, beat: number, beats = 1) => ({ pitch, startTick: Math.round(beat * Q), endTick: Math.round((beat + beats) * Q) });

/** The jig fixtures as 8-bar excerpts (every note of the file: they are one-part tunes). */
function jigExcerpts(files: string[]): Excerpt[] {
  return files.flatMap((file) => {
    const midi = parseMidi(new Uint8Array(fs.readFileSync(file)));
    const notes = midi.tracks
      .filter((t) => !t.isDrum)
      .flatMap((t) => Array.from(t.notes.pitch, (pitch, i) => ({ pitch, startTick: t.notes.startTick[i]!, endTick: t.notes.endTick[i]! })))
      .sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
    return excerptsOf({ ppq: midi.ppq, timeSignatures: midi.timeSignatures, notes }, 8);
  });
}

describe('per-piece features', () => {
  it('match a hand count on a small 4/4 passage', () => {
    // Bar 1: C4 E4 G4 quarters, then a C–E chord; bar 2: D4 F4 A4 and a B3–D4 chord, the same rhythm.
    const notes = [note(60, 0), note(64, 1), note(67, 2), note(60, 3), note(64, 3), note(62, 4), note(65, 5), note(69, 6), note(59, 7), note(62, 7)];
    const f = featuresOf({ notes, ppq: Q, barTicks: 4 * Q, endTick: 8 * Q });
    expect(f.usedPitches).toBe(7);
    expect(f.pitchRange).toBe(10);
    expect(f.meanPitch).toBeCloseTo(63.2, 10);
    // Top notes 60 64 67 64 62 65 69 62: steps 4 3 3 2 3 4 7.
    expect(f.melodicInterval).toBeCloseTo(26 / 7, 10);
    expect(f.interOnsetInterval).toBeCloseTo(1, 10);
    expect(f.polyphony).toBeCloseTo(10 / 8, 10);
    expect(f.notesPerBeat).toBeCloseTo(10 / 8, 10);
    expect(f.pitchClassHistogram).toEqual([0.2, 0, 0.2, 0, 0.2, 0.1, 0, 0.1, 0, 0.1, 0, 0.1]);
    expect(f.pitchClassEntropy).toBeCloseTo(-(3 * 0.2 * Math.log2(0.2) + 4 * 0.1 * Math.log2(0.1)), 10);
    expect(f.scaleConsistency).toBe(1);
    expect(f.grooveConsistency).toBe(1);
    expect(f.noteLengthHistogram).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('count a changed rhythm and notes outside every scale', () => {
    // Bar 2 drops the onsets on beats 2 and 4: 2 of 48 grid positions differ.
    const rhythm = featuresOf({ notes: [note(60, 0), note(62, 1), note(64, 2), note(65, 3), note(67, 4, 2), note(65, 6, 2)], ppq: Q, barTicks: 4 * Q, endTick: 8 * Q });
    expect(rhythm.grooveConsistency).toBeCloseTo(1 - 2 / 48, 10);
    expect(rhythm.noteLengthHistogram[6]).toBeCloseTo(2 / 6, 10); // two half notes
    const chromatic = featuresOf({ notes: Array.from({ length: 12 }, (_, i) => note(60 + i, i / 2, 0.5)), ppq: Q, barTicks: 4 * Q, endTick: 6 * Q });
    expect(chromatic.scaleConsistency).toBeCloseTo(7 / 12, 10);
    expect(chromatic.pitchClassEntropy).toBeCloseTo(Math.log2(12), 10);
  });
});

describe('MGEval overlap and KL', () => {
  it('a kernel density integrates to one', () => {
    const p = kde([1, 2, 2.5, 4, 7], 1e-6);
    let area = 0;
    for (let x = -20; x < 30; x += 0.01) area += p(x) * 0.01;
    expect(area).toBeCloseTo(1, 3);
  });

  it('the binned density on a grid agrees with the exact one', () => {
    const random = seededRandom(2);
    const samples = Array.from({ length: 500 }, () => random() * 3 + random());
    const exact = kde(samples, 1e-6);
    const grid = densityOnGrid(samples, 0, 4 / 999, 1000, 1e-6);
    for (const i of [0, 100, 250, 500, 750, 999]) expect(grid[i]).toBeCloseTo(exact((i * 4) / 999), 3);
  });

  it('a sample against itself overlaps (almost) fully; samples far apart hardly at all', () => {
    const random = seededRandom(3);
    const a = Array.from({ length: 200 }, () => random() + random() + random());
    const same = compareDistributions(a, a);
    expect(same.overlap).toBeGreaterThan(0.99);
    expect(same.kl).toBeCloseTo(0, 10);
    const far = compareDistributions(a, a.map((x) => x + 10));
    expect(far.overlap).toBeLessThan(0.01);
    expect(far.kl).toBeGreaterThan(5);
  });

  it('a set against itself ≈ 1; against a shifted copy of itself, less', () => {
    const random = seededRandom(5);
    const set = Array.from({ length: 40 }, () => [random() * 10]);
    expect(compareSets(set, set).overlap).toBeGreaterThan(0.95);
    expect(compareSets(set, set.map(([x]) => [x! + 8])).overlap).toBeLessThan(0.5);
  });
});

describe('classifier two-sample test', () => {
  it('AUC of hand-made scores, ties counted half', () => {
    expect(auc([1, 2, 3], [0])).toBe(1);
    expect(auc([0], [1, 2])).toBe(0);
    // Pairs (pos, neg): (1,1) tie ½, (1,0) 1, (2,1) 1, (2,0) 1 → 3.5 / 4.
    expect(auc([1, 2], [1, 0])).toBe(0.875);
  });

  it('cannot tell two samples of one distribution apart, and tells two different ones apart', () => {
    const random = seededRandom(11);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const sample = (n: number, shift: number) => Array.from({ length: n }, () => [gauss() + shift, gauss(), gauss() * 2]);
    const a = sample(120, 0);
    expect(Math.abs(twoSampleAuc(a, sample(80, 0), {}) - 0.5)).toBeLessThan(0.1);
    expect(twoSampleAuc(a, sample(30, 4), {})).toBeGreaterThan(0.97);
  });

  it('keeps a group in one fold: excerpts of one piece cannot give its half away', () => {
    // A hundred "pieces" of four near-identical excerpts each, split into halves by piece: the pieces differ, the halves do not.
    const random = seededRandom(13);
    const pieces = Array.from({ length: 200 }, () => [random() * 10, random() * 10]);
    const excerpts = (p: number[]) => Array.from({ length: 4 }, () => p.map((v) => v + random() * 0.01));
    const a = pieces.filter((_, i) => i % 2 === 0).flatMap(excerpts);
    const b = pieces.filter((_, i) => i % 2 === 1).flatMap(excerpts);
    const groups = (n: number, offset: number) => Array.from({ length: n }, (_, i) => offset + Math.floor(i / 4));
    expect(Math.abs(twoSampleAuc(a, b, { groupsA: groups(a.length, 0), groupsB: groups(b.length, 1000) }) - 0.5)).toBeLessThan(0.08);
  });
});

describe('the scorecard on real jigs', () => {
  const files = midiFiles(JIGS).filter((_, i) => i % 6 === 0);
  const excerpts = jigExcerpts(files);
  const halves = [excerpts.filter((_, i) => i % 2 === 0), excerpts.filter((_, i) => i % 2 === 1)] as const;

  it('finds one half of a corpus like the other, and random notes unlike it', () => {
    expect(excerpts.length).toBeGreaterThan(60);
    const ceiling = compareStyle(halves[0], halves[1]);
    expect(ceiling.meanOverlap).toBeGreaterThan(0.85);
    expect(ceiling.auc).toBeLessThan(0.65);
    // "Takes" of random pitches over three octaves on the jigs' own rhythm.
    const random = seededRandom(7);
    const noise = halves[1].slice(0, 30).map((e) => ({ ...e, notes: e.notes.map((n) => ({ ...n, pitch: 48 + Math.floor(random() * 36) })) }));
    const fake = compareStyle(halves[0], noise);
    expect(fake.auc).toBeGreaterThan(0.95);
    expect(fake.meanOverlap).toBeLessThan(ceiling.meanOverlap);
    expect(fake.telltales).toHaveLength(3);
    expect(fake.telltales.map((t) => t.feature)).toEqual(expect.arrayContaining(['pitchRange']));
    expect(fake.telltales.find((t) => t.feature === 'pitchRange')!.words).toBe('the takes use a wider range than your pieces');
  });

  it('counts copies past k bars and says so in words', () => {
    expect(copyFigures([1, 2, 5, 8, 0.5], 4)).toEqual({ copyRate: 0.4, medianMatchBars: 2, longestMatchBars: 8 });
    expect(copyFigures([1, 2, 4, 3], 4).copyRate).toBe(0); // exactly k bars is not more than k
    const v = verdictOf({ auc: 0.9, meanOverlap: 0.7, copyRate: 0.1, copyBars: 4, telltales: [{ feature: 'pitchRange', words: 'the takes use a wider range than your pieces', auc: 0.9 }] });
    expect(v).toBe('The takes do not yet sound like your pieces; mostly, the takes use a wider range than your pieces; 10% of them copy more than 4 bars of the corpus. Too many quote the corpus: the model is memorising it.');
  });
});
