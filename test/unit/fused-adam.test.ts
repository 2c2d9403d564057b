import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/engine/tf/backend';
import { fusedKernelsApply } from '../../src/engine/tf/kernels/wasm-module';
import { FusedAdam } from '../../src/engine/jobs/train/fused-adam';

/** Applies gradients by name, as the trainer does (through the base Optimizer's signature). */
const apply = (optimizer: tf.Optimizer, gradients: Record<string, tf.Tensor>) => optimizer.applyGradients(gradients);

/** Variables of awkward sizes (not multiples of four among them), with gradients drawn per step. */
function setup(prefix: string) {
  const shapes = [[3], [5, 7], [4, 4], [1], [33, 9]];
  const variables = shapes.map((shape, i) => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 80 + i), true, `${prefix}${i}`));
  const gradients = (step: number) => Object.fromEntries(variables.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 0.1 * (i + 1), 'float32', 1000 * step + i)]));
  return { variables, gradients };
}

describe('Adam as one WebAssembly kernel per variable', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it("takes exactly TF.js's Adam steps (every number equal, five steps)", () => {
    expect(fusedKernelsApply()).toBe(true);
    const ours = setup('ours');
    const theirs = setup('theirs');
    const [fused, stock] = [new FusedAdam(0.01, 0.9, 0.999), tf.train.adam(0.01, 0.9, 0.999)];
    for (let step = 1; step <= 5; step++) {
      const [g1, g2] = [ours.gradients(step), theirs.gradients(step)];
      apply(fused, Object.fromEntries(ours.variables.map((v) => [v.name, g1[v.name]!])));
      apply(stock, Object.fromEntries(theirs.variables.map((v, i) => [v.name, g2[theirs.variables[i]!.name]!])));
      tf.dispose([...Object.values(g1), ...Object.values(g2)]);
    }
    ours.variables.forEach((v, i) => expect(Array.from(v.dataSync()), v.name).toEqual(Array.from(theirs.variables[i]!.dataSync())));
    expect(fused.iterations).toBe(5);
  });

  it("keeps TF.js's optimizer state: saved from one, the other continues identically", async () => {
    const ours = setup('stateA');
    const theirs = setup('stateB');
    const fused = new FusedAdam(0.005, 0.9, 0.999);
    for (let step = 1; step <= 3; step++) {
      const g = ours.gradients(step);
      apply(fused, g);
      tf.dispose(Object.values(g));
    }
    ours.variables.forEach((v, i) => theirs.variables[i]!.assign(v));
    const stock = tf.train.adam(0.005, 0.9, 0.999);
    // Weight names follow the variables': rename ours to theirs so setWeights finds the slots.
    const weights = (await fused.getWeights()).map((w) => ({ ...w, name: w.name.replace('stateA', 'stateB') }));
    await stock.setWeights(weights);
    const g1 = ours.gradients(4);
    const g2 = Object.fromEntries(theirs.variables.map((v, i) => [v.name, g1[ours.variables[i]!.name]!]));
    apply(fused, g1);
    apply(stock, g2);
    ours.variables.forEach((v, i) => {
      const [a, b] = [v.dataSync(), theirs.variables[i]!.dataSync()];
      a.forEach((x, k) => expect(Math.abs(x - b[k]!)).toBeLessThan(1e-6));
    });
  });

  it('leaves a variable without a gradient alone, and leaks no tensors', () => {
    const { variables, gradients } = setup('partial');
    const fused = new FusedAdam(0.01, 0.9, 0.999);
    const g = gradients(1);
    const before = Array.from(variables[1]!.dataSync());
    g[variables[1]!.name]!.dispose();
    // A null gradient, as TF.js's Adam allows (its slots are by position, so the key stays).
    apply(fused, { ...g, [variables[1]!.name]: null as unknown as tf.Tensor });
    expect(Array.from(variables[1]!.dataSync())).toEqual(before);
    expect(Array.from(variables[0]!.dataSync())).not.toEqual(Array.from(tf.randomNormal([3], 0, 1, 'float32', 80).dataSync()));
    tf.dispose(Object.values(g).filter((t) => !t.isDisposed));
    const tensors = tf.memory().numTensors;
    const g2 = gradients(2);
    apply(fused, g2);
    tf.dispose(Object.values(g2));
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
