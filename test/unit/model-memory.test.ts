/**
 * Building a model, loading a checkpoint's weights into it and freeing it leaves nothing behind,
 * for every architecture: the tensors a generation or a score loads per job (the leak of issue 36
 * was a model's weights, and its initial values' intermediates, per load).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURES, createModel } from '../../src/engine/models/registry';
import { isTokenGenerator } from '../../src/engine/models/types';
import { selectBackend } from '../../src/engine/tf/backend';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('a model loaded and freed leaves no tensor behind', () => {
  for (const arch of ARCHITECTURES) {
    it(arch.name, async () => {
      const preset = arch.presets.reduce((a, b) => (arch.parameters(a.spec as never, 40, 16 * 158) <= arch.parameters(b.spec as never, 40, 16 * 158) ? a : b));
      const options = { visible: 16 * 158 };
      const saved = createModel(preset.spec, 40, 1, options);
      const bytes = await saved.params.save();
      const manifest = saved.params.manifest();
      saved.dispose();
      const before = tf.memory();
      for (let i = 0; i < 3; i++) {
        const model = createModel(preset.spec, 40, 2, options);
        model.params.load(manifest, bytes);
        if (isTokenGenerator(model)) {
          const stepper = model.stepper(2, 8);
          stepper.step(new Int32Array([2, 2]));
          stepper.dispose();
        }
        model.dispose();
      }
      expect({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes }).toEqual({ tensors: before.numTensors, bytes: before.numBytes });
    }, 60_000);
  }
});
