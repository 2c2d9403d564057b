import { architecture } from '../architecture';
import { Rbm } from './model';
import { rbmSpec, type RbmSpec } from './spec';

export const rbm = architecture<RbmSpec>({
  name: 'rbm',
  title: 'Restricted Boltzmann machine',
  summary: 'Learns whole piano-roll windows at once and dreams up new ones by Gibbs sampling (seed 001): quick, loose, textural.',
  representation: 'binary',
  spec: rbmSpec,
  fields: {
    hidden: { label: 'Hidden units', help: 'how many features of a window the machine can learn' },
    cdK: { label: 'Gibbs steps', unit: 'per update', help: 'rounds of contrastive divergence each update takes (seed 001: 1)' },
  },
  presets: [
    {
      name: 'seed001',
      title: 'Boltzmann machine over a piano roll',
      lead: 'A small, quick model of which keys are down together: for textures, not long melodies.',
      description: 'A restricted Boltzmann machine with 64 hidden units over windows of the note-state matrix, trained with CD-1 at learning rate 0.005; the loss shown is the reconstruction error.',
      encoding: 'piano-roll',
      spec: { arch: 'rbm', hidden: 64, cdK: 1 },
      hyperparams: { optimizer: 'sgd', learningRate: 0.005, sequenceLength: 16, batchSize: 100, epochs: 200 },
    },
  ],
  defaultPreset: 'seed001',
  // A window is one sample of the machine's distribution; it has no per-position targets.
  predictsEveryPosition: false,
  create(spec, ctx) {
    if (!ctx.visible) throw new Error('the RBM needs its number of visible units');
    return new Rbm(spec, ctx.visible, ctx.seed);
  },
  parameters: (spec, _vocabSize, visible) => visible * spec.hidden + visible + spec.hidden,
  manifest: (spec, _vocabSize, visible) => [
    { name: 'weights', shape: [visible, spec.hidden] },
    { name: 'visible_bias', shape: [visible] },
    { name: 'hidden_bias', shape: [spec.hidden] },
  ],
  activationsPerStep: (spec) => spec.hidden * 4,
});
