import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { lstmRecurrence } from '../../src/engine/models/layers/lstm';
import { lstmLayer } from '../../src/engine/models/lstm-stack';
import { selectBackend } from '../../src/engine/tf/backend';

/** The same recurrence written with plain ops, differentiated by TF.js's own tape. */
function reference(xw: tf.Tensor3D, recurrent: tf.Tensor2D): tf.Tensor3D {
  const [T, B, G] = xw.shape;
  const U = G / 4;
  let h: tf.Tensor2D = tf.zeros([B, U]);
  let c: tf.Tensor2D = tf.zeros([B, U]);
  const out: tf.Tensor2D[] = [];
  for (const x of tf.unstack(xw, 0) as tf.Tensor2D[]) {
    const [i, f, g, o] = tf.split(tf.add(x, tf.matMul(h, recurrent)), 4, 1);
    c = tf.add(tf.mul(tf.sigmoid(f!), c), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
    h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    out.push(h);
  }
  void T;
  return tf.stack(out, 0) as tf.Tensor3D;
}

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));
}

describe('fused LSTM recurrence', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('matches the plain-op LSTM in its outputs and in both gradients (relative error under 1e-4)', () => {
    const [T, B, U] = [7, 3, 5];
    const xw = tf.randomNormal([T, B, 4 * U], 0, 1, 'float32', 11) as tf.Tensor3D;
    const recurrent = tf.randomNormal([U, 4 * U], 0, 0.5, 'float32', 12) as tf.Tensor2D;
    // A loss that weighs every output differently, so every gradient path matters.
    const weights = tf.randomNormal([T, B, U], 0, 1, 'float32', 13);
    const lossOf = (f: (a: tf.Tensor3D, b: tf.Tensor2D) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor3D, b as tf.Tensor2D), weights));
    const fused = tf.grads(lossOf((a, b) => lstmRecurrence(a, b)))([xw, recurrent]);
    const plain = tf.grads(lossOf(reference))([xw, recurrent]);
    expect(relativeError(lstmRecurrence(xw, recurrent), reference(xw, recurrent))).toBeLessThan(1e-6);
    expect(relativeError(fused[0]!, plain[0]!)).toBeLessThan(1e-4);
    expect(relativeError(fused[1]!, plain[1]!)).toBeLessThan(1e-4);
    expect(tf.norm(fused[1]!).dataSync()[0]).toBeGreaterThan(0);
  });

  it('matches the stock tf.layers LSTM (sigmoid gates, as Keras) in outputs and in the gradients of input, kernels and bias', () => {
    const [B, T, D, U] = [4, 9, 6, 5];
    const layer = tfl.layers.lstm({ units: U, returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 31) as tf.Tensor3D;
    layer.apply(x); // builds its weights
    const [kernel, recurrent, bias] = layer.getWeights().map((w, i) => tf.variable(tf.randomNormal(w.shape, 0, 0.5, 'float32', 40 + i)));
    layer.setWeights([kernel!, recurrent!, bias!]);
    const weights = tf.randomNormal([B, T, U], 0, 1, 'float32', 33);
    const ours = (input: tf.Tensor) => lstmLayer(input as tf.Tensor3D, { kernel: kernel!, recurrent: recurrent!, bias: bias! });
    const stock = (input: tf.Tensor) => layer.apply(input) as tf.Tensor;
    expect(relativeError(ours(x), stock(x))).toBeLessThan(1e-5);
    const gradients = (f: (input: tf.Tensor) => tf.Tensor) => {
      const input = tf.variable(x);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(f(input), weights)), [input, kernel!, recurrent!, bias!]);
      const ordered = [input, kernel!, recurrent!, bias!].map((v) => grads[v.name]!);
      input.dispose();
      return ordered;
    };
    // The stock layer reads its own copies of the weights: point them at ours so both differentiate the same variables.
    const stockWeights = layer.trainableWeights;
    const stockGrads = (() => {
      const input = tf.variable(x);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(stock(input), weights)), [input, ...stockWeights.map((w) => w.read() as tf.Variable)]);
      const ordered = [input, ...stockWeights.map((w) => w.read() as tf.Variable)].map((v) => grads[v.name]!);
      input.dispose();
      return ordered;
    })();
    const ourGrads = gradients(ours);
    ourGrads.forEach((g, i) => {
      const name = ['input', 'kernel', 'recurrent kernel', 'bias'][i];
      expect(tf.norm(stockGrads[i]!).dataSync()[0], `stock gradient of ${name}`).toBeGreaterThan(0);
      expect(relativeError(g, stockGrads[i]!), `gradient of ${name}`).toBeLessThan(1e-4);
    });
  });
});
