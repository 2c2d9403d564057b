import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/engine/models/registry';
import { isTokenGenerator, type TrainableModel } from '../../src/engine/models/types';
import type { PsdLstm } from '../../src/engine/models/psd-lstm/model';
import { selectBackend } from '../../src/engine/tf/backend';
import { modelSpec, type ModelSpec } from '../../src/shared/training';
import { seededRandom } from '../../src/shared/random';

const VOCAB = 23;

function tokens(batch: number, length: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  return Int32Array.from({ length: batch * length }, () => Math.floor(random() * VOCAB));
}

/** Full-window logits [batch·length, vocab] from the model's training forward pass (no dropout). */
function fullLogits(model: TrainableModel, x: Int32Array, batch: number, length: number): Float32Array {
  const m = model as unknown as { logits(x: Int32Array, b: number, t: number, training: boolean, step: number): tf.Tensor2D };
  return tf.tidy(() => m.logits(x, batch, length, false, 0).dataSync() as Float32Array);
}

/** Feeds the windows token by token; returns the stepper's logits at every position, [batch·length, vocab]. */
function steppedLogits(model: TrainableModel, x: Int32Array, batch: number, length: number, window = length): Float32Array {
  if (!isTokenGenerator(model)) throw new Error('not a token generator');
  const stepper = model.stepper(batch, window);
  const out = new Float32Array(batch * length * VOCAB);
  for (let t = 0; t < length; t++) {
    const logits = stepper.step(Int32Array.from({ length: batch }, (_, b) => x[b * length + t]!));
    for (let b = 0; b < batch; b++) out.set(logits.subarray(b * VOCAB, (b + 1) * VOCAB), (b * length + t) * VOCAB);
  }
  stepper.dispose();
  return out;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('incremental generation matches the full forward pass', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const cases: [string, ModelSpec][] = [
    ['stacked LSTM (state carried forward)', modelSpec.parse({ arch: 'lstm', embedding: 8, units: 12, layers: 2, dense: 10, dropout: 0.3 })],
    ['Transformer, relative positions (KV cache)', modelSpec.parse({ arch: 'transformer', embedding: 16, heads: 4, layers: 2, feedForward: 24, dropout: 0.2 })],
    ['Transformer, learned positions (KV cache)', modelSpec.parse({ arch: 'transformer', embedding: 16, heads: 2, layers: 2, feedForward: 24, positions: 'learned', context: 32 })],
  ];
  for (const [name, spec] of cases) {
    it(name, () => {
      const model = createModel(spec, VOCAB, 5);
      const [batch, length] = [3, 11];
      const x = tokens(batch, length, 9);
      const full = fullLogits(model, x, batch, length); // caches the Transformer's attention bias
      const before = tf.memory().numTensors;
      const difference = maxDifference(full, steppedLogits(model, x, batch, length));
      expect(difference).toBeLessThan(1e-4);
      expect(tf.memory().numTensors).toBe(before); // the stepper leaks nothing
      model.dispose();
    });
  }

  it('a Transformer with learned positions rebuilds its cache when the table runs out, as a sliding window would see it', () => {
    const spec = modelSpec.parse({ arch: 'transformer', embedding: 16, heads: 2, layers: 1, feedForward: 16, positions: 'learned', context: 8, dropout: 0 });
    const model = createModel(spec, VOCAB, 6);
    const x = tokens(1, 12, 3);
    const stepped = steppedLogits(model, x, 1, 12);
    // At step 9 (index 8) the cache is rebuilt from the last 4 tokens: the logits equal a fresh pass over tokens 4…8.
    const window = x.slice(4, 9);
    const fresh = fullLogits(model, window, 1, window.length);
    expect(maxDifference(stepped.slice(8 * VOCAB, 9 * VOCAB), fresh.slice(4 * VOCAB, 5 * VOCAB))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('the bidirectional GRU re-reads its last `window` tokens each step', () => {
    const model = createModel(modelSpec.parse({ arch: 'bigru', embedding: 8, units: 6, layers: 2, dense: 10 }), VOCAB, 4);
    const x = tokens(2, 9, 4);
    const stepped = steppedLogits(model, x, 2, 9, 5);
    // The logits after token 9 are the model's prediction from the window of tokens 5…9.
    const window = Int32Array.from([...x.slice(4, 9), ...x.slice(13, 18)]);
    const full = fullLogits(model, window, 2, 5);
    expect(maxDifference(stepped.slice(8 * VOCAB, 9 * VOCAB), full.slice(0, VOCAB))).toBeLessThan(1e-4);
    expect(maxDifference(stepped.slice(17 * VOCAB, 18 * VOCAB), full.slice(VOCAB, 2 * VOCAB))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('the pitch/step/duration LSTM steps note by note to the same pitch logits, steps and durations', () => {
    const model = createModel(modelSpec.parse({ arch: 'psd-lstm', units: 10, layers: 2 }), 128, 7) as unknown as PsdLstm;
    const [batch, length] = [2, 6];
    const random = seededRandom(11);
    // Notes as the studio feeds them: MIDI pitch, then step and duration in seconds.
    const x = Float32Array.from({ length: batch * length * 3 }, (_, i) => (i % 3 === 0 ? Math.floor(random() * 128) : random()));
    const full = tf.tidy(() => {
      const o = model.outputs(x, batch, length);
      return [o.pitch, o.step, o.duration].map((t) => tf.keep(t));
    });
    const [pitch, step, duration] = full.map((t) => t.dataSync() as Float32Array);
    const before = tf.memory().numTensors;
    const stepper = model.featureStepper(batch);
    let worst = 0;
    for (let t = 0; t < length; t++) {
      const notes = new Float32Array(batch * 3);
      for (let b = 0; b < batch; b++) notes.set(x.subarray((b * length + t) * 3, (b * length + t + 1) * 3), b * 3);
      const out = stepper.step(notes);
      for (let b = 0; b < batch; b++) {
        const row = b * length + t;
        worst = Math.max(worst, maxDifference(out.pitch.subarray(b * 128, (b + 1) * 128), pitch!.subarray(row * 128, (row + 1) * 128)));
        worst = Math.max(worst, Math.abs(out.step[b]! - step![row]!), Math.abs(out.duration[b]! - duration![row]!));
      }
    }
    stepper.dispose();
    expect(worst).toBeLessThan(1e-4);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(full);
    model.dispose();
  });
});
