import { FIELD_WORDS, architecture, linearManifest, lstmParameters, lstmStackManifest } from '../architecture';
import { TokenLstm } from './model';
import { lstmSpec, type LstmSpec } from './spec';

export const lstm = architecture<LstmSpec>({
  name: 'lstm',
  title: 'LSTM',
  summary: 'A recurrent network that reads tokens one after another: a good first choice for melodies and chorales.',
  representation: 'tokens',
  spec: lstmSpec,
  fields: {
    input: { label: 'Token input', help: 'embedding learns a vector per token; scaled feeds id ÷ vocabulary size, as seed 000’s Keras model did' },
    embedding: FIELD_WORDS.embedding,
    units: FIELD_WORDS.units,
    layers: { label: 'Layers', help: 'LSTM layers stacked on each other' },
    dropout: FIELD_WORDS.dropout,
    dense: { label: 'Dense layer width', unit: 'units, 0 = none', help: 'a layer between the LSTM and the output' },
  },
  presets: [
    {
      name: 'seed000',
      title: 'Large stacked LSTM',
      lead: 'A large model that learns long phrases of notes and chords: hours on this machine.',
      description: 'LSTM 512 ×3 with dropout 0.3 and a dense layer of 256, RMSprop, windows of 100 notes and chords (as the music21 LSTM trained). The tutorial started a window at every note; here each note is learned once an epoch, the same lesson about 100 times sooner (stride 1 under Advanced trains as it did). Slow on this machine: see the estimate before you start.',
      encoding: 'notes-chords',
      spec: { arch: 'lstm', embedding: 64, units: 512, layers: 3, dropout: 0.3, dense: 256 },
      hyperparams: { optimizer: 'rmsprop', learningRate: 0.001, sequenceLength: 100, batchSize: 128, epochs: 200 },
    },
    {
      name: 'lstm-small',
      title: 'LSTM',
      lead: 'One layer that learns a corpus of tunes or chorales in minutes here: the place to start.',
      description: 'One LSTM layer of 256 with dropout 0.3: learns a corpus of tunes or chorales in minutes here. With a time budget, its size and epochs are fitted to the budget.',
      encoding: 'events',
      spec: { arch: 'lstm', embedding: 64, units: 256, layers: 1, dropout: 0.3, dense: 256 },
      hyperparams: { optimizer: 'adam', learningRate: 0.002, sequenceLength: 128, batchSize: 32, epochs: 30 },
    },
  ],
  defaultPreset: 'lstm-small',
  predictsEveryPosition: true,
  sizes: (spec) => [512, 384, 256, 192, 128].map((units) => ({ ...spec, units, dense: spec.dense > 0 ? Math.min(units, 256) : 0 })),
  create: (spec, ctx) => new TokenLstm(spec, ctx.vocabSize, ctx.seed),
  parameters(spec, vocabSize) {
    const head = spec.dense > 0 ? spec.dense : spec.units;
    const dense = spec.dense > 0 ? spec.units * spec.dense + spec.dense : 0;
    const input = spec.input === 'scaled' ? 1 : spec.embedding;
    const embedding = spec.input === 'scaled' ? 0 : vocabSize * spec.embedding;
    return embedding + lstmParameters(input, spec.units, spec.layers) + dense + head * vocabSize + vocabSize;
  },
  manifest(spec, vocabSize) {
    const scaled = spec.input === 'scaled';
    return [
      ...(scaled ? [] : [{ name: 'embedding', shape: [vocabSize, spec.embedding] }]),
      ...lstmStackManifest(scaled ? 1 : spec.embedding, spec.units, spec.layers),
      ...(spec.dense > 0 ? linearManifest('dense', spec.units, spec.dense) : []),
      ...linearManifest('output', spec.dense > 0 ? spec.dense : spec.units, vocabSize),
    ];
  },
  activationsPerStep: (spec, vocabSize) => spec.layers * spec.units * 8 + spec.embedding + spec.dense + vocabSize * 3,
});
