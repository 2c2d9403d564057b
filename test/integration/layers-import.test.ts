import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import { loadCheckpointModel } from '../../src/engine/jobs/generate/load';
import type { TokenLstm } from '../../src/engine/models/lstm/model';
import type { Bigru } from '../../src/engine/models/bigru/model';
import { selectBackend } from '../../src/engine/tf/backend';
import type { MethodName } from '../../src/shared/api';
import type { GenerationInfo } from '../../src/shared/generation';
import type { ModelInfo } from '../../src/shared/training';

let engine: Engine;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-layers-'));

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

/** Saves a tf.layers model the way tensorflowjs_converter lays one out: model.json and one weights file beside it. */
async function saveLayersModel(model: tfl.LayersModel, folder: string): Promise<string> {
  fs.mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData as ArrayBuffer;
      fs.writeFileSync(path.join(folder, 'group1-shard1of1.bin'), Buffer.from(data));
      const json = { format: 'layers-model', generatedBy: 'test', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }] };
      fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return path.join(folder, 'model.json');
}

// Seed 000's notes and chords: pitch names and normal-order pitch classes.
const SEED_TOKENS = ['C4', 'D4', 'E4', 'F4', 'G4', 'A4', 'B4', 'C5', '0.4.7', '2.5.9', '4.7.11', '5.9', 'G3', 'E5'];
const relativeError = (a: Float32Array, b: Float32Array) => {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => {
    num += (v - b[i]!) ** 2;
    den += b[i]! ** 2;
  });
  return Math.sqrt(num / den);
};

beforeAll(async () => {
  await selectBackend('wasm');
  engine = Engine.open({ dbPath: path.join(dir, 'layers.db') });
  fs.writeFileSync(path.join(dir, 'notes.json'), JSON.stringify(SEED_TOKENS));
}, 60_000);

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('importing a TF.js Layers model with its vocabulary', () => {
  it("imports seed 000's own Keras shape (notes in as id ÷ vocabulary, LSTM ×3, dense, softmax): the studio predicts what tf.layers predicts", async () => {
    const V = SEED_TOKENS.length;
    const T = 8;
    const keras = tfl.sequential();
    keras.add(tfl.layers.lstm({ units: 12, inputShape: [T, 1], returnSequences: true, recurrentActivation: 'sigmoid' }));
    keras.add(tfl.layers.dropout({ rate: 0.3 }));
    keras.add(tfl.layers.lstm({ units: 12, returnSequences: true, recurrentActivation: 'sigmoid' }));
    keras.add(tfl.layers.lstm({ units: 12, recurrentActivation: 'sigmoid' }));
    keras.add(tfl.layers.dense({ units: 10 }));
    keras.add(tfl.layers.activation({ activation: 'relu' }));
    keras.add(tfl.layers.dropout({ rate: 0.3 }));
    keras.add(tfl.layers.dense({ units: V }));
    keras.add(tfl.layers.activation({ activation: 'softmax' }));
    // Weights far from their initialisation, so a misplaced gate or transpose shows.
    keras.setWeights(keras.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 100 + i)));
    const file = await saveLayersModel(keras, path.join(dir, 'seed000'));

    const model = await call<ModelInfo>('models.importLayersFiles', { modelJson: file, vocabulary: path.join(dir, 'notes.json'), name: 'seed 000 from Keras' });
    expect(model.spec).toMatchObject({ arch: 'lstm', input: 'scaled', units: 12, layers: 3, dense: 10, dropout: 0.3 });
    expect(model.origin).toMatchObject({ kind: 'layers', file: 'model.json', layers: ['LSTM', 'Dropout', 'LSTM', 'LSTM', 'Dense', 'Activation', 'Dropout', 'Dense', 'Activation'] });
    const vocab = engine.store.vocabularies.get(model.vocabularyId);
    expect(vocab).toMatchObject({ encoding: 'notes-chords', params: expect.objectContaining({ variant: 'seed' }), size: V });

    const ids = Int32Array.from({ length: 3 * T }, (_, i) => (i * 5 + 3) % V);
    const expected = tf.tidy(() => keras.predict(tf.div(tf.tensor3d(Float32Array.from(ids), [3, T, 1]), V)) as tf.Tensor).dataSync() as Float32Array;
    const { model: ours } = loadCheckpointModel(engine.store, engine.store.runs.generationCheckpoint(model.id));
    const actual = tf.tidy(() => {
      const logits = (ours as TokenLstm).logits(ids, 3, T, false, 0);
      // The Keras model answers for the window's last step: our row T−1 of each sequence.
      const last = tf.gather(logits, [T - 1, 2 * T - 1, 3 * T - 1]);
      return tf.softmax(last);
    }).dataSync() as Float32Array;
    ours.dispose();
    expect(relativeError(actual, expected)).toBeLessThan(1e-4);

    // And it generates, decoding its tokens with seed 000's encoding.
    const g = await call<GenerationInfo>('generations.generate', { modelId: model.id, primer: { kind: 'none' }, length: { unit: 'tokens', value: 20 }, variations: 1, seed: 4 });
    expect(g.takes[0]!.tokens).toBe(20);
    expect(g.takes[0]!.notes.length).toBeGreaterThan(0);
  }, 120_000);

  it('imports an Embedding → LSTM → Dense(relu) → softmax model the same way', async () => {
    const V = SEED_TOKENS.length;
    const T = 6;
    const keras = tfl.sequential();
    keras.add(tfl.layers.embedding({ inputDim: V, outputDim: 5, inputLength: T }));
    keras.add(tfl.layers.lstm({ units: 9, returnSequences: true, recurrentActivation: 'sigmoid' }));
    keras.add(tfl.layers.dense({ units: 7, activation: 'relu' }));
    keras.add(tfl.layers.dense({ units: V, activation: 'softmax' }));
    keras.setWeights(keras.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.6, 'float32', 200 + i)));
    const file = await saveLayersModel(keras, path.join(dir, 'embedded'));
    const model = await call<ModelInfo>('models.importLayersFiles', { modelJson: file, vocabulary: path.join(dir, 'notes.json') });
    expect(model.name).toBe('embedded');
    expect(model.spec).toMatchObject({ arch: 'lstm', embedding: 5, units: 9, layers: 1, dense: 7 });
    const ids = Int32Array.from({ length: 2 * T }, (_, i) => (i * 3 + 1) % V);
    const expected = tf.tidy(() => keras.predict(tf.tensor2d(Float32Array.from(ids), [2, T])) as tf.Tensor).dataSync() as Float32Array;
    const { model: ours } = loadCheckpointModel(engine.store, engine.store.runs.generationCheckpoint(model.id));
    const actual = tf.tidy(() => tf.softmax((ours as TokenLstm).logits(ids, 2, T, false, 0))).dataSync() as Float32Array;
    ours.dispose();
    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
  }, 60_000);

  it("imports seed 002's shape (Embedding → Bidirectional GRU, Keras's reset_after default → Dense + LeakyReLU → softmax), checked against Keras's GRU written out in plain ops", async () => {
    // tf.layers cannot build a reset_after GRU (Keras 2's default), so model.json is written as the converter writes a Keras model.
    const [V, E, U, D, T] = [SEED_TOKENS.length, 3, 4, 5, 6];
    const frames = ['e', '60', '62', '64', '65', '67', '69', '71', '72', '60,64', '62,65', '64,67', '65,69', '67,71'];
    fs.writeFileSync(path.join(dir, 'frames.txt'), frames.join('\n'));
    const gru = (name: string) => ({ class_name: 'GRU', config: { name, units: U, activation: 'tanh', recurrent_activation: 'sigmoid', reset_after: true, return_sequences: false } });
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'seed002',
        layers: [
          { class_name: 'Embedding', config: { name: 'embedding', input_dim: V, output_dim: E, batch_input_shape: [null, T] } },
          { class_name: 'Bidirectional', config: { name: 'bidirectional', layer: gru('gru'), merge_mode: 'concat' } },
          { class_name: 'Dense', config: { name: 'dense', units: D, activation: 'linear' } },
          { class_name: 'LeakyReLU', config: { name: 'leaky_re_lu', alpha: 0.3 } },
          { class_name: 'Dense', config: { name: 'dense_1', units: V, activation: 'softmax' } },
        ],
      },
    };
    const shapes: [string, number[]][] = [
      ['embedding/embeddings', [V, E]],
      ['bidirectional/forward_gru/kernel', [E, 3 * U]],
      ['bidirectional/forward_gru/recurrent_kernel', [U, 3 * U]],
      ['bidirectional/forward_gru/bias', [2, 3 * U]],
      ['bidirectional/backward_gru/kernel', [E, 3 * U]],
      ['bidirectional/backward_gru/recurrent_kernel', [U, 3 * U]],
      ['bidirectional/backward_gru/bias', [2, 3 * U]],
      ['dense/kernel', [2 * U, D]],
      ['dense/bias', [D]],
      ['dense_1/kernel', [D, V]],
      ['dense_1/bias', [V]],
    ];
    const w = shapes.map(([, shape], i) => tf.randomNormal(shape, 0, 0.7, 'float32', 300 + i));
    const folder = path.join(dir, 'seed002');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'weights.bin'), Buffer.concat(w.map((t) => Buffer.from((t.dataSync() as Float32Array).buffer))));
    fs.writeFileSync(
      path.join(folder, 'model.json'),
      JSON.stringify({ format: 'layers-model', modelTopology: { keras_version: '2.11.0', backend: 'tensorflow', model_config: topology }, weightsManifest: [{ paths: ['weights.bin'], weights: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })) }] }),
    );
    const model = await call<ModelInfo>('models.importLayersFiles', { modelJson: path.join(folder, 'model.json'), vocabulary: path.join(dir, 'frames.txt'), name: 'seed 002 from Keras' });
    expect(model.spec).toMatchObject({ arch: 'bigru', embedding: E, units: U, layers: 1, dense: D });
    expect(engine.store.vocabularies.get(model.vocabularyId).encoding).toBe('frames');

    // Keras's GRU (reset_after): z, r, h gates; the recurrent bias inside the reset product.
    const keras = (seq: tf.Tensor2D[], kernel: tf.Tensor, recurrent: tf.Tensor, bias: tf.Tensor): tf.Tensor2D => {
      const [bx, bh] = tf.unstack(bias, 0);
      let h: tf.Tensor2D = tf.zeros([seq[0]!.shape[0], U]);
      for (const x of seq) {
        const [xz, xr, xh] = tf.split(tf.add(tf.matMul(x, kernel as tf.Tensor2D), bx!), 3, 1);
        const [hz, hr, hh] = tf.split(tf.add(tf.matMul(h, recurrent as tf.Tensor2D), bh!), 3, 1);
        const z = tf.sigmoid(tf.add(xz!, hz!));
        const r = tf.sigmoid(tf.add(xr!, hr!));
        const n = tf.tanh(tf.add(xh!, tf.mul(r, hh!)));
        h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n)) as tf.Tensor2D;
      }
      return h;
    };
    const ids = Int32Array.from({ length: 2 * T }, (_, i) => (i * 5 + 2) % V);
    const expected = tf.tidy(() => {
      const embedded = tf.reshape(tf.gather(w[0]!, tf.tensor1d(ids, 'int32')), [2, T, E]);
      const steps = tf.unstack(embedded, 1) as tf.Tensor2D[];
      const forward = keras(steps, w[1]!, w[2]!, w[3]!);
      const backward = keras([...steps].reverse(), w[4]!, w[5]!, w[6]!);
      const hidden = tf.leakyRelu(tf.add(tf.matMul(tf.concat([forward, backward], 1), w[7]! as tf.Tensor2D), w[8]!), 0.3);
      return tf.softmax(tf.add(tf.matMul(hidden, w[9]! as tf.Tensor2D), w[10]!));
    }).dataSync() as Float32Array;
    const { model: ours } = loadCheckpointModel(engine.store, engine.store.runs.generationCheckpoint(model.id));
    const actual = tf.tidy(() => tf.softmax((ours as Bigru).logits(ids, 2, T, false, 0))).dataSync() as Float32Array;
    ours.dispose();
    expect(relativeError(actual, expected)).toBeLessThan(1e-4);
  }, 60_000);

  it('refuses, naming the reason, what it cannot run exactly — and stores nothing', async () => {
    const before = engine.store.models.list().length;
    // tf.layers' own LSTM default (hard sigmoid gates) is not the studio's (and not Keras 2's).
    const hard = tfl.sequential();
    hard.add(tfl.layers.embedding({ inputDim: SEED_TOKENS.length, outputDim: 4, inputLength: 5 }));
    hard.add(tfl.layers.lstm({ units: 4 }));
    hard.add(tfl.layers.dense({ units: SEED_TOKENS.length, activation: 'softmax' }));
    const hardFile = await saveLayersModel(hard, path.join(dir, 'hard'));
    const a = await engine.call('models.importLayersFiles', { modelJson: hardFile, vocabulary: path.join(dir, 'notes.json') });
    expect(a).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/^model\.json cannot be imported: layer .* uses recurrent_activation "hard_sigmoid"/) } });

    const norm = tfl.sequential();
    norm.add(tfl.layers.embedding({ inputDim: SEED_TOKENS.length, outputDim: 4, inputLength: 5 }));
    norm.add(tfl.layers.lstm({ units: 4, recurrentActivation: 'sigmoid' }));
    norm.add(tfl.layers.batchNormalization());
    norm.add(tfl.layers.dense({ units: SEED_TOKENS.length, activation: 'softmax' }));
    const normFile = await saveLayersModel(norm, path.join(dir, 'norm'));
    const b = await engine.call('models.importLayersFiles', { modelJson: normFile, vocabulary: path.join(dir, 'notes.json') });
    expect(b).toMatchObject({ ok: false, error: { message: expect.stringMatching(/is a BatchNormalization, which the studio cannot run/) } });

    // A vocabulary of another size than the model's output.
    fs.writeFileSync(path.join(dir, 'short.txt'), SEED_TOKENS.slice(0, 5).join('\n'));
    const c = await engine.call('models.importLayersFiles', { modelJson: path.join(dir, 'embedded', 'model.json'), vocabulary: path.join(dir, 'short.txt'), name: 'x' });
    expect(c).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^short\.txt cannot be imported: it lists 5 tokens and the model predicts 14/) } });

    // A missing weights file.
    fs.rmSync(path.join(dir, 'norm', 'group1-shard1of1.bin'));
    const d = await engine.call('models.importLayersFiles', { modelJson: normFile, vocabulary: path.join(dir, 'notes.json') });
    expect(d).toMatchObject({ ok: false, error: { message: expect.stringMatching(/group1-shard1of1\.bin cannot be read/) } });
    expect(engine.store.models.list().length).toBe(before);
  }, 60_000);
});
