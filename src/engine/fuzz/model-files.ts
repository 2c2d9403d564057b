/**
 * The model-file campaign: sound model files made here (random small topologies, their manifests
 * as the architecture lists them, seeded weights), damaged one to a few ways each (topology,
 * manifest, zip entries, declared sizes, vocabulary, weights, names), and imported into a real
 * database. Every case must be imported whole or refused by name, quickly and in bounded memory.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { zipSync } from 'fflate';
import { EtudeError } from '../../shared/errors';
import { encodingOf } from '../encode/registry';
import { importModelFile, MODEL_FILE_FORMAT, MODEL_FILE_VERSION, type ModelFileDocument } from '../model-files/model-file';
import { expectedManifest } from '../models/registry';
import { Store } from '../store/store';
import { hyperparams, modelSpec } from '../../shared/training';
import { randomOf, type Random } from './mutate';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, below: number) => Math.floor(random() * below);
const utf8 = (text: string) => new TextEncoder().encode(text);

interface ModelParts {
  doc: ModelFileDocument;
  entries: Record<string, Uint8Array>;
}

/** A sound model file's parts: an LSTM or a Transformer of a few dozen units over a small events vocabulary. */
export function soundModelParts(random: Random): ModelParts {
  const tokens = ['<pad>', '<unk>', '<bos>', '<eos>', 'Bar', ...Array.from({ length: 4 + int(random, 40) }, (_, i) => `Pitch_${40 + i}`)];
  const spec =
    random() < 0.5
      ? modelSpec.parse({ arch: 'lstm', embedding: 2 + int(random, 8), units: 2 + int(random, 12), layers: 1 + int(random, 2), dropout: 0, dense: pick(random, [0, 4]) })
      : modelSpec.parse({ arch: 'transformer', embedding: 8, heads: 2, layers: 1, feedForward: 8 + int(random, 8), context: 16, positions: pick(random, ['relative', 'learned']) });
  const hp = hyperparams.parse({ sequenceLength: 16, epochs: 1 });
  const manifest = expectedManifest(spec, tokens.length, hp.sequenceLength);
  const count = manifest.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  const weights = new Uint8Array(Float32Array.from({ length: count }, () => random() - 0.5).buffer);
  const createdAt = '2026-01-01T00:00:00.000Z';
  const vocabulary = { encoding: 'events', encodingVersion: encodingOf('events').info.version, params: {}, size: tokens.length, coverage: 1 };
  const doc: ModelFileDocument = {
    format: MODEL_FILE_FORMAT,
    formatVersion: MODEL_FILE_VERSION,
    exportedAt: createdAt,
    exportedBy: 'the fuzz campaign',
    card: {
      name: 'Fuzzed',
      architecture: spec.arch,
      spec,
      parameters: count,
      origin: { kind: 'trained' },
      corpus: { name: 'Fuzz', hash: null, pieces: 1, steps: 100 },
      vocabulary,
      runs: [{ hyperparams: hp, status: 'completed', epochs: 1, steps: 1, bestValLoss: 2, seconds: 1, backend: 'wasm', machine: null, startedFrom: null, createdAt, endedAt: createdAt, curve: [], imported: false }],
      auditions: [],
      trainingSeconds: 1,
      epochs: 1,
      bestValLoss: 2,
      createdAt,
    },
    vocabulary: {
      ...vocabulary,
      representation: 'tokens',
      width: 1,
      minCount: 1,
      maxSize: 1000,
      steps: 100,
      corpusName: 'Fuzz',
      corpusHash: null,
      fingerprint: sha256(utf8(JSON.stringify(tokens))),
      tokens,
      counts: tokens.map(() => 1),
    },
    checkpoint: { run: 0, kind: 'best', epoch: 1, step: 1, batch: 0, loss: 2, valLoss: 2, topology: spec, weights: manifest, weightsSha256: sha256(weights), optimizer: null, audition: null },
  };
  return { doc, entries: { 'weights.bin': weights } };
}

/** Rewrites a zip's central-directory entry for `name`: its declared inflated size. */
function declareSize(zip: Uint8Array, name: string, size: number): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const wanted = utf8(name);
  for (let at = zip.length - 46; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const length = view.getUint16(at + 28, true);
    const found = zip.subarray(at + 46, at + 46 + length);
    if (found.length === wanted.length && found.every((b, i) => b === wanted[i])) {
      view.setUint32(at + 24, size >>> 0, true);
      return;
    }
  }
}

type Doc = ModelFileDocument & Record<string, unknown>;

/** One to a few kinds of damage; the document's checksums are kept true where the damage is meant to get past them. */
export function mutateModelFile(parts: ModelParts, random: Random): Uint8Array {
  const doc = structuredClone(parts.doc) as Doc;
  const entries: Record<string, Uint8Array> = { ...parts.entries };
  let json: string | null = null;
  const afterZip: ((zip: Uint8Array) => Uint8Array)[] = [];
  const c = doc.checkpoint;
  const rounds = 1 + int(random, 2);
  for (let r = 0; r < rounds; r++) {
    try {
      damage(int(random, 12));
    } catch {
      // An earlier damage left nothing for this one to work on (a document field made null): skip it.
    }
  }
  let zip: Uint8Array = zipSync({ 'etude-model.json': utf8(json ?? JSON.stringify(doc)), ...entries }, { level: 1 });
  for (const f of afterZip) zip = f(zip);
  return zip;

  function damage(kind: number): void {
    switch (kind) {
      case 0: {
        // topology: a setting pushed to the schema's edge, or another architecture, the manifest left as it was
        const t = c.topology as Record<string, unknown>;
        const key = pick(random, ['units', 'layers', 'embedding', 'dense', 'heads', 'feedForward', 'context', 'arch', 'hidden']);
        t[key] = key === 'arch' ? pick(random, ['lstm', 'bigru', 'psd-lstm', 'rbm', 'transformer', 'gpt']) : pick(random, [0, 1, 7, 4096, 8192, 2 ** 31, -1, 1.5]);
        break;
      }
      case 1: {
        // manifest: flattened, renamed, reordered, cut, a dimension changed
        const w = c.weights;
        const i = int(random, w.length);
        const kind = int(random, 5);
        if (kind === 0) w[i] = { name: w[i]!.name, shape: [w[i]!.shape.reduce((a, b) => a * b, 1)] };
        else if (kind === 1) w[i] = { ...w[i]!, name: `${w[i]!.name}x` };
        else if (kind === 2 && w.length > 1) w.reverse();
        else if (kind === 3) w.splice(i, 1);
        else w[i] = { ...w[i]!, shape: w[i]!.shape.map((d, k) => (k === 0 ? d * pick(random, [2, 1000, 100_000]) : d)) };
        break;
      }
      case 2: // an entry Etude never reads, of zeros (a bomb in miniature)
        entries[pick(random, ['zeros.bin', '../../evil', 'weights.bin/', 'ETUDE-MODEL.JSON'])] = new Uint8Array(int(random, 4 * 2 ** 20));
        break;
      case 3: // an entry missing
        delete entries[pick(random, ['weights.bin', 'etude-model.json'])];
        break;
      case 4: // a declared size that lies
        afterZip.push((zip) => {
          const copy = zip.slice();
          declareSize(copy, pick(random, ['weights.bin', 'etude-model.json']), pick(random, [0, 1, 2 ** 32 - 1, 3 * 2 ** 30, int(random, 1 << 24)]));
          return copy;
        });
        break;
      case 5: {
        // vocabulary: a token changed (fingerprint left), or grown with its fingerprint made true
        const v = doc.vocabulary;
        if (random() < 0.5) v.tokens[int(random, v.tokens.length)] = 'Pitch_127';
        else {
          v.tokens.push(...Array.from({ length: 1 + int(random, 100_000) }, (_, i) => `T${i}`));
          v.counts = v.tokens.map(() => 1);
          v.fingerprint = sha256(utf8(JSON.stringify(v.tokens)));
        }
        break;
      }
      case 6: {
        // weights that are not finite, or fewer, with their checksum made true
        const floats = new Float32Array((entries['weights.bin'] ?? parts.entries['weights.bin']!).slice().buffer);
        if (random() < 0.5) floats[int(random, floats.length)] = pick(random, [Number.NaN, Infinity, -Infinity]);
        const bytes = new Uint8Array(random() < 0.3 ? floats.buffer.slice(0, floats.byteLength - 4) : floats.buffer);
        entries['weights.bin'] = bytes;
        c.weightsSha256 = sha256(bytes);
        break;
      }
      case 7: // a name no list should show as it is
        doc.card.name = pick(random, ['\u202e\u0000evil', ' ', '\u0007'.repeat(300), 'x'.repeat(1 + int(random, 1_000_000)), '\u2066a\u2069']);
        break;
      case 8: // optimizer state described, absent or of any size
        c.optimizer = { shapes: [[1 + int(random, 1 << 20)]], powers: null, sha256: sha256(new Uint8Array(4)) };
        if (random() < 0.5) entries['optimizer.bin'] = new Uint8Array(4);
        break;
      case 9: // the document broken or cut
        json = pick(random, ['', '{', 'null', '[]', JSON.stringify({ format: MODEL_FILE_FORMAT, formatVersion: 99 }), JSON.stringify(doc).slice(0, int(random, 2000))]);
        break;
      case 10: // the checkpoint pointing at a run that is not there, or a field of the wrong type
        if (random() < 0.5) c.run = 5;
        else (doc as Record<string, unknown>)[pick(random, ['card', 'vocabulary', 'checkpoint'])] = pick(random, [null, 1, 'x', []]);
        break;
      case 11: // the zip itself cut or flipped
        afterZip.push((zip) => {
          const copy = zip.slice(0, random() < 0.5 ? int(random, zip.length) : zip.length);
          for (let i = 0; i < 1 + int(random, 8) && copy.length > 0; i++) copy[int(random, copy.length)]! ^= 1 << int(random, 8);
          return copy;
        });
        break;
    }
  }
}

export interface ModelCampaignReport {
  cases: number;
  imported: number;
  refused: number;
  /** Failures that were not a refusal by name (a bug). */
  unexpected: string[];
  slowestMs: number;
  peakRssMb: number;
  integrity: string;
  seconds: number;
}

export function modelFileCampaign(options: { cases: number; seed: number; dir: string }): ModelCampaignReport {
  const started = performance.now();
  const random = randomOf(options.seed);
  const store = Store.open(path.join(options.dir, 'models-fuzz.db'));
  const report: ModelCampaignReport = { cases: 0, imported: 0, refused: 0, unexpected: [], slowestMs: 0, peakRssMb: 0, integrity: '', seconds: 0 };
  let peak = process.memoryUsage().rss;
  try {
    for (let i = 0; i < options.cases; i++) {
      const bytes = mutateModelFile(soundModelParts(random), random);
      const t0 = performance.now();
      try {
        importModelFile(store, bytes, `case-${i}.etude-model`);
        report.imported++;
      } catch (err) {
        if (err instanceof EtudeError && (err.kind === 'invalid_input' || err.kind === 'conflict')) report.refused++;
        else if (report.unexpected.length < 20) report.unexpected.push(`case ${i}: ${(err as Error).message}`);
      }
      report.slowestMs = Math.max(report.slowestMs, Math.round(performance.now() - t0));
      report.cases++;
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    report.integrity = store.integrityCheck();
  } finally {
    store.close();
  }
  report.peakRssMb = Math.round(peak / 2 ** 20);
  report.seconds = Math.round(performance.now() - started) / 1000;
  return report;
}
