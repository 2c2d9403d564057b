import { describe, expect, it } from 'vitest';
import { sampleIndex, softmax } from '../../src/engine/jobs/generate/sampling';
import { pitchAllowed, tokenBias } from '../../src/engine/jobs/generate/constraints';
import { encodingOf } from '../../src/engine/encode/registry';
import { seededRandom } from '../../src/shared/random';

const logits = Float32Array.from([2, 1, 0.5, 0, -1]);
const base = { temperature: 1, topK: 0, topP: 1, greedy: false };

function histogram(options: typeof base, draws = 20_000, bias: Float32Array | null = null): number[] {
  const random = seededRandom(42);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleIndex(logits, 0, logits.length, options, random, bias).index]!++;
  return counts.map((c) => c / draws);
}

describe('sampling', () => {
  it('draws in proportion to the softmax, sharper when colder', () => {
    const expected = softmax(logits, 0, logits.length);
    histogram(base).forEach((f, i) => expect(f).toBeCloseTo(expected[i]!, 1));
    const cold = histogram({ ...base, temperature: 0.25 });
    expect(cold[0]).toBeGreaterThan(0.95);
  });

  it('greedy takes the argmax; top-k and top-p keep only the head of the distribution', () => {
    expect(sampleIndex(logits, 0, 5, { ...base, greedy: true }, () => 0.99).index).toBe(0);
    const k2 = histogram({ ...base, topK: 2 });
    expect(k2.slice(2).every((f) => f === 0)).toBe(true);
    expect(k2[0]! / k2[1]!).toBeCloseTo(Math.E, 0);
    // p(0) ≈ 0.54, p(0)+p(1) ≈ 0.74: top-p 0.6 keeps two tokens, 0.5 keeps one.
    expect(histogram({ ...base, topP: 0.6 }).slice(2).every((f) => f === 0)).toBe(true);
    expect(histogram({ ...base, topP: 0.5 })[0]).toBe(1);
  });

  it('reads a row at an offset, applies a bias, and relaxes a mask that forbids everything', () => {
    const two = Float32Array.from([0, 0, 0, 9, 0, 0]);
    expect(sampleIndex(two, 3, 3, { ...base, greedy: true }, Math.random).index).toBe(0);
    const mask = Float32Array.from([-Infinity, -Infinity, 0, -Infinity, -Infinity]);
    expect(histogram(base, 1000, mask)[2]).toBe(1);
    const none = new Float32Array(5).fill(-Infinity);
    expect(sampleIndex(logits, 0, 5, { ...base, greedy: true }, Math.random, none)).toEqual({ index: 0, relaxed: true });
  });
});

describe('constraints', () => {
  it('knows which pitches a key and a range allow', () => {
    const c = { key: { tonic: 9, scale: 'minor' as const }, pitchRange: [57, 69] as [number, number] };
    expect([57, 59, 60, 62, 64, 65, 67, 69].every((p) => pitchAllowed(p, c))).toBe(true);
    expect([56, 58, 61, 70, 71].some((p) => pitchAllowed(p, c))).toBe(false);
  });

  it('masks tokens by the pitches they sound, tilts note tokens by density, and locks rhythm to the primer', () => {
    const events = encodingOf('events');
    const info = (t: string) => events.tokenInfo!(t, events.params.parse({}));
    const tokens = ['<pad>', '<unk>', '<bos>', '<eos>', 'Bar', 'Pos_0', 'Pos_4', 'Pos_6', 'Pitch_60', 'Pitch_61', 'Pitch_84', 'Dur_4'];
    const { bias, notices } = tokenBias(tokens, info, { key: { tonic: 0, scale: 'major' }, pitchRange: [48, 72], density: 2, rhythmLock: true }, ['Bar', 'Pos_0', 'Pitch_60', 'Pos_4'], 'Events');
    expect(notices).toEqual([]);
    const of = (t: string) => bias[tokens.indexOf(t)];
    expect(['<pad>', '<unk>', '<bos>', '<eos>', 'Pos_6', 'Pitch_61', 'Pitch_84'].map(of)).toEqual(new Array(7).fill(-Infinity));
    expect(of('Pitch_60')).toBeCloseTo(Math.log(2));
    expect([of('Bar'), of('Pos_0'), of('Pos_4'), of('Dur_4')]).toEqual([0, 0, 0, 0]);

    // Seed 000's chords decode in octave 4: a chord token is allowed only if all its notes are.
    const chords = encodingOf('notes-chords');
    const chordInfo = (t: string) => chords.tokenInfo!(t, chords.params.parse({}));
    const chordBias = tokenBias(['C4', '0.4.7', '1.4.7', 'C#4'], chordInfo, { key: { tonic: 0, scale: 'major' } }, [], 'Notes and chords');
    expect(Array.from(chordBias.bias)).toEqual([0, 0, -Infinity, -Infinity]);
    expect(tokenBias(['C4'], chordInfo, { rhythmLock: true }, ['C4'], 'Notes and chords').notices[0]).toMatch(/rhythm lock changes nothing/);
  });
});
