/**
 * A style model as one file, to move between machines: a zip holding `etude-model.json`
 * (format version, topology, encoding and vocabulary, the model card with curves and auditions,
 * the checkpoint's manifest and the sha256 of each binary), `weights.bin` and, when asked,
 * `optimizer.bin` (so training can continue exactly where it stood).
 */
import { createHash } from 'node:crypto';
import { zipSync } from 'fflate';
import { z } from 'zod';
import { MODEL_NAME_MAX } from '../../shared/api';
import { EtudeError } from '../../shared/errors';
import { hyperparams as hyperparamsSchema, modelSpec, type ModelCard } from '../../shared/training';
import { expectedManifest, MODEL_MAX_PARAMETERS, parseSpec } from '../models/registry';
import { toFloat32 } from '../models/param-set';
import { encodingOf } from '../encode/registry';
import { APP_VERSION } from '../version';
import type { ManifestEntry } from '../models/param-set';
import type { Store } from '../store/store';
import { modelCard } from './model-card';
import { inflateEntry, listZip, type ZipEntry } from './zip-entries';

export const MODEL_FILE_FORMAT = 'etude-model';
/** Bump when a file this version writes could not be read by an older studio. */
export const MODEL_FILE_VERSION = 1;
export const MODEL_FILE_EXTENSION = '.etude-model';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const manifestEntry = z.object({ name: z.string().min(1), shape: z.array(z.number().int().min(1)) });
const audition = z.object({
  primerLabel: z.string(),
  ppq: z.number().int().positive(),
  tempos: z.array(z.object({ tick: z.number(), usPerQuarter: z.number() })),
  notes: z.array(z.object({ pitch: z.number(), velocity: z.number(), startTick: z.number(), endTick: z.number(), startSec: z.number(), endSec: z.number(), program: z.number() })),
  seamTick: z.number(),
  seamSec: z.number(),
  seconds: z.number(),
});
const machine = z.object({ os: z.string(), arch: z.string(), cpu: z.string(), cores: z.number(), memoryGb: z.number(), backend: z.string(), threads: z.number(), simd: z.boolean() });
const status = z.enum(['queued', 'running', 'paused', 'completed', 'stopped', 'cancelled', 'interrupted', 'failed', 'diverged']);
const cardRun = z.object({
  hyperparams: hyperparamsSchema,
  status,
  epochs: z.number().int().min(0),
  steps: z.number().int().min(0),
  bestValLoss: z.number().nullable(),
  seconds: z.number().min(0),
  backend: z.string().nullable(),
  machine: machine.nullable(),
  startedFrom: z.string().nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  curve: z.array(z.object({ epoch: z.number().int(), loss: z.number().nullable(), valLoss: z.number().nullable() })),
  imported: z.boolean(),
});
const paramValue = z.union([z.string(), z.number(), z.boolean()]);
const origin = z.union([
  z.object({ kind: z.literal('trained') }),
  z.object({ kind: z.literal('duplicate'), from: z.string() }),
  z.object({ kind: z.literal('fine-tune'), from: z.string(), fromEpoch: z.number(), corpus: z.string(), newTokens: z.number() }),
  z.object({ kind: z.literal('import'), file: z.string(), originalName: z.string(), exportedAt: z.string(), exportedBy: z.string() }),
  z.object({ kind: z.literal('layers'), file: z.string(), layers: z.array(z.string()) }),
]);
const card = z.object({
  name: z.string().min(1),
  architecture: z.string(),
  spec: modelSpec,
  parameters: z.number().int().min(0),
  origin,
  corpus: z.object({ name: z.string(), hash: z.string().nullable(), pieces: z.number().int().min(0), steps: z.number().int().min(0) }),
  vocabulary: z.object({ encoding: z.string(), encodingVersion: z.number().int(), params: z.record(z.string(), paramValue), size: z.number().int(), coverage: z.number() }),
  runs: z.array(cardRun).min(1),
  auditions: z.array(z.object({ epoch: z.number().int(), kind: z.enum(['best', 'periodic', 'last']), valLoss: z.number().nullable(), audition })),
  trainingSeconds: z.number(),
  epochs: z.number().int(),
  bestValLoss: z.number().nullable(),
  createdAt: z.string(),
});

/** Only `format` and `formatVersion` are read before the version check, so a newer file is told apart from a broken one. */
const header = z.object({ format: z.string(), formatVersion: z.number().int() }).passthrough();

const document = z.object({
  format: z.literal(MODEL_FILE_FORMAT),
  formatVersion: z.number().int(),
  exportedAt: z.string(),
  exportedBy: z.string(),
  card,
  vocabulary: z.object({
    encoding: z.string(),
    encodingVersion: z.number().int(),
    params: z.record(z.string(), paramValue),
    representation: z.enum(['tokens', 'features', 'binary']),
    width: z.number().int().min(1),
    minCount: z.number().int().min(1),
    maxSize: z.number().int().min(1),
    coverage: z.number(),
    steps: z.number().int().min(0),
    corpusName: z.string(),
    corpusHash: z.string().nullable(),
    fingerprint: z.string(),
    tokens: z.array(z.string()),
    counts: z.array(z.number().int().min(0)),
  }),
  checkpoint: z.object({
    run: z.number().int().min(0),
    kind: z.enum(['best', 'periodic', 'last']),
    epoch: z.number().int().min(0),
    step: z.number().int().min(0),
    batch: z.number().int().min(0),
    loss: z.number().nullable(),
    valLoss: z.number().nullable(),
    topology: modelSpec,
    weights: z.array(manifestEntry).min(1),
    weightsSha256: z.string().length(64),
    optimizer: z.object({ shapes: z.array(z.array(z.number().int().min(1))), powers: z.array(z.number()).nullable(), sha256: z.string().length(64) }).nullable(),
    audition: audition.nullable(),
  }),
});

export type ModelFileDocument = z.infer<typeof document>;

/** Writes one model (at the checkpoint it generates from, or the one asked for) as a model file. */
export function exportModelFile(store: Store, modelId: number, options: { checkpointId?: number; optimizer?: boolean } = {}): { name: string; bytes: Uint8Array } {
  const model = store.models.get(modelId);
  const checkpoint = store.runs.generationCheckpoint(modelId, options.checkpointId);
  const vocab = store.vocabularies.get(model.vocabularyId);
  const tokens = store.vocabularies.tokens(vocab.id);
  const info = modelCard(store, modelId);
  const runIndex = store.models.runRecords(modelId).findIndex((r) => r.id === checkpoint.runId);
  const manifest = JSON.parse(checkpoint.manifest) as { weights: ManifestEntry[]; optimizer: number[][]; powers?: number[] | null };
  const withOptimizer = options.optimizer === true && manifest.optimizer.length > 0;
  const doc: ModelFileDocument = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_VERSION,
    exportedAt: new Date().toISOString(),
    exportedBy: `Etude ${APP_VERSION}`,
    card: info,
    vocabulary: {
      encoding: vocab.encoding,
      encodingVersion: vocab.encodingVersion,
      params: vocab.params,
      representation: vocab.representation,
      width: vocab.width,
      minCount: vocab.minCount,
      maxSize: vocab.maxSize,
      coverage: vocab.coverage,
      steps: vocab.steps,
      corpusName: info.corpus.name,
      corpusHash: info.corpus.hash,
      fingerprint: sha256(new TextEncoder().encode(JSON.stringify(tokens))),
      tokens,
      counts: store.vocabularies.tokenCounts(vocab.id),
    },
    checkpoint: {
      run: runIndex,
      kind: checkpoint.kind,
      epoch: checkpoint.epoch,
      step: checkpoint.step,
      batch: checkpoint.batch,
      loss: checkpoint.loss,
      valLoss: checkpoint.valLoss,
      topology: JSON.parse(checkpoint.topology),
      weights: manifest.weights,
      weightsSha256: sha256(checkpoint.weights),
      optimizer: withOptimizer ? { shapes: manifest.optimizer, powers: manifest.powers ?? null, sha256: sha256(checkpoint.optimizer) } : null,
      audition: checkpoint.audition,
    },
  };
  const files: Record<string, Uint8Array> = {
    'etude-model.json': new TextEncoder().encode(JSON.stringify(doc)),
    'weights.bin': new Uint8Array(checkpoint.weights),
  };
  if (withOptimizer) files['optimizer.bin'] = new Uint8Array(checkpoint.optimizer);
  // Weights barely compress; the level trades little size for much time on large models.
  const bytes = zipSync(files, { level: 1 });
  return { name: `${model.name}${MODEL_FILE_EXTENSION}`, bytes };
}

function refuse(file: string, reason: string): never {
  throw new EtudeError('invalid_input', `${file} cannot be imported: ${reason}`);
}

/** Model files larger than this are refused before they are read (the API's upload limit, with room). */
export const MODEL_FILE_MAX_BYTES = 105 * 1024 * 1024;
export { MODEL_MAX_PARAMETERS };
/** etude-model.json: a 200,000-token vocabulary with its counts, the card's curves and auditions fit many times over. */
const DOCUMENT_MAX_BYTES = 32 * 1024 * 1024;
const KNOWN_ENTRIES = new Set(['etude-model.json', 'weights.bin', 'optimizer.bin']);

const numbersIn = (shapes: number[][]) => shapes.reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);

/** Whether every float of a buffer is finite (a NaN or an infinity generates nothing but noise, or nothing). */
function allFinite(bytes: Uint8Array): boolean {
  const floats = toFloat32(bytes);
  for (let i = 0; i < floats.length; i++) if (!Number.isFinite(floats[i]!)) return false;
  return true;
}

/**
 * Control characters and bidirectional overrides out, spaces trimmed, at most the rename limit:
 * a name from a file is shown in lists and dialogs, where U+202E would reverse what follows.
 */
export function cleanModelName(raw: string): string {
  const cleaned = raw
    .replace(/[\p{Cc}\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim()
    .slice(0, MODEL_NAME_MAX)
    .trim();
  return cleaned || 'imported model';
}

/**
 * Reads and checks a model file completely before anything is built or stored: its size, its
 * entries (only the three Etude writes, each inflated only at the size its manifest implies),
 * format, version, schema, the manifest against what the topology and vocabulary size build
 * (names and shapes, under a parameter cap), checksums, the vocabulary's fingerprint, and finite
 * weights.
 */
export function readModelFile(bytes: Uint8Array, file: string): { doc: ModelFileDocument; weights: Uint8Array; optimizer: Uint8Array } {
  if (bytes.byteLength > MODEL_FILE_MAX_BYTES) refuse(file, `it is ${Math.round(bytes.byteLength / 2 ** 20)} MB, over the ${MODEL_FILE_MAX_BYTES / 2 ** 20} MB a model file may be`);
  let listed: ZipEntry[];
  try {
    listed = listZip(bytes);
  } catch (err) {
    refuse(file, `it is not an Etude model file (not a readable zip: ${(err as Error).message})`);
  }
  const entries = new Map<string, ZipEntry>();
  for (const e of listed) {
    if (!KNOWN_ENTRIES.has(e.name)) refuse(file, `it holds ${JSON.stringify(e.name.slice(0, 80))}, which no Etude model file holds`);
    if (entries.has(e.name)) refuse(file, `it holds ${e.name} twice`);
    entries.set(e.name, e);
  }
  const inflate = (entry: ZipEntry, what: string): Uint8Array => {
    let out: Uint8Array | null;
    try {
      out = inflateEntry(bytes, entry);
    } catch (err) {
      refuse(file, `its ${what} cannot be unpacked (${(err as Error).message})`);
    }
    if (!out) refuse(file, `its ${what} is shorter than the file declares`);
    return out;
  };
  const jsonEntry = entries.get('etude-model.json');
  if (!jsonEntry) refuse(file, 'it is not an Etude model file (no etude-model.json inside)');
  if (jsonEntry.size > DOCUMENT_MAX_BYTES) refuse(file, `its etude-model.json would be ${Math.round(jsonEntry.size / 2 ** 20)} MB, over the ${DOCUMENT_MAX_BYTES / 2 ** 20} MB limit`);
  const json = inflate(jsonEntry, 'etude-model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(json));
  } catch (err) {
    refuse(file, `its etude-model.json is damaged (${(err as Error).message})`);
  }
  const head = header.safeParse(raw);
  if (!head.success || head.data.format !== MODEL_FILE_FORMAT) refuse(file, 'it is not an Etude model file');
  if (head.data.formatVersion > MODEL_FILE_VERSION) {
    refuse(file, `it was written by a newer Etude (model file format ${head.data.formatVersion}; this studio reads up to ${MODEL_FILE_VERSION}): update Etude to open it`);
  }
  const parsed = document.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    refuse(file, `its etude-model.json is damaged (${issue.path.join('.') || 'document'}: ${issue.message})`);
  }
  const doc = parsed.data;
  const v = doc.vocabulary;
  const c = doc.checkpoint;
  if (v.tokens.length !== v.counts.length) refuse(file, 'its vocabulary is damaged (tokens and counts differ in length)');
  if (sha256(new TextEncoder().encode(JSON.stringify(v.tokens))) !== v.fingerprint) refuse(file, 'its vocabulary is damaged (its tokens do not match their fingerprint)');
  if (c.run >= doc.card.runs.length) refuse(file, 'its checkpoint refers to a run the file does not hold');

  // The manifest must be exactly what the topology builds: checked here, so nothing is ever built from a lie.
  let expected: ManifestEntry[];
  try {
    expected = expectedManifest(parseSpec(c.topology), v.tokens.length, doc.card.runs[c.run]!.hyperparams.sequenceLength * v.width);
  } catch (err) {
    refuse(file, `it holds a model this studio cannot build: ${(err as Error).message}`);
  }
  const parameters = numbersIn(expected.map((e) => e.shape));
  if (parameters > MODEL_MAX_PARAMETERS) {
    refuse(file, `its model would have ${parameters.toLocaleString('en')} parameters, over the ${MODEL_MAX_PARAMETERS.toLocaleString('en')} a model file may hold`);
  }
  if (c.weights.length !== expected.length) refuse(file, `its manifest lists ${c.weights.length} weights, and its ${c.topology.arch} topology has ${expected.length}`);
  c.weights.forEach((w, i) => {
    const e = expected[i]!;
    if (w.name !== e.name || w.shape.join('x') !== e.shape.join('x')) {
      refuse(file, `its manifest's weight ${i} is ${w.name.slice(0, 80)} [${w.shape.join(', ')}], and its topology builds ${e.name} [${e.shape.join(', ')}]`);
    }
  });

  const weightsEntry = entries.get('weights.bin');
  if (!weightsEntry) refuse(file, 'it holds no weights.bin');
  if (weightsEntry.size !== parameters * 4) refuse(file, `its weights.bin would hold ${Math.floor(weightsEntry.size / 4)} numbers, its manifest ${parameters}`);
  const weights = inflate(weightsEntry, 'weights.bin');
  if (sha256(weights) !== c.weightsSha256) refuse(file, 'its weights are damaged (checksum mismatch)');
  if (!allFinite(weights)) refuse(file, 'its weights hold numbers that are not finite (NaN or infinity)');

  let optimizer: Uint8Array = new Uint8Array(0);
  const optimizerEntry = entries.get('optimizer.bin');
  if (c.optimizer) {
    const numbers = numbersIn(c.optimizer.shapes);
    // Adam keeps two numbers a weight, RMSprop at most three, each with an iteration count.
    if (numbers > 3 * parameters + c.optimizer.shapes.length) refuse(file, `its optimizer state lists ${numbers} numbers, more than any optimizer keeps for ${parameters} weights`);
    if (!optimizerEntry || optimizerEntry.size !== numbers * 4) refuse(file, 'its optimizer state is missing or damaged');
    optimizer = inflate(optimizerEntry, 'optimizer.bin');
    if (sha256(optimizer) !== c.optimizer.sha256) refuse(file, 'its optimizer state is missing or damaged');
    if (!allFinite(optimizer)) refuse(file, 'its optimizer state holds numbers that are not finite (NaN or infinity)');
  } else if (optimizerEntry) refuse(file, 'it holds an optimizer.bin its etude-model.json does not describe');

  let encoding;
  try {
    encoding = encodingOf(v.encoding);
  } catch {
    refuse(file, `it uses the encoding "${v.encoding}", which this studio does not have`);
  }
  if (encoding.info.version !== v.encodingVersion && !encoding.legacyParams?.(v.encodingVersion, v.params)) {
    refuse(file, `it was trained on ${v.encoding} version ${v.encodingVersion}, and this studio encodes version ${encoding.info.version}`);
  }
  return { doc: { ...doc, card: { ...doc.card, parameters } }, weights, optimizer };
}

/** "name (imported)", "name (imported 2)", …: how an imported model's name is made free. */
export const importedVariant = (base: string, n: number) => (n === 1 ? `${base} (imported)` : `${base} (imported ${n})`);

/** The name asked for (refused when taken), else the file's, made free with "(imported)". */
function importName(store: Store, wanted: string | undefined, original: string): string {
  if (wanted === undefined) return store.models.freeName(original, importedVariant);
  if (store.models.byName(wanted)) throw new EtudeError('conflict', `a model named "${wanted.trim()}" already exists: choose another name`);
  return wanted.trim();
}

/** Imports a model file: everything is checked first, then stored in one transaction. Returns the new model's id. */
export function importModelFile(store: Store, bytes: Uint8Array, file: string, options: { name?: string } = {}): number {
  const { doc, weights, optimizer } = readModelFile(bytes, file);
  const original = cleanModelName(doc.card.name);
  const name = importName(store, options.name, original);
  const v = doc.vocabulary;
  const c = doc.checkpoint;
  const earlier: ModelCard = { ...doc.card, name: original } as ModelCard;
  let spec;
  try {
    spec = parseSpec(c.topology);
  } catch (err) {
    throw new EtudeError('invalid_input', `${file} holds a model this studio cannot build: ${(err as Error).message}`);
  }
  return store.models.insertImported({
    name,
    spec,
    parameters: doc.card.parameters,
    origin: { kind: 'import', file, originalName: original, exportedAt: doc.exportedAt, exportedBy: doc.exportedBy },
    importedCard: JSON.stringify(earlier),
    vocabulary: {
      corpusId: null,
      corpusName: v.corpusName,
      // Never equal to a fingerprint built here: a build on this machine must not reuse an imported (piece-less) vocabulary.
      fingerprint: `imported:${v.fingerprint}`,
      corpusHash: v.corpusHash,
      encoding: v.encoding as never,
      encodingVersion: v.encodingVersion,
      params: v.params,
      representation: v.representation,
      width: v.width,
      minCount: v.minCount,
      maxSize: v.maxSize,
      coverage: v.coverage,
      steps: v.steps,
      roundTrip: { notes: 0, exact: 0, durationChanged: 0, lost: 0, added: 0, error: 0 },
      warnings: [],
      seconds: 0,
      tokens: v.tokens.map((token, i) => ({ token, count: v.counts[i]! })),
    },
    runs: doc.card.runs.map((r) => ({
      hyperparams: r.hyperparams,
      // Imported runs cannot go on here (their corpus stays on the other machine): continue or fine-tune instead.
      status: ['queued', 'running', 'paused', 'interrupted', 'stopped'].includes(r.status) ? 'completed' : r.status,
      message: 'trained before the model was imported',
      backend: r.backend,
      machine: r.machine,
      startedFrom: r.startedFrom,
      epoch: r.epochs,
      step: r.steps,
      bestValLoss: r.bestValLoss,
      seconds: r.seconds,
      createdAt: r.createdAt,
      endedAt: r.endedAt,
      metrics: r.curve.map((p, i) => ({ kind: 'epoch' as const, step: i + 1, epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, heads: null, at: Date.parse(r.createdAt) || 0 })),
    })),
    checkpoint: {
      run: c.run,
      kind: c.kind,
      epoch: c.epoch,
      step: c.step,
      batch: c.batch,
      loss: c.loss,
      valLoss: c.valLoss,
      topology: JSON.stringify(c.topology),
      manifest: JSON.stringify({ weights: c.weights, optimizer: c.optimizer?.shapes ?? [], powers: c.optimizer?.powers ?? null }),
      weights,
      optimizer,
      audition: c.audition,
    },
  });
}
