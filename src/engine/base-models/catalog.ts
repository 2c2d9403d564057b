/**
 * The base models the studio ships: what each learned, from which public-domain or openly
 * licensed music, and how `etude train-base` trains it again. A new database installs every one
 * whose file is in resources/base-models; a musician personalises one on their own pieces.
 */
import type { ModelSpec } from '../../shared/training';

export interface BaseCorpus {
  /** What it is, as a card names it. */
  title: string;
  /** Where `etude train-base` reads it, relative to the folder beside the repository (../shared). */
  path: string;
  licence: string;
}

export interface BaseModelDefinition {
  /** The catalog name: the file name, and the name `--from-base` takes. */
  name: string;
  /** The model's name in the studio. */
  title: string;
  /** What it is good for, in a musician's words. */
  summary: string;
  /** What it suits: the representation a corpus must encode to (and which encoding). */
  encoding: string;
  params: Record<string, string | number | boolean>;
  spec: ModelSpec;
  corpora: BaseCorpus[];
  /** Minutes of training on a 2-core machine when it is made. */
  budgetMinutes: number;
}

export const BASE_MODELS: readonly BaseModelDefinition[] = [
  {
    name: 'folk-melodies',
    title: 'Folk melodies (base)',
    summary: 'Jigs, reels, hornpipes, airs and marches from Irish, Scottish, English and American collections: a melody model to personalise on your own tunes.',
    encoding: 'events',
    params: { positionsPerBeat: 12 },
    spec: { arch: 'lstm', embedding: 64, units: 512, layers: 1, dropout: 0.3, dense: 256 },
    corpora: [
      { title: "O'Neill's Music of Ireland (1903), ABC by Norbert Paap and others", path: 'base-corpora/folk-abc/oneills1850', licence: 'music in the public domain; ABC from the music21 corpus (BSD), redistributed with the encoders’ permission' },
      { title: "Ryan's Mammoth Collection (1883)", path: 'base-corpora/folk-abc/ryansMammoth', licence: 'music in the public domain; ABC from the music21 corpus (BSD)' },
      { title: "Aird's Airs (1778–1803), six books", path: 'base-corpora/folk-abc/airdsAirs', licence: 'music in the public domain; ABC from the music21 corpus (BSD)' },
      { title: 'American fife tunes and Northumbrian minstrelsy', path: 'base-corpora/folk-abc/miscFolk', licence: 'music in the public domain; ABC from the music21 corpus (BSD)' },
    ],
    budgetMinutes: 45,
  },
  {
    name: 'chorales-keyboard',
    title: 'Chorales and keyboard (base)',
    summary: "Bach's four-part chorales and classical piano pieces: a model of chords and voices to personalise on your own harmony or keyboard music.",
    encoding: 'frame-pitches',
    params: { perBeat: 4, onsets: true },
    spec: { arch: 'lstm', embedding: 64, units: 384, layers: 1, dropout: 0.3, dense: 256 },
    corpora: [
      { title: "J. S. Bach, four-part chorales: the 229 training chorales of the JSB benchmark (its test chorales left out)", path: 'benchmarks/jsb-chorales/jsb-chorales-quarter.json#train', licence: 'music in the public domain; frames from the czhuang/JSB-Chorales-dataset' },
      { title: 'Classical piano by Bernd Krueger (piano-midi.de) and the Tone.js Midi test files', path: 'corpora/piano-midi', licence: 'CC BY-SA (piano-midi.de), MIT (Tone.js Midi)' },
    ],
    budgetMinutes: 30,
  },
];

export function baseModelNamed(name: string): BaseModelDefinition | undefined {
  return BASE_MODELS.find((b) => b.name === name);
}
