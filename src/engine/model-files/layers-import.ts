/**
 * Importing a TF.js Layers model (model.json and its weight files, as `tensorflowjs_converter`
 * writes from a Keras model such as the seeds') with a vocabulary file. The layer chain is read
 * into one of the studio's own architectures and the weights are laid out as that architecture
 * stores them, so an imported model generates with the studio's incremental samplers, its
 * constraints, and can be fine-tuned like any other. Chains the studio cannot run exactly are
 * refused, naming the layer and why.
 */
import { EtudeError } from '../../shared/errors';
import type { EncodingKind } from '../../shared/encoding';
import { hyperparams as hyperparamsSchema, type ModelSpec } from '../../shared/training';
import { encodingOf } from '../encode/registry';
import { parameterCount, parseSpec } from '../models/registry';
import type { ManifestEntry } from '../models/param-set';
import type { Store } from '../store/store';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown> & { name?: string; layer?: KerasLayer };
}

interface WeightGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype?: string; quantization?: unknown }[];
}

interface Tensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

function refuse(file: string, reason: string): never {
  throw new EtudeError('invalid_input', `${file} cannot be imported: ${reason}`);
}

/** The layer list of a Sequential (or linear functional) Keras model, from any of the topology shapes TF.js writes. */
function layersOf(topology: unknown, file: string): KerasLayer[] {
  let t = topology as Record<string, unknown> | undefined;
  if (t && 'model_config' in t) t = t['model_config'] as Record<string, unknown>;
  if (!t || typeof t !== 'object') refuse(file, 'it has no modelTopology (is it a TF.js Layers model.json?)');
  const config = t['config'];
  const layers = Array.isArray(config) ? config : (config as Record<string, unknown> | undefined)?.['layers'];
  if (!Array.isArray(layers)) refuse(file, 'its topology lists no layers');
  if (t['class_name'] !== 'Sequential') {
    const outputs = (config as Record<string, unknown>)['output_layers'];
    if (Array.isArray(outputs) && outputs.length > 1) refuse(file, `it has ${outputs.length} outputs; the studio imports models with one output (a next-token softmax)`);
  }
  return layers as KerasLayer[];
}

/** The bytes of a weight file the manifest names (by its path there), or undefined when it was not given. */
export type WeightFiles = (manifestPath: string) => Uint8Array | undefined;

/** Every weight tensor in manifest order, cut from the concatenated weight files. */
function readWeights(groups: WeightGroup[], files: WeightFiles, file: string): Tensor[] {
  const out: Tensor[] = [];
  for (const group of groups) {
    const parts = group.paths.map((p) => {
      const bytes = files(p);
      if (!bytes) refuse(file, `its weight file ${p} is missing: choose it together with model.json`);
      return bytes;
    });
    const total = parts.reduce((n, b) => n + b.byteLength, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const b of parts) {
      joined.set(b, at);
      at += b.byteLength;
    }
    let offset = 0;
    for (const w of group.weights) {
      if ((w.dtype ?? 'float32') !== 'float32' || w.quantization) refuse(file, `weight ${w.name} is ${w.quantization ? 'quantised' : w.dtype}; the studio imports float32 weights`);
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (offset + size * 4 > total) refuse(file, `its weight files hold ${total} bytes, fewer than the manifest lists`);
      out.push({ name: w.name, shape: w.shape, values: new Float32Array(joined.slice(offset, offset + size * 4).buffer) });
      offset += size * 4;
    }
    if (offset !== total) refuse(file, `its weight files hold ${total} bytes, the manifest ${offset}`);
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** Activations the studio's layers compute; anything else is refused rather than approximated. */
function expect(layer: KerasLayer, key: string, wanted: string, file: string): void {
  const value = str(layer.config[key]) ?? wanted;
  if (value !== wanted) refuse(file, `layer ${layer.config.name ?? layer.class_name} uses ${key} "${value}"; the studio's ${layer.class_name} uses "${wanted}"`);
}

export interface LayersModel {
  spec: ModelSpec;
  /** Weights in the studio's order and names. */
  manifest: ManifestEntry[];
  weights: Float32Array;
  vocabSize: number;
  /** The window the model was built for (its input length), where it says. */
  window: number | null;
  layers: string[];
}

interface Recurrent {
  kind: 'lstm' | 'bigru';
  units: number;
  tensors: Tensor[];
}

interface DenseLayer {
  units: number;
  kernel: Tensor;
  bias: Tensor | null;
  activation: string;
}

/** A Keras layer chain read layer by layer: what each layer adds, checked as it comes. */
class ChainReader {
  input: 'embedding' | 'scaled' | null = null;
  embedding: Tensor | null = null;
  window: number | null = null;
  inputWidth = 0;
  readonly recurrent: Recurrent[] = [];
  readonly dense: DenseLayer[] = [];
  dropout = 0;
  readonly names: string[] = [];
  private next = 0;

  constructor(
    private readonly tensors: Tensor[],
    private readonly file: string,
  ) {}

  /** The next weight of the manifest, for `what` of `layer`, checked against the shape expected. */
  private take(layer: KerasLayer, what: string, shape?: (number | null)[]): Tensor {
    const t = this.tensors[this.next++];
    if (!t) refuse(this.file, `its manifest has no weights left for ${what} of layer ${layer.config.name ?? layer.class_name}`);
    if (shape && (t.shape.length !== shape.length || shape.some((d, i) => d !== null && d !== t.shape[i]))) {
      refuse(this.file, `weight ${t.name} is [${t.shape}], expected [${shape.map((d) => d ?? '?')}] for ${what}`);
    }
    return t;
  }

  read(layer: KerasLayer): void {
    const c = layer.config;
    this.names.push(layer.class_name);
    const shape = (c['batch_input_shape'] ?? c['batch_shape']) as (number | null)[] | undefined;
    if (shape && this.window === null && typeof shape[1] === 'number') this.window = shape[1];
    switch (layer.class_name) {
      case 'InputLayer':
        return;
      case 'Embedding':
        return this.readEmbedding(layer);
      case 'LSTM':
        return this.readLstm(layer, shape);
      case 'Bidirectional':
        return this.readBidirectional(layer);
      case 'Dropout':
        this.dropout = Math.max(this.dropout, num(c['rate']) ?? 0);
        return;
      case 'Dense':
        return this.readDense(layer);
      case 'Activation':
      case 'LeakyReLU':
        return this.readActivation(layer);
      default:
        refuse(this.file, `its layer ${c.name ?? ''} is a ${layer.class_name}, which the studio cannot run (it imports Embedding, LSTM, Bidirectional GRU, Dropout, Dense, Activation and LeakyReLU chains)`);
    }
  }

  private readEmbedding(layer: KerasLayer): void {
    if (this.input) refuse(this.file, 'an Embedding layer after the first layer');
    this.embedding = this.take(layer, 'the embedding', [num(layer.config['input_dim']) ?? null, num(layer.config['output_dim']) ?? null]);
    this.input = 'embedding';
    this.inputWidth = this.embedding.shape[1]!;
  }

  private readLstm(layer: KerasLayer, shape: (number | null)[] | undefined): void {
    const file = this.file;
    expect(layer, 'activation', 'tanh', file);
    expect(layer, 'recurrent_activation', 'sigmoid', file);
    if (this.dense.length) refuse(file, 'a recurrent layer after a Dense layer');
    if (this.recurrent.some((r) => r.kind !== 'lstm')) refuse(file, 'LSTM and GRU layers mixed');
    if (!this.input) {
      // No embedding: seed 000's Keras model read each note as one number, id ÷ vocabulary size.
      if (shape && shape[2] !== 1) refuse(file, `its first LSTM reads ${shape[2]} numbers a step; without an Embedding the studio reads one (the token id ÷ vocabulary size)`);
      this.input = 'scaled';
      this.inputWidth = 1;
    }
    const units = num(layer.config['units'])!;
    const previous = this.recurrent.at(-1)?.units ?? this.inputWidth;
    const kernel = this.take(layer, 'the input kernel', [previous, 4 * units]);
    const rec = this.take(layer, 'the recurrent kernel', [units, 4 * units]);
    const bias = layer.config['use_bias'] === false ? { name: 'bias', shape: [4 * units], values: new Float32Array(4 * units) } : this.take(layer, 'the bias', [4 * units]);
    this.recurrent.push({ kind: 'lstm', units, tensors: [kernel, rec, bias] });
  }

  private readBidirectional(layer: KerasLayer): void {
    const file = this.file;
    const c = layer.config;
    const inner = c.layer;
    if (!inner || inner.class_name !== 'GRU') refuse(file, `a Bidirectional ${inner?.class_name ?? ''} layer: the studio's bidirectional layers are GRUs`);
    if ((str(c['merge_mode']) ?? 'concat') !== 'concat') refuse(file, `a Bidirectional layer merging by "${str(c['merge_mode'])}"; the studio concatenates`);
    expect(inner, 'activation', 'tanh', file);
    expect(inner, 'recurrent_activation', 'sigmoid', file);
    if (inner.config['reset_after'] === false) refuse(file, 'a GRU with reset_after false; the studio computes the GRU as Keras does by default (reset_after true)');
    if (!this.input) refuse(file, 'a bidirectional GRU without an Embedding before it');
    if (this.recurrent.some((r) => r.kind !== 'bigru')) refuse(file, 'LSTM and GRU layers mixed');
    const units = num(inner.config['units'])!;
    const previous = this.recurrent.length ? 2 * this.recurrent.at(-1)!.units : this.inputWidth;
    const direction = () => [this.take(layer, 'the input kernel', [previous, 3 * units]), this.take(layer, 'the recurrent kernel', [units, 3 * units]), this.take(layer, 'the biases', [2, 3 * units])];
    this.recurrent.push({ kind: 'bigru', units, tensors: [...direction(), ...direction()] });
  }

  private readDense(layer: KerasLayer): void {
    const c = layer.config;
    const units = num(c['units'])!;
    const last = this.recurrent.at(-1);
    const inputSize = this.dense.length ? this.dense.at(-1)!.units : last ? last.units * (last.kind === 'bigru' ? 2 : 1) : 0;
    if (!inputSize) refuse(this.file, 'a Dense layer before any recurrent layer');
    const kernel = this.take(layer, 'the kernel', [inputSize, units]);
    const bias = c['use_bias'] === false ? null : this.take(layer, 'the bias', [units]);
    this.dense.push({ units, kernel, bias, activation: str(c['activation']) ?? 'linear' });
  }

  private readActivation(layer: KerasLayer): void {
    const last = this.dense.at(-1);
    if (layer.class_name === 'Activation') {
      const activation = str(layer.config['activation']);
      if (!last || last.activation !== 'linear') refuse(this.file, `an Activation layer (${activation}) that does not follow a linear Dense layer`);
      last.activation = activation ?? 'linear';
      return;
    }
    const alpha = num(layer.config['alpha']) ?? num(layer.config['negative_slope']) ?? 0.3;
    if (!last || last.activation !== 'linear') refuse(this.file, 'a LeakyReLU that does not follow a linear Dense layer');
    if (Math.abs(alpha - 0.3) > 1e-9) refuse(this.file, `a LeakyReLU with slope ${alpha}; the studio's is Keras's default 0.3`);
    last.activation = 'leaky_relu';
  }

  /** After the last layer: every weight used, and the chain one of the studio's shapes. */
  finish(): { output: DenseLayer; hidden: DenseLayer | null; units: number } {
    const file = this.file;
    if (this.next !== this.tensors.length) refuse(file, `its manifest holds ${this.tensors.length - this.next} weights no layer uses`);
    if (this.recurrent.length === 0) refuse(file, 'it has no recurrent layer (the studio imports LSTM and bidirectional GRU models)');
    const output = this.dense.at(-1);
    if (!output) refuse(file, 'it has no output Dense layer');
    if (output.activation !== 'softmax' && output.activation !== 'linear') refuse(file, `its output layer's activation is ${output.activation}; a next-token model ends in softmax`);
    if (this.embedding && this.embedding.shape[0] !== output.units) refuse(file, `its embedding reads ${this.embedding.shape[0]} tokens and its output predicts ${output.units}`);
    if (this.dense.length > 2) refuse(file, `it has ${this.dense.length} Dense layers; the studio's models have a hidden one and an output`);
    const units = this.recurrent[0]!.units;
    if (this.recurrent.some((r) => r.units !== units)) refuse(file, 'its recurrent layers differ in width; the studio stacks layers of one width');
    return { output, hidden: this.dense.length === 2 ? this.dense[0]! : null, units };
  }
}

/** The studio's weights, in its order, from a chain read: the spec they fit and the numbers. */
function studioWeights(chain: ChainReader, file: string): { spec: ModelSpec; manifest: ManifestEntry[]; values: Float32Array[] } {
  const { output, hidden, units } = chain.finish();
  const manifest: ManifestEntry[] = [];
  const values: Float32Array[] = [];
  const add = (name: string, shape: number[], v: Float32Array) => {
    manifest.push({ name, shape });
    values.push(v);
  };
  const biasOf = (d: DenseLayer) => d.bias?.values ?? new Float32Array(d.units);
  const { embedding, recurrent } = chain;
  let spec: ModelSpec;
  if (recurrent[0]!.kind === 'lstm') {
    if (hidden && hidden.activation !== 'relu') refuse(file, `its hidden Dense layer uses ${hidden.activation}; the studio's LSTM models use relu there`);
    spec = parseSpec({ arch: 'lstm', ...(chain.input === 'scaled' ? { input: 'scaled' } : {}), embedding: embedding?.shape[1] ?? 1, units, layers: recurrent.length, dropout: chain.dropout, dense: hidden?.units ?? 0 });
    if (embedding) add('embedding', embedding.shape, embedding.values);
    recurrent.forEach((r, l) => {
      const [kernel, rec, bias] = r.tensors as [Tensor, Tensor, Tensor];
      add(`lstm${l}/kernel`, kernel.shape, kernel.values);
      add(`lstm${l}/recurrent`, rec.shape, rec.values);
      add(`lstm${l}/bias`, [4 * units], bias.values);
    });
  } else {
    if (!hidden || hidden.activation !== 'leaky_relu') refuse(file, 'its bidirectional GRU is not followed by a Dense layer with LeakyReLU, as the studio\'s (seed 002) is');
    spec = parseSpec({ arch: 'bigru', embedding: embedding!.shape[1], units, layers: recurrent.length, dense: hidden.units, dropout: chain.dropout });
    add('embedding', embedding!.shape, embedding!.values);
    recurrent.forEach((r, l) => {
      ['forward', 'backward'].forEach((direction, d) => {
        const [kernel, rec, biases] = r.tensors.slice(d * 3, d * 3 + 3) as [Tensor, Tensor, Tensor];
        add(`gru${l}/${direction}/kernel`, kernel.shape, kernel.values);
        add(`gru${l}/${direction}/bias`, [3 * units], biases.values.slice(0, 3 * units));
        add(`gru${l}/${direction}/recurrent`, rec.shape, rec.values);
        add(`gru${l}/${direction}/recurrent_bias`, [3 * units], biases.values.slice(3 * units));
      });
    });
  }
  if (hidden) {
    add('dense/kernel', hidden.kernel.shape, hidden.kernel.values);
    add('dense/bias', [hidden.units], biasOf(hidden));
  }
  add('output/kernel', output.kernel.shape, output.kernel.values);
  add('output/bias', [output.units], biasOf(output));
  return { spec, manifest, values };
}

/** Reads a Keras layer chain into a studio architecture and its weights. */
export function convertLayersModel(modelJson: unknown, files: WeightFiles, file: string): LayersModel {
  const doc = modelJson as { modelTopology?: unknown; weightsManifest?: WeightGroup[]; format?: string };
  if (!doc || typeof doc !== 'object' || !doc.modelTopology || !Array.isArray(doc.weightsManifest)) {
    refuse(file, 'it is not a TF.js Layers model.json (modelTopology and weightsManifest are required)');
  }
  if (doc.format && doc.format !== 'layers-model') refuse(file, `it is a TF.js ${doc.format}, not a Layers model: the studio imports Layers models`);
  const chain = new ChainReader(readWeights(doc.weightsManifest, files, file), file);
  for (const layer of layersOf(doc.modelTopology, file)) chain.read(layer);
  const { spec, manifest, values } = studioWeights(chain, file);
  const weights = new Float32Array(values.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of values) {
    weights.set(v, at);
    at += v.length;
  }
  return { spec, manifest, weights, vocabSize: manifest.at(-1)!.shape[0]!, window: chain.window, layers: chain.names };
}

/** Tokens in id order from a vocabulary file: a JSON array, a JSON object {token: id}, or one token a line. */
export function parseVocabularyFile(text: string, file: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      refuse(file, `it is not valid JSON (${(err as Error).message})`);
    }
    if (Array.isArray(parsed)) {
      if (!parsed.every((t) => typeof t === 'string')) refuse(file, 'its JSON array must hold token strings, in id order');
      return parsed as string[];
    }
    const entries = Object.entries(parsed as Record<string, unknown>);
    if (!entries.every(([, id]) => Number.isInteger(id))) refuse(file, 'its JSON object must map each token to its integer id');
    const tokens: string[] = new Array(entries.length);
    for (const [token, id] of entries as [string, number][]) {
      if (id < 0 || id >= entries.length || tokens[id] !== undefined) refuse(file, `its ids must be 0…${entries.length - 1}, each once (token "${token}" has ${id})`);
      tokens[id] = token;
    }
    return tokens;
  }
  return trimmed.split(/\r?\n/).map((line) => line.trim());
}

/** The encoding a token list belongs to: seed 000's note names and chords, or seed 002's frames. */
export function guessEncoding(tokens: string[]): EncodingKind | null {
  const real = tokens.filter((t) => !t.startsWith('<'));
  if (real.length === 0) return null;
  const noteOrChord = (t: string) => /^[A-G][#-]?-?\d$/.test(t) || /^\d{1,2}(\.\d{1,2})*$/.test(t);
  const frame = (t: string) => t === 'e' || /^\d{1,3}\+?(,\d{1,3}\+?)*$/.test(t);
  if (real.some((t) => /^[A-G]/.test(t)) && real.every(noteOrChord)) return 'notes-chords';
  if (real.every(frame) && (real.includes('e') || real.some((t) => t.includes(',') || Number(t) > 11))) return 'frames';
  return null;
}

export interface LayersImport {
  name: string;
  file: string;
  modelJson: string;
  weightFiles: WeightFiles;
  vocabulary: string;
  vocabularyFile: string;
  encoding?: EncodingKind;
}

/** Converts and stores an imported Layers model with its vocabulary, in one transaction. Returns the model id. */
export function importLayersModel(store: Store, input: LayersImport): number {
  let json: unknown;
  try {
    json = JSON.parse(input.modelJson);
  } catch (err) {
    refuse(input.file, `it is not valid JSON (${(err as Error).message})`);
  }
  const converted = convertLayersModel(json, input.weightFiles, input.file);
  const tokens = parseVocabularyFile(input.vocabulary, input.vocabularyFile);
  if (tokens.length !== converted.vocabSize) {
    refuse(input.vocabularyFile, `it lists ${tokens.length} tokens and the model predicts ${converted.vocabSize}: it must be the vocabulary the model was trained with, in id order`);
  }
  if (new Set(tokens).size !== tokens.length) refuse(input.vocabularyFile, 'a token appears twice');
  const kind = input.encoding ?? guessEncoding(tokens);
  if (!kind) refuse(input.vocabularyFile, 'its tokens are neither note names and chords (seed 000) nor frames (seed 002): say which encoding they are');
  const encoding = encodingOf(kind);
  if (encoding.info.representation !== 'tokens') refuse(input.vocabularyFile, `${kind} is not a token encoding`);
  const params = { ...(encoding.info.defaults as Record<string, string | number | boolean>), ...(kind === 'notes-chords' ? { variant: 'seed' } : {}) };
  if (store.models.byName(input.name)) throw new EtudeError('conflict', `a model named "${input.name.trim()}" already exists: choose another name`);
  const window = converted.window ?? (converted.spec.arch === 'bigru' ? 50 : 100);
  const hp = hyperparamsSchema.parse({ sequenceLength: Math.max(2, window) });
  const weights = new Uint8Array(converted.weights.buffer, converted.weights.byteOffset, converted.weights.byteLength);
  return store.models.insertImported({
    name: input.name.trim(),
    spec: converted.spec,
    parameters: parameterCount(converted.spec, converted.vocabSize),
    origin: { kind: 'layers', file: input.file, layers: converted.layers },
    importedCard: null,
    vocabulary: {
      corpusId: null,
      corpusName: `imported with ${input.file}`,
      fingerprint: `layers:${input.name}:${Date.now()}`,
      corpusHash: null,
      encoding: kind,
      encodingVersion: encoding.info.version,
      params,
      representation: 'tokens',
      width: 1,
      minCount: 1,
      maxSize: Math.max(tokens.length, 5),
      coverage: 1,
      steps: 0,
      roundTrip: { notes: 0, exact: 0, durationChanged: 0, lost: 0, added: 0, error: 0 },
      warnings: [],
      seconds: 0,
      tokens: tokens.map((token) => ({ token, count: 0 })),
    },
    runs: [
      {
        hyperparams: hp,
        status: 'completed',
        message: `imported from a TF.js Layers model (${converted.layers.join(' → ')})`,
        backend: null,
        machine: null,
        startedFrom: null,
        epoch: 0,
        step: 0,
        bestValLoss: null,
        seconds: 0,
        createdAt: new Date().toISOString(),
        endedAt: new Date().toISOString(),
        metrics: [],
      },
    ],
    checkpoint: {
      run: 0,
      kind: 'best',
      epoch: 0,
      step: 0,
      batch: 0,
      loss: null,
      valLoss: null,
      topology: JSON.stringify(converted.spec),
      manifest: JSON.stringify({ weights: converted.manifest, optimizer: [], powers: null }),
      weights,
      optimizer: new Uint8Array(0),
      audition: null,
    },
  });
}
