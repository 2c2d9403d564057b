import { FIELD_WORDS, architecture, linearManifest, lstmParameters, lstmStackManifest } from '../architecture';
import { PsdLstm } from './model';
import { psdLstmSpec, type PsdLstmSpec } from './spec';

export const psdLstm = architecture<PsdLstmSpec>({
  name: 'psd-lstm',
  title: 'Pitch, step and duration LSTM',
  summary: 'Reads each note as its pitch and its timing in seconds, so it keeps expressive rhythm (seed 004, the TensorFlow tutorial).',
  representation: 'features',
  spec: psdLstmSpec,
  fields: {
    units: FIELD_WORDS.units,
    layers: { label: 'Layers', help: 'LSTM layers stacked on each other' },
  },
  presets: [
    {
      name: 'seed004',
      title: 'Pitch, timing and length',
      lead: 'Learns pitch, timing and note lengths separately and exactly: for expressive playing.',
      description: 'LSTM 128 over notes as pitch, step and duration; a pitch head and two timing heads (MSE with positive pressure), loss weights 0.05/1/1, Adam 0.005, windows of 25 notes (the TensorFlow tutorial).',
      encoding: 'pitch-step-duration',
      spec: { arch: 'psd-lstm', units: 128, layers: 1 },
      hyperparams: { optimizer: 'adam', learningRate: 0.005, sequenceLength: 25, batchSize: 64, epochs: 50, lossWeights: { pitch: 0.05, step: 1, duration: 1 } },
    },
  ],
  defaultPreset: 'seed004',
  predictsEveryPosition: true,
  sizes: (spec) => [512, 256, 128, 64].map((units) => ({ ...spec, units })),
  create: (spec, ctx) => new PsdLstm(spec, ctx.seed, ctx.lossWeights),
  parameters: (spec) => lstmParameters(3, spec.units, spec.layers) + spec.units * 130 + 130,
  manifest: (spec) => [
    ...lstmStackManifest(3, spec.units, spec.layers),
    ...linearManifest('pitch', spec.units, 128),
    ...linearManifest('step', spec.units, 1),
    ...linearManifest('duration', spec.units, 1),
  ],
  activationsPerStep: (spec) => spec.layers * spec.units * 8 + 3 + 130 * 3,
});
