import { FIELD_WORDS, architecture, linearManifest } from '../architecture';
import type { ManifestEntry } from '../param-set';
import { Transformer } from './model';
import { transformerSpec, type TransformerSpec } from './spec';

export const transformer = architecture<TransformerSpec>({
  name: 'transformer',
  title: 'Transformer',
  summary: 'Attends to everything in its window at once: strong on long-range structure, wants more music and time than an LSTM.',
  representation: 'tokens',
  spec: transformerSpec,
  fields: {
    embedding: { label: 'Width', unit: 'numbers per token, a multiple of the heads', help: 'the size of every layer' },
    heads: { label: 'Attention heads', help: 'how many things each layer can look for at once' },
    layers: { label: 'Blocks', help: 'attention blocks stacked on each other' },
    feedForward: { label: 'Feed-forward width', unit: 'units', help: 'the layer inside each block' },
    dropout: FIELD_WORDS.dropout,
    positions: { label: 'Positions', help: 'relative: distances (can continue past its window); learned: a table of positions up to the context' },
    context: { label: 'Longest context', unit: 'tokens', help: 'learned positions only: the longest window the model can read' },
  },
  presets: [
    {
      name: 'transformer-small',
      title: 'Small Transformer',
      lead: 'Attends to the whole passage at once: strong on repeating figures, needs more music than an LSTM.',
      description: 'A decoder-only Transformer: 3 blocks of width 128 with 4 attention heads, relative positions (so it can continue past its window) and dropout 0.1, Adam 0.0005, windows of 64 tokens starting every 4.',
      encoding: 'events',
      spec: { arch: 'transformer', embedding: 128, heads: 4, layers: 3, feedForward: 512, dropout: 0.1, positions: 'relative', context: 512 },
      hyperparams: { optimizer: 'adam', learningRate: 0.0005, sequenceLength: 64, stride: 4, batchSize: 32, epochs: 30, clipNorm: 1 },
    },
  ],
  defaultPreset: 'transformer-small',
  predictsEveryPosition: true,
  sizes: (spec) => [256, 192, 128, 96, 64].map((embedding) => ({ ...spec, embedding, feedForward: embedding * 4, heads: embedding % spec.heads === 0 ? spec.heads : 4 })),
  create: (spec, ctx) => new Transformer(spec, ctx.vocabSize, ctx.seed),
  parameters(spec, vocabSize) {
    const d = spec.embedding;
    const block = 4 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * spec.feedForward + spec.feedForward) + (spec.feedForward * d + d);
    return vocabSize * d + (spec.positions === 'learned' ? spec.context * d : 0) + spec.layers * block + 2 * d + d * vocabSize + vocabSize;
  },
  manifest(spec, vocabSize) {
    const d = spec.embedding;
    const norm = (name: string): ManifestEntry[] => [
      { name: `${name}/gain`, shape: [d] },
      { name: `${name}/bias`, shape: [d] },
    ];
    const blocks = Array.from({ length: spec.layers }, (_, l) => [
      ...norm(`block${l}/norm1`),
      ...linearManifest(`block${l}/qkv`, d, 3 * d),
      ...linearManifest(`block${l}/proj`, d, d),
      ...norm(`block${l}/norm2`),
      ...linearManifest(`block${l}/up`, d, spec.feedForward),
      ...linearManifest(`block${l}/down`, spec.feedForward, d),
    ]).flat();
    return [
      { name: 'embedding', shape: [vocabSize, d] },
      ...(spec.positions === 'learned' ? [{ name: 'positions', shape: [spec.context, d] }] : []),
      ...blocks,
      ...norm('final_norm'),
      ...linearManifest('output', d, vocabSize),
    ];
  },
  // Per layer: the residual stream several times over, q/k/v, the feed-forward, and a row of attention weights per head.
  activationsPerStep: (spec, vocabSize) => spec.layers * (spec.embedding * 10 + spec.feedForward * 3) + vocabSize * 3,
  refuse: (spec, hp) =>
    spec.positions === 'learned' && hp.sequenceLength > spec.context
      ? `windows of ${hp.sequenceLength} tokens are longer than the Transformer's learned positions (context ${spec.context}): raise context or shorten the sequence length`
      : null,
});
