/** Architectures as the API describes them: their settings for a form, and their presets. */
import type { Hyperparams, ModelSpec } from './training';

/** One setting of an architecture, described for a form. */
export interface SpecField {
  key: string;
  label: string;
  /** Unit or scale, in words ("cells", "share of units"). */
  unit?: string;
  help: string;
  kind: 'integer' | 'number' | 'choice';
  min?: number;
  max?: number;
  choices?: string[];
  default: number | string;
}

export interface Preset {
  name: string;
  title: string;
  /** One line for a musician choosing it: what it is good for and what it costs, no layer sizes. */
  lead: string;
  description: string;
  /** The encoding it was designed for. */
  encoding: string;
  spec: ModelSpec;
  hyperparams: Partial<Hyperparams>;
}

export interface ArchitectureInfo {
  name: string;
  title: string;
  summary: string;
  representation: 'tokens' | 'features' | 'binary';
  fields: SpecField[];
  presets: Preset[];
  defaultPreset: string;
}
