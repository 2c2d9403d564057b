/**
 * What the studio knows of an architecture, in one place: its settings and their meaning, the
 * representation it learns, how to build it, what it costs, and its presets. The registry lists
 * them; the factory, the estimates, the handlers, the API and generation all read it.
 */
import type { z } from 'zod';
import type { Preset, SpecField } from '../../shared/architectures';
import type { Hyperparams, ModelSpec } from '../../shared/training';
import type { ManifestEntry } from './param-set';
import type { TrainableModel } from './types';

export interface BuildContext {
  /** Token models: the vocabulary's size. */
  vocabSize: number;
  seed: number;
  lossWeights: Hyperparams['lossWeights'] | undefined;
  /** Window-reading models (the RBM): numbers a window holds (rows × row width). */
  visible: number;
}

export interface Architecture<S extends ModelSpec = ModelSpec> {
  name: string;
  title: string;
  /** One line in a musician's words: what it is good for. */
  summary: string;
  representation: 'tokens' | 'features' | 'binary';
  /** The settings, with their defaults and bounds; what a checkpoint's topology records. */
  spec: z.ZodType<S, z.input<z.ZodType<S>>>;
  /** Each setting in words (the form's label, unit and help). */
  fields: Record<Exclude<keyof S, 'arch'>, Omit<SpecField, 'key' | 'kind' | 'min' | 'max' | 'choices' | 'default'>>;
  presets: Preset[];
  /** The preset used when only the architecture is named. */
  defaultPreset: string;
  /**
   * Whether the model learns a prediction at every position of a window (so an epoch tiles each
   * piece with windows) or one target per window (so every start is a window, as seed 002).
   */
  predictsEveryPosition: boolean;
  create(spec: S, ctx: BuildContext): TrainableModel;
  parameters(spec: S, vocabSize: number, visible: number): number;
  /**
   * The weights `create` makes, in its order, with their shapes, computed without building
   * anything: a model file is checked against it before a byte of its model is allocated.
   */
  manifest(spec: S, vocabSize: number, visible: number): ManifestEntry[];
  /** Numbers a timestep of activations holds while training, for the memory estimate. */
  activationsPerStep(spec: S, vocabSize: number): number;
  /** Why these settings cannot train with these hyperparameters, or null. */
  refuse?(spec: S, hp: Hyperparams): string | null;
  /** The same model at other sizes, largest first: what a time budget chooses among (the spec itself when absent). */
  sizes?(spec: S): S[];
}

/** Words for the settings several architectures share. */
export const FIELD_WORDS = {
  embedding: { label: 'Embedding width', unit: 'numbers per token', help: 'how richly each token is described to the network' },
  units: { label: 'Memory cells', unit: 'per layer', help: 'how much the network can hold in mind at once' },
  dropout: { label: 'Dropout', unit: 'share 0–0.9', help: 'units switched off at random while training, so the model does not memorise' },
} as const;

/** Keeps a descriptor's own spec type while listing it among the others. */
export function architecture<S extends ModelSpec>(a: Architecture<S>): Architecture {
  return a as unknown as Architecture;
}

/** Parameters of stacked LSTM layers (input kernel, recurrent kernel, bias). */
export function lstmParameters(input: number, units: number, layers: number): number {
  let n = 0;
  for (let l = 0; l < layers; l++) {
    n += input * 4 * units + units * 4 * units + 4 * units;
    input = units;
  }
  return n;
}

/** The weights of stacked LSTM layers, as `createLstmStack` adds them. */
export function lstmStackManifest(input: number, units: number, layers: number): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  for (let l = 0; l < layers; l++) {
    entries.push({ name: `lstm${l}/kernel`, shape: [input, 4 * units] }, { name: `lstm${l}/recurrent`, shape: [units, 4 * units] }, { name: `lstm${l}/bias`, shape: [4 * units] });
    input = units;
  }
  return entries;
}

/** A kernel and its bias, as the models name them. */
export const linearManifest = (name: string, input: number, output: number): ManifestEntry[] => [
  { name: `${name}/kernel`, shape: [input, output] },
  { name: `${name}/bias`, shape: [output] },
];
