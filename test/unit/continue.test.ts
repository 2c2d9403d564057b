/**
 * Continuation mechanics for every architecture, on untrained models (what is checked here is
 * the plumbing — primers, seams, lengths, constraints, determinism — not musical quality).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { continuePassage, type VocabularyContext } from '../../src/engine/jobs/generate/continue';
import { cutPassage, type Passage } from '../../src/shared/music/passage';
import { encodingOf } from '../../src/engine/encode/registry';
import { createModel } from '../../src/engine/models/registry';
import { selectBackend } from '../../src/engine/tf/backend';
import { modelSpec } from '../../src/shared/training';

const PPQ = 480;

/** Two bars of 4/4 at 120 bpm: a C major arpeggio in quarter notes. */
function passage(): Passage {
  const notes = [60, 64, 67, 72, 67, 64, 60, 64].map((pitch, i) => ({
    pitch,
    velocity: 90,
    startTick: i * PPQ,
    endTick: (i + 1) * PPQ,
    startSec: i * 0.5,
    endSec: (i + 1) * 0.5,
    program: 0,
  }));
  return cutPassage({ ppq: PPQ, tempos: [{ tick: 0, usPerQuarter: 500_000 }], timeSignatures: [{ tick: 0, numerator: 4, denominator: 4 }], keySignatures: [], notes }, 0, 8 * PPQ, 'arpeggio');
}

/** A vocabulary of every token the encoding gives the passage and its transpositions, with made-up counts. */
function vocabulary(kind: string, extra: string[] = []): VocabularyContext {
  const encoding = encodingOf(kind);
  const params = encoding.params.parse({});
  const p = passage();
  const encoded = encoding.encode({ ...p, durationTicks: p.endTick }, params);
  const base = encoded.representation === 'tokens' ? encoded.tokens : [];
  const tokens = ['<pad>', '<unk>', '<bos>', '<eos>', ...new Set([...base, ...[-5, -3, 2, 4].flatMap((s) => base.map((t) => encoding.transpose?.(t, s, params) ?? t)), ...extra])];
  return {
    encoding: kind,
    params,
    representation: encoded.representation,
    width: encoded.representation === 'tokens' ? 1 : encoded.width,
    tokens,
    counts: tokens.map((t, i) => (t.startsWith('<') ? 0 : i)),
  };
}

const options = { temperature: 1, topK: 0, topP: 1, greedy: false, variations: 2, seed: 3, constraints: {}, window: 16 };

describe('continuing a passage, every architecture', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const tokenCases: [string, string, object][] = [
    ['stacked LSTM', 'events', { arch: 'lstm', embedding: 8, units: 16, layers: 2, dense: 8 }],
    ['Transformer (KV cache)', 'events', { arch: 'transformer', embedding: 16, heads: 2, layers: 1, feedForward: 16 }],
    ['bidirectional GRU (re-reads its window)', 'frames', { arch: 'bigru', embedding: 8, units: 8, layers: 1, dense: 8 }],
    ['seed 000 notes and chords (its own clock)', 'notes-chords', { arch: 'lstm', embedding: 8, units: 16, layers: 1, dense: 0 }],
  ];
  for (const [name, kind, spec] of tokenCases) {
    it(`${name}: the passage kept, the continuation after the seam and within the length, reproducible`, async () => {
      const vocab = vocabulary(kind);
      const model = createModel(modelSpec.parse(spec), vocab.tokens.length, 1);
      const p = passage();
      const run = () => continuePassage(model, vocab, p, { ...options, length: { unit: 'bars', value: 2 } });
      const { takes } = await run();
      expect(takes).toHaveLength(2);
      for (const take of takes) {
        expect(take.seamTick).toBe(8 * PPQ);
        expect(take.seamSec).toBeCloseTo(4);
        expect(take.notes.filter((n) => n.startTick < take.seamTick)).toEqual(p.notes);
        const more = take.notes.filter((n) => n.startTick >= take.seamTick);
        expect(more.every((n) => n.endTick <= 16 * PPQ && n.endTick >= n.startTick)).toBe(true);
      }
      expect((await run()).takes).toEqual(takes);
      model.dispose();
    });
  }

  it('the continuation plays the passage\'s instrument', async () => {
    const vocab = vocabulary('events');
    const model = createModel(modelSpec.parse({ arch: 'lstm', embedding: 8, units: 16, layers: 1, dense: 0 }), vocab.tokens.length, 4);
    const violin = { ...passage(), notes: passage().notes.map((n) => ({ ...n, program: 40 })) };
    const { takes } = await continuePassage(model, vocab, violin, { ...options, length: { unit: 'bars', value: 2 } });
    const more = takes.flatMap((t) => t.notes.filter((n) => n.startTick >= t.seamTick));
    expect(more.length).toBeGreaterThan(0);
    expect(new Set(more.map((n) => n.program))).toEqual(new Set([40]));
    model.dispose();
  });

  it('counts a length in tokens exactly, and a key constraint holds for every continued note', async () => {
    const vocab = vocabulary('events');
    const model = createModel(modelSpec.parse({ arch: 'lstm', embedding: 8, units: 16, layers: 1, dense: 0 }), vocab.tokens.length, 2);
    const { takes } = await continuePassage(model, vocab, passage(), { ...options, length: { unit: 'tokens', value: 200 }, constraints: { key: { tonic: 7, scale: 'major pentatonic' } } });
    const allowed = new Set([7, 9, 11, 2, 4]);
    for (const take of takes) {
      expect(take.tokens).toBe(200);
      expect(take.notes.filter((n) => n.startTick >= take.seamTick).every((n) => allowed.has(n.pitch % 12))).toBe(true);
    }
    model.dispose();
  });

  it('the seed-004 model samples pitch and regresses step and duration; the rhythm lock snaps to the passage', async () => {
    const vocab = { ...vocabulary('pitch-step-duration'), representation: 'features' as const, width: 3, tokens: [], counts: [] };
    const model = createModel(modelSpec.parse({ arch: 'psd-lstm', units: 16, layers: 1 }), 0, 1);
    const { takes } = await continuePassage(model, vocab, passage(), { ...options, length: { unit: 'tokens', value: 12 }, constraints: { rhythmLock: true, pitchRange: [60, 72] } });
    for (const take of takes) {
      const more = take.notes.filter((n) => n.startTick >= take.seamTick);
      expect(take.tokens).toBe(12);
      expect(more.every((n) => n.pitch >= 60 && n.pitch <= 72)).toBe(true);
      // Every step is 0.5 s and every note 0.5 s long, as in the passage.
      more.forEach((n) => expect(n.endSec - n.startSec).toBeCloseTo(0.5, 6));
    }
    model.dispose();
  });

  it('the seed-001 RBM continues by Gibbs sampling with the known rows clamped', async () => {
    const vocab = { ...vocabulary('piano-roll'), tokens: [], counts: [] };
    const model = createModel(modelSpec.parse({ arch: 'rbm', hidden: 16, cdK: 1 }), 0, 1, { visible: 16 * vocab.width });
    const { takes, notices } = await continuePassage(model, vocab, passage(), { ...options, length: { unit: 'bars', value: 1 }, constraints: { pitchRange: [60, 71] } });
    for (const take of takes) {
      const more = take.notes.filter((n) => n.startTick >= take.seamTick);
      expect(more.length).toBeGreaterThan(0); // an untrained RBM turns on about half its units
      expect(more.every((n) => n.pitch >= 60 && n.pitch <= 71 && n.endTick <= 12 * PPQ)).toBe(true);
    }
    expect(notices).toEqual([]);
    model.dispose();
  });
});
