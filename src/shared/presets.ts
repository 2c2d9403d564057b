import type { Hyperparams, ModelSpec } from './training';

export interface Preset {
  name: string;
  title: string;
  description: string;
  /** The encoding it was designed for. */
  encoding: string;
  spec: ModelSpec;
  hyperparams: Partial<Hyperparams>;
}

/** The seeds' settings as named presets, and small ones that train in minutes on a laptop. */
export const PRESETS: Preset[] = [
  {
    name: 'seed000',
    title: 'Seed 000: stacked LSTM',
    description: 'LSTM 512 ×3 with dropout 0.3 and a dense layer of 256, RMSprop, windows of 100 notes and chords (as the music21 LSTM trained).',
    encoding: 'notes-chords',
    spec: { arch: 'lstm', embedding: 64, units: 512, layers: 3, dropout: 0.3, dense: 256 },
    hyperparams: { optimizer: 'rmsprop', learningRate: 0.001, sequenceLength: 100, batchSize: 128, epochs: 200 },
  },
  {
    name: 'lstm-small',
    title: 'Small LSTM',
    description: 'One LSTM layer of 256: learns a corpus of folk tunes in minutes.',
    encoding: 'events',
    spec: { arch: 'lstm', embedding: 64, units: 256, layers: 1, dropout: 0, dense: 256 },
    hyperparams: { optimizer: 'adam', learningRate: 0.001, sequenceLength: 50, batchSize: 64, epochs: 20 },
  },
  {
    name: 'seed002',
    title: 'Seed 002: bidirectional GRU',
    description: 'Embedding 100 → bidirectional GRU 128 ×3 → dense 256 with LeakyReLU, predicting the frame after a window of 50 (as the pretty_midi BiGRU did).',
    encoding: 'frames',
    spec: { arch: 'bigru', embedding: 100, units: 128, layers: 3, dense: 256, dropout: 0 },
    hyperparams: { optimizer: 'adam', learningRate: 0.001, sequenceLength: 50, batchSize: 64, epochs: 50 },
  },
  {
    name: 'seed001',
    title: 'Seed 001: RBM',
    description: 'A restricted Boltzmann machine with 64 hidden units over windows of the note-state matrix, trained with CD-1 at learning rate 0.005; the loss shown is the reconstruction error.',
    encoding: 'piano-roll',
    spec: { arch: 'rbm', hidden: 64, cdK: 1 },
    hyperparams: { optimizer: 'sgd', learningRate: 0.005, sequenceLength: 16, batchSize: 100, epochs: 200 },
  },
  {
    name: 'seed004',
    title: 'Seed 004: pitch, step, duration',
    description: 'LSTM 128 over notes as pitch, step and duration; a pitch head and two timing heads (MSE with positive pressure), loss weights 0.05/1/1, Adam 0.005, windows of 25 notes (the TensorFlow tutorial).',
    encoding: 'pitch-step-duration',
    spec: { arch: 'psd-lstm', units: 128, layers: 1 },
    hyperparams: { optimizer: 'adam', learningRate: 0.005, sequenceLength: 25, batchSize: 64, epochs: 50, lossWeights: { pitch: 0.05, step: 1, duration: 1 } },
  },
  {
    name: 'transformer-small',
    title: 'Small Transformer',
    description: 'A decoder-only Transformer: 3 blocks of width 128 with 4 attention heads, relative positions (so it can continue past its window) and dropout 0.1, Adam 0.0005, windows of 64 tokens starting every 4.',
    encoding: 'events',
    spec: { arch: 'transformer', embedding: 128, heads: 4, layers: 3, feedForward: 512, dropout: 0.1, positions: 'relative', context: 512 },
    hyperparams: { optimizer: 'adam', learningRate: 0.0005, sequenceLength: 64, stride: 4, batchSize: 32, epochs: 30, clipNorm: 1 },
  },
];

export function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** The preset used when only an architecture is named. */
export const DEFAULT_PRESET_FOR: Record<ModelSpec['arch'], string> = { lstm: 'lstm-small', 'psd-lstm': 'seed004', bigru: 'seed002', rbm: 'seed001', transformer: 'transformer-small' };

/** Which representation each architecture learns. */
export const ARCH_REPRESENTATION: Record<ModelSpec['arch'], 'tokens' | 'features' | 'binary'> = {
  lstm: 'tokens',
  'psd-lstm': 'features',
  bigru: 'tokens',
  rbm: 'binary',
  transformer: 'tokens',
};
