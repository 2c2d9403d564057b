import { FIELD_WORDS, architecture, linearManifest } from '../architecture';
import type { ManifestEntry } from '../param-set';
import { Bigru } from './model';
import { bigruSpec, type BigruSpec } from './spec';

export const bigru = architecture<BigruSpec>({
  name: 'bigru',
  title: 'Bidirectional GRU',
  summary: 'Reads a whole window both ways and predicts the frame after it (seed 002): slower to train, one prediction per window.',
  representation: 'tokens',
  spec: bigruSpec,
  fields: {
    embedding: FIELD_WORDS.embedding,
    units: { label: 'Memory cells', unit: 'per direction and layer', help: 'how much each direction can hold in mind' },
    layers: { label: 'Layers', help: 'bidirectional GRU layers stacked on each other' },
    dense: { label: 'Dense layer width', unit: 'units', help: 'the LeakyReLU layer before the output' },
    dropout: FIELD_WORDS.dropout,
  },
  presets: [
    {
      name: 'seed002',
      title: 'Bidirectional GRU',
      lead: 'Predicts what sounds next from what came before, frame by frame: for music with free timing; slow to train.',
      description: 'Embedding 100 → bidirectional GRU 128 ×3 → dense 256 with LeakyReLU, predicting the frame after a window of 50 (as the pretty_midi BiGRU did). Each window teaches one frame, so an epoch reads every frame 50 times: hours on a large corpus (see the estimate); the LSTM learns the same frames far sooner.',
      encoding: 'frames',
      spec: { arch: 'bigru', embedding: 100, units: 128, layers: 3, dense: 256, dropout: 0 },
      hyperparams: { optimizer: 'adam', learningRate: 0.001, sequenceLength: 50, batchSize: 64, epochs: 50 },
    },
  ],
  defaultPreset: 'seed002',
  predictsEveryPosition: false,
  sizes: (spec) => [256, 192, 128, 96, 64].map((units) => ({ ...spec, units })),
  create: (spec, ctx) => new Bigru(spec, ctx.vocabSize, ctx.seed),
  parameters(spec, vocabSize) {
    let n = vocabSize * spec.embedding;
    let input = spec.embedding;
    for (let l = 0; l < spec.layers; l++) {
      n += 2 * (input * 3 * spec.units + 3 * spec.units + spec.units * 3 * spec.units + 3 * spec.units);
      input = 2 * spec.units;
    }
    return n + 2 * spec.units * spec.dense + spec.dense + spec.dense * vocabSize + vocabSize;
  },
  manifest(spec, vocabSize) {
    const u = spec.units;
    const entries: ManifestEntry[] = [{ name: 'embedding', shape: [vocabSize, spec.embedding] }];
    let input = spec.embedding;
    for (let l = 0; l < spec.layers; l++) {
      for (const direction of ['forward', 'backward']) {
        const at = `gru${l}/${direction}`;
        entries.push({ name: `${at}/kernel`, shape: [input, 3 * u] }, { name: `${at}/bias`, shape: [3 * u] }, { name: `${at}/recurrent`, shape: [u, 3 * u] }, { name: `${at}/recurrent_bias`, shape: [3 * u] });
      }
      input = 2 * u;
    }
    return [...entries, ...linearManifest('dense', 2 * u, spec.dense), ...linearManifest('output', spec.dense, vocabSize)];
  },
  activationsPerStep: (spec) => spec.layers * spec.units * 2 * 7 + spec.embedding,
});
