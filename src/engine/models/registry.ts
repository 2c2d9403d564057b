/**
 * Every architecture the studio trains. Adding one is a folder beside these (its spec, model and
 * descriptor) and one line in ARCHITECTURES; the factory, the estimates, the handlers, the API and
 * generation read it from here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { ArchitectureInfo, Preset, SpecField } from '../../shared/architectures';
import { EtudeError } from '../../shared/errors';
import type { Hyperparams, ModelSpec } from '../../shared/training';
import type { Architecture } from './architecture';
import { bigru } from './bigru';
import { lstm } from './lstm';
import { psdLstm } from './psd-lstm';
import { rbm } from './rbm';
import { transformer } from './transformer';
import type { ManifestEntry } from './param-set';
import type { TrainableModel } from './types';

export const ARCHITECTURES: readonly Architecture[] = [lstm, bigru, psdLstm, rbm, transformer];

export function architectureOf(name: string): Architecture {
  const found = ARCHITECTURES.find((a) => a.name === name);
  if (!found) throw new EtudeError('invalid_input', `unknown architecture "${name}" (architectures: ${ARCHITECTURES.map((a) => a.name).join(', ')})`);
  return found;
}

/** A spec checked against its architecture's settings, defaults filled in; a bad setting is named. */
export function parseSpec(raw: { arch: string } & Record<string, unknown>): ModelSpec {
  const parsed = architectureOf(raw.arch).spec.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: ['spec', ...i.path.map(String)].join('.'), message: i.message }));
    throw new EtudeError('invalid_input', `invalid settings for ${raw.arch}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
}

/**
 * Builds a model from its spec: the spec is what a checkpoint's topology records. `vocabSize` is
 * the token count for token models; the RBM needs `visible` (window rows × row width).
 */
export function createModel(spec: ModelSpec, vocabSize: number, seed: number, options: { lossWeights?: Hyperparams['lossWeights']; visible?: number } = {}): TrainableModel {
  const a = architectureOf(spec.arch);
  const parsed = parseSpec(spec);
  // The initial values' intermediates (orthogonal blocks, concatenated biases…) are freed here;
  // the model's variables are not a scope's to free, and survive.
  let model: TrainableModel | null = null;
  tf.tidy(() => {
    model = a.create(parsed, { vocabSize, seed, lossWeights: options.lossWeights, visible: options.visible ?? 0 });
  });
  return model!;
}

/** Parameters a spec will have, without building it (for the estimate shown before training). */
export function parameterCount(spec: ModelSpec, vocabSize: number, visible = 0): number {
  return architectureOf(spec.arch).parameters(parseSpec(spec), vocabSize, visible);
}

/** Parameters a model may have to be built from a file or a stored checkpoint: 100 MB of weights, well above the largest preset (seed 000's 5.6 million). */
export const MODEL_MAX_PARAMETERS = 25_000_000;

/** The weights a spec's model will hold (names and shapes, in order), without building it. */
export function expectedManifest(spec: ModelSpec, vocabSize: number, visible = 0): ManifestEntry[] {
  return architectureOf(spec.arch).manifest(parseSpec(spec), vocabSize, visible);
}

export function activationsPerStep(spec: ModelSpec, vocabSize: number): number {
  return architectureOf(spec.arch).activationsPerStep(parseSpec(spec), vocabSize);
}

/**
 * Activation memory one forward and backward pass may use. Measured on the WASM backend: a pass
 * peaks at about six times `activationsPerStep` numbers per timestep (the tape keeps every op's
 * inputs), and per-sample speed is no better above ~32 rows, so a larger batch is split.
 */
const PASS_BUDGET_BYTES = 1e9;
export const TAPE_FACTOR = 6;

/** Rows (windows) of a batch one gradient pass takes; the trainer accumulates gradients over the rest. */
export function rowsPerPass(spec: ModelSpec, vocabSize: number, sequenceLength: number, batchSize: number): number {
  if (spec.arch === 'rbm') return batchSize; // contrastive divergence is cheap and not split
  const perRow = sequenceLength * activationsPerStep(spec, vocabSize) * 4 * TAPE_FACTOR;
  const most = Math.max(1, Math.min(batchSize, Math.floor(PASS_BUDGET_BYTES / perRow)));
  // Passes of near-equal size: 64 rows at most 30 a pass go 22 + 22 + 20, not 30 + 30 + 4.
  return Math.ceil(batchSize / Math.ceil(batchSize / most));
}

export const PRESETS: readonly Preset[] = ARCHITECTURES.flatMap((a) => a.presets);

export function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

interface JsonProperty {
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  default?: number | string;
}

/** An architecture's settings for a form: bounds and defaults from its schema, words from its descriptor. */
function fieldsOf(a: Architecture): SpecField[] {
  const schema = z.toJSONSchema(a.spec, { io: 'input' }) as { properties: Record<string, JsonProperty> };
  const words = a.fields as Record<string, Omit<SpecField, 'key' | 'kind' | 'default'>>;
  return Object.entries(schema.properties)
    .filter(([key]) => key !== 'arch')
    .map(([key, p]) => ({
      key,
      ...words[key]!,
      kind: p.enum ? 'choice' : p.type === 'integer' ? 'integer' : 'number',
      ...(p.minimum !== undefined ? { min: p.minimum } : {}),
      ...(p.maximum !== undefined ? { max: p.maximum } : {}),
      ...(p.enum ? { choices: p.enum } : {}),
      default: p.default ?? p.enum?.[0] ?? 0,
    }));
}

export function architectureInfos(): ArchitectureInfo[] {
  return ARCHITECTURES.map((a) => ({
    name: a.name,
    title: a.title,
    summary: a.summary,
    representation: a.representation,
    fields: fieldsOf(a),
    presets: a.presets,
    defaultPreset: a.defaultPreset,
  }));
}
