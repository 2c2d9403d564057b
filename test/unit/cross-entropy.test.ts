import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sparseCrossEntropy } from '../../src/engine/models/layers/cross-entropy';
import { selectBackend } from '../../src/engine/tf/backend';
import { crossEntropyKernelsApply } from '../../src/engine/tf/kernels/cross-entropy-kernels';
import { withFusedKernels } from '../helpers/fused-kernels';

/** The loss and its gradient in double precision, from the logits' numbers alone. */
function reference(logits: Float32Array, rows: number, classes: number, targets: Int32Array): { loss: number; grad: Float64Array } {
  let loss = 0;
  const grad = new Float64Array(rows * classes);
  const counted = targets.filter((t) => t >= 0).length;
  for (let r = 0; r < rows; r++) {
    if (targets[r]! < 0) continue; // padding: no target, no gradient
    const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
    const max = Math.max(...row);
    const sum = row.reduce((s, x) => s + Math.exp(x - max), 0);
    loss += max + Math.log(sum) - row[targets[r]!]!;
    row.forEach((x, c) => (grad[r * classes + c] = (Math.exp(x - max) / sum - (c === targets[r] ? 1 : 0)) / counted));
  }
  return { loss: loss / counted, grad };
}

describe('softmax cross-entropy', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // Class counts with and without a partial last group of four lanes (130: the pitch head; 358: seed 000's vocabulary).
  it.each([
    [5, 3, 1],
    [16, 7, 3],
    [40, 130, 4],
    [9, 358, 30],
    [6, 8, 200],
    [12, 9, 2, 'with padding rows'],
  ])('%i rows × %i classes, logits at scale %f %s: the fused kernels give the loss and its gradient of a double-precision reference', (rows, classes, scale, padding = '') => {
    expect(crossEntropyKernelsApply()).toBe(true);
    const logits = tf.mul(tf.randomNormal([rows, classes], 0, 1, 'float32', rows * classes), scale) as tf.Tensor2D;
    // Padding rows (a tiled window's start and end) have no target: -1, weighing nothing.
    const targets = Int32Array.from({ length: rows }, (_, r) => (padding && r % 3 === 1 ? -1 : (r * 7 + 3) % classes));
    const want = reference(logits.dataSync() as Float32Array, rows, classes, targets);
    const variable = tf.variable(logits, true, `logits${rows}x${classes}`) as tf.Variable<tf.Rank.R2>;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => sparseCrossEntropy(variable, targets), [variable]);
    const loss = value.dataSync()[0]!;
    const grad = Object.values(grads)[0]!.dataSync() as Float32Array;
    expect(Math.abs(loss - want.loss) / want.loss).toBeLessThan(1e-5);
    let err = 0;
    let norm = 0;
    grad.forEach((g, i) => {
      err += (g - want.grad[i]!) ** 2;
      norm += want.grad[i]! ** 2;
    });
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-5);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('agrees with the TF.js-op loss on the same logits (as on backends without the kernels)', () => {
    const logits = tf.randomNormal([64, 130], 0, 3, 'float32', 9) as tf.Tensor2D;
    const targets = Int32Array.from({ length: 64 }, (_, r) => (r * 11) % 130);
    const ops = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.tensor1d(targets, 'int32'), 130)), 1)));
    expect(Math.abs(sparseCrossEntropy(logits, targets).dataSync()[0]! - ops.dataSync()[0]!)).toBeLessThan(1e-5);
  });

  it('ignores rows without a target the same way with and without the kernels', () => {
    const logits = tf.randomNormal([10, 20], 0, 2, 'float32', 5) as tf.Tensor2D;
    const targets = Int32Array.from({ length: 10 }, (_, r) => (r < 3 ? -1 : r));
    const fused = sparseCrossEntropy(logits, targets).dataSync()[0]!;
    const plain = withFusedKernels(false, () => sparseCrossEntropy(logits, targets).dataSync()[0]!);
    const kept = sparseCrossEntropy(tf.slice(logits, [3, 0], [7, 20]) as tf.Tensor2D, targets.subarray(3)).dataSync()[0]!;
    expect(Math.abs(fused - kept)).toBeLessThan(1e-6);
    expect(Math.abs(plain - kept)).toBeLessThan(1e-5);
  });

  it('scales its gradient by the upstream one (a weighted head, as the pitch head at 0.05)', () => {
    const logits = tf.variable(tf.randomNormal([12, 130], 0, 2, 'float32', 4), true, 'weighted') as tf.Variable<tf.Rank.R2>;
    const targets = Int32Array.from({ length: 12 }, (_, r) => r * 10);
    const gradOf = (weight: number) => Object.values(tf.variableGrads(() => tf.mul(weight, sparseCrossEntropy(logits, targets)) as tf.Scalar, [logits]).grads)[0]!;
    const [one, weighted] = [gradOf(1), gradOf(0.05)];
    expect(tf.norm(one).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.max(tf.abs(tf.sub(tf.mul(one, 0.05), weighted))).dataSync()[0]).toBeLessThan(1e-8);
  });

  it('lets a NaN through (the trainer stops a diverging run on a NaN loss)', () => {
    const values = new Float32Array(2 * 9).fill(0.5);
    values[12] = NaN;
    expect(sparseCrossEntropy(tf.tensor2d(values, [2, 9]), Int32Array.from([0, 1])).dataSync()[0]).toBeNaN();
  });

  it('refuses targets that are not classes, and a target count that is not the row count', () => {
    const logits = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(() => sparseCrossEntropy(logits, Int32Array.from([0, 4, 1]))).toThrow(/target 4 \(row 1\) is not one of the 4 classes/);
    expect(() => sparseCrossEntropy(logits, Int32Array.from([0, -2, 1]))).toThrow(/target -2/);
    expect(() => sparseCrossEntropy(logits, Int32Array.from([0, 1]))).toThrow(/2 targets for 3 rows/);
  });
});
