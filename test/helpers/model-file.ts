/**
 * A small, sound model file made here (a real model's real initial weights, its manifest as its
 * parameter set lists it), for tests that damage one part of it at a time.
 */
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { encodingOf } from '../../src/engine/encode/registry';
import { MODEL_FILE_FORMAT, MODEL_FILE_VERSION, type ModelFileDocument } from '../../src/engine/model-files/model-file';
import { createModel } from '../../src/engine/models/registry';
import { selectBackend } from '../../src/engine/tf/backend';
import { hyperparams, modelSpec } from '../../src/shared/training';

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export const TINY_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>', 'Bar', 'Meter_4/4', 'Pos_0', 'Pos_4', 'Pitch_60', 'Pitch_62', 'Pitch_64', 'Vel_64', 'Dur_4'];

export interface TinyModel {
  doc: ModelFileDocument;
  weights: Uint8Array;
}

export async function tinyModel(name = 'Tiny'): Promise<TinyModel> {
  await selectBackend('cpu');
  const spec = modelSpec.parse({ arch: 'lstm', embedding: 4, units: 6, layers: 1, dropout: 0, dense: 0 });
  const model = createModel(spec, TINY_TOKENS.length, 1);
  const weights = await model.params.save();
  const manifest = model.params.manifest();
  const parameters = model.params.count();
  model.dispose();
  const hp = hyperparams.parse({ sequenceLength: 16, epochs: 1 });
  const encoding = encodingOf('events').info;
  const createdAt = '2026-01-01T00:00:00.000Z';
  const vocabulary = { encoding: 'events', encodingVersion: encoding.version, params: {}, size: TINY_TOKENS.length, coverage: 1 };
  const doc: ModelFileDocument = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_VERSION,
    exportedAt: createdAt,
    exportedBy: 'a test',
    card: {
      name,
      architecture: 'lstm',
      spec,
      parameters,
      origin: { kind: 'trained' },
      corpus: { name: 'Made here', hash: null, pieces: 1, steps: 100 },
      vocabulary,
      runs: [{ hyperparams: hp, status: 'completed', epochs: 1, steps: 1, bestValLoss: 2, seconds: 1, backend: 'wasm', machine: null, startedFrom: null, createdAt, endedAt: createdAt, curve: [{ epoch: 1, loss: 2, valLoss: 2 }], imported: false }],
      auditions: [],
      trainingSeconds: 1,
      epochs: 1,
      bestValLoss: 2,
      createdAt,
    },
    vocabulary: {
      ...vocabulary,
      representation: 'tokens',
      width: 1,
      minCount: 1,
      maxSize: 1000,
      steps: 100,
      corpusName: 'Made here',
      corpusHash: null,
      fingerprint: sha256(new TextEncoder().encode(JSON.stringify(TINY_TOKENS))),
      tokens: TINY_TOKENS,
      counts: TINY_TOKENS.map((_, i) => 100 - i),
    },
    checkpoint: {
      run: 0,
      kind: 'best',
      epoch: 1,
      step: 1,
      batch: 0,
      loss: 2,
      valLoss: 2,
      topology: spec,
      weights: manifest,
      weightsSha256: sha256(weights),
      optimizer: null,
      audition: null,
    },
  };
  return { doc, weights };
}

/** The model file of a document and its entries (weights.bin from `weights`, more entries as given). */
export function modelFileBytes(doc: unknown, weights: Uint8Array, more: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({ 'etude-model.json': new TextEncoder().encode(JSON.stringify(doc)), 'weights.bin': weights, ...more }, { level: 1 });
}
