import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { lstmLayerTimeMajor } from '../../src/engine/models/layers/lstm';
import { lstmLayer } from '../../src/engine/models/lstm-stack';
import { selectBackend } from '../../src/engine/tf/backend';
import { lstmKernelsApply } from '../../src/engine/tf/kernels/lstm-kernels';
import { withFusedKernels } from '../helpers/fused-kernels';
import { recurrenceErrors, relativeError, studioRecurrence } from '../helpers/lstm-reference';

describe('fused LSTM recurrence', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // 5 units take the TF.js-op recurrence (the fused cell needs a multiple of 4); 8 and 128 the
  // WebAssembly kernels (tf/kernels/lstm-kernels.ts).
  it.each([
    [7, 3, 5, false],
    [7, 3, 8, true],
    [25, 16, 128, true],
    [2, 2, 4, true],
  ])('T=%i B=%i U=%i: matches the plain-op LSTM in outputs and both gradients (relative error under 1e-4; fused kernels: %s)', (T, B, U, fused) => {
    expect(lstmKernelsApply(U)).toBe(fused);
    const errors = recurrenceErrors(T, B, U);
    expect(errors.output).toBeLessThan(1e-5);
    expect(errors.dInput).toBeLessThan(1e-4);
    expect(errors.dRecurrent).toBeLessThan(1e-4);
    if (T > 1) expect(errors.dRecurrentNorm).toBeGreaterThan(0);
  });

  it('takes a single timestep (no recurrent product: its gradient is zero)', () => {
    const xw = tf.randomNormal([1, 3, 16], 0, 1, 'float32', 5) as tf.Tensor3D;
    const recurrent = tf.randomNormal([4, 16], 0, 0.5, 'float32', 6) as tf.Tensor2D;
    const oneStep = (a: tf.Tensor) => {
      const [i, , g, o] = tf.split(tf.reshape(a, [3, 16]), 4, 1);
      return tf.mul(tf.sigmoid(o!), tf.tanh(tf.mul(tf.sigmoid(i!), tf.tanh(g!))));
    };
    const [dx, dr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(studioRecurrence(a as tf.Tensor3D, b as tf.Tensor2D)))([xw, recurrent]);
    expect(relativeError(tf.reshape(studioRecurrence(xw, recurrent), [3, 4]), oneStep(xw))).toBeLessThan(1e-6);
    expect(relativeError(dx!, tf.grad((a: tf.Tensor) => tf.sum(oneStep(a)))(xw))).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(dr!)).dataSync()[0]).toBe(0);
  });

  // 5 units take the TF.js-op recurrence, 8 the fused layer kernels.
  it.each([
    [5, 9],
    [8, 9],
  ])('%i units, %i timesteps: matches the stock tf.layers LSTM (sigmoid gates, as Keras) in outputs and in the gradients of input, kernels and bias', (U, T) => {
    const [B, D] = [4, 6];
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

  // The stock layer cannot be differentiated over one timestep (its Unpack gradient throws), so
  // the fused layer is checked against the TF.js-op layer, as `ETUDE_FUSED_KERNELS=0` runs it.
  it.each([
    [1, 4, 6, 8],
    [25, 16, 3, 128],
    [3, 5, 130, 12],
  ])('T=%i B=%i D=%i U=%i: the fused layer (input projection and recurrence as one op) matches the TF.js-op layer in outputs and all four gradients', (T, B, D, U) => {
    const x = tf.randomNormal([T, B, D], 0, 1, 'float32', 51) as tf.Tensor3D;
    const kernel = tf.variable(tf.randomNormal([D, 4 * U], 0, 0.3, 'float32', 52));
    const recurrent = tf.variable(tf.randomNormal([U, 4 * U], 0, 0.3, 'float32', 53));
    const bias = tf.variable(tf.randomNormal([4 * U], 0, 0.3, 'float32', 54));
    const weights = tf.randomNormal([T, B, U], 0, 1, 'float32', 55);
    const run = (kernels: boolean) =>
      withFusedKernels(kernels, () => {
        const input = tf.variable(x);
        const layer = () => lstmLayerTimeMajor(input, kernel as tf.Variable<tf.Rank.R2>, recurrent as tf.Variable<tf.Rank.R2>, bias as tf.Variable<tf.Rank.R1>);
        const output = layer();
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer(), weights)), [input, kernel, recurrent, bias]);
        const ordered = [input, kernel, recurrent, bias].map((v) => grads[v.name]!);
        input.dispose();
        return [output, ...ordered];
      });
    expect(lstmKernelsApply(U)).toBe(true);
    const fused = run(true);
    const ops = run(false);
    ['output', 'input', 'kernel', 'recurrent kernel', 'bias'].forEach((name, i) => {
      if (name === 'recurrent kernel' && T === 1) expect(tf.max(tf.abs(fused[i]!)).dataSync()[0], name).toBe(0);
      else expect(tf.norm(ops[i]!).dataSync()[0], name).toBeGreaterThan(0);
      expect(relativeError(fused[i]!, ops[i]!), name).toBeLessThan(name === 'output' ? 1e-5 : 1e-4);
    });
  });
});
