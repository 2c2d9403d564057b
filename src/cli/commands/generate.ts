import fs from 'node:fs';
import path from 'node:path';
import type { EventMessage } from '../../shared/api';
import { SCALES, type Constraints, type LengthSpec, type PrimerSource, type ScaleName } from '../../shared/generation';
import { UsageError, type Command } from '../command';
import { corpusNamed, modelNamed, withEngine, type EngineCaller } from '../engine-call';
import { duration, table } from '../format';

const TONICS: Record<string, number> = { c: 0, 'c#': 1, db: 1, d: 2, 'd#': 3, eb: 3, e: 4, f: 5, 'f#': 6, gb: 6, g: 7, 'g#': 8, ab: 8, a: 9, 'a#': 10, bb: 10, b: 11 };

function num(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number`);
  return n;
}

/** "64" (tokens), "8 bars", "8bars", "30s", "30 seconds". */
export function parseLength(text: string): LengthSpec {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(tokens?|bars?|s|secs?|seconds?)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--length must be a number of tokens, bars or seconds ("512", "8 bars", "30s"), not "${text}"`);
  const unit = (m[2] ?? 'tokens').toLowerCase();
  return { unit: unit.startsWith('bar') ? 'bars' : unit.startsWith('s') ? 'seconds' : 'tokens', value: Number(m[1]) };
}

/** "CORPUS/PIECE@bars=1-8", "CORPUS/PIECE@seconds=0-12.5", "CORPUS/PIECE", a .mid path, "none", or "note=60". */
export async function parsePrimer(call: EngineCaller, from: string): Promise<PrimerSource> {
  if (from === 'none') return { kind: 'none' };
  const note = /^note=(\d{1,3})$/.exec(from);
  if (note) return { kind: 'note', pitch: Number(note[1]) };
  if (/\.(mid|midi|kar)$/i.test(from) && fs.existsSync(from)) {
    return { kind: 'midi', name: path.basename(from), data: fs.readFileSync(from).toString('base64') };
  }
  const at = from.lastIndexOf('@');
  const [where, range] = at >= 0 ? [from.slice(0, at), from.slice(at + 1)] : [from, null];
  const slash = where.indexOf('/');
  if (slash <= 0) throw new UsageError(`--from must be "CORPUS/PIECE[@bars=A-B|@seconds=A-B]", a .mid file, "none" or "note=PITCH", not "${from}"`);
  const corpus = await corpusNamed(call, where.slice(0, slash));
  const title = where.slice(slash + 1).trim();
  const found = (await call('pieces.list', { corpusId: corpus.id, search: title, limit: 1000 })).pieces.filter((p) => p.title.toLowerCase() === title.toLowerCase());
  if (found.length === 0) throw new Error(`no piece titled "${title}" in ${corpus.name}`);
  if (found.length > 1) throw new Error(`${found.length} pieces in ${corpus.name} are titled "${title}" (ids ${found.map((p) => p.id).join(', ')})`);
  const pieceId = found[0]!.id;
  if (range === null) return { kind: 'piece', pieceId };
  const m = /^(bars|seconds)=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(range);
  if (!m) throw new UsageError(`the range after @ must be bars=A-B or seconds=A-B, not "${range}"`);
  const pair: [number, number] = [Number(m[2]), Number(m[3])];
  return m[1] === 'bars' ? { kind: 'piece', pieceId, bars: pair } : { kind: 'piece', pieceId, seconds: pair };
}

/** "D minor", "g major pentatonic", "Bb dorian". */
export function parseKey(text: string): NonNullable<Constraints['key']> {
  const [tonic, ...rest] = text.trim().toLowerCase().split(/\s+/);
  const scale = (rest.join(' ') || 'major') as ScaleName;
  if (tonic === undefined || !(tonic in TONICS)) throw new UsageError(`--key must start with a note name (C, F#, Bb…), not "${text}"`);
  if (!(scale in SCALES)) throw new UsageError(`--key's scale must be one of ${Object.keys(SCALES).join(', ')}`);
  return { tonic: TONICS[tonic]!, scale };
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'continue a passage with a model; writes one .mid per variation',
  usage:
    'etude generate --model NAME --from "CORPUS/PIECE@bars=1-8" --out DIR [--length N|"8 bars"|30s] [--temperature T] [--top-k K] [--top-p P] ' +
    '[--greedy] [--variations V] [--seed S] [--key "D minor"] [--range 55-79] [--density X] [--rhythm-lock] [--checkpoint ID] [--base-weight W] [--max-copy-bars K] [--json]\n' +
    '       --from may also be a .mid file, "none" (the model\'s own start) or note=PITCH (silence and one note, as seed 002)',
  options: {
    model: { type: 'string' },
    from: { type: 'string' },
    out: { type: 'string' },
    length: { type: 'string' },
    temperature: { type: 'string' },
    'top-k': { type: 'string' },
    'top-p': { type: 'string' },
    greedy: { type: 'boolean' },
    variations: { type: 'string' },
    seed: { type: 'string' },
    key: { type: 'string' },
    range: { type: 'string' },
    density: { type: 'string' },
    'rhythm-lock': { type: 'boolean' },
    checkpoint: { type: 'string' },
    'base-weight': { type: 'string' },
    'max-copy-bars': { type: 'string' },
  },
  async run(ctx) {
    const modelName = (ctx.values.model as string | undefined)?.trim();
    if (!modelName) throw new UsageError('--model NAME is required');
    const out = ctx.values.out as string | undefined;
    if (!out) throw new UsageError('--out DIR is required');
    const from = (ctx.values.from as string | undefined) ?? 'none';
    const constraints: Constraints = {};
    if (ctx.values.key) constraints.key = parseKey(ctx.values.key as string);
    if (ctx.values.range) {
      const m = /^(\d{1,3})-(\d{1,3})$/.exec(ctx.values.range as string);
      if (!m) throw new UsageError('--range must be LOW-HIGH in MIDI numbers, for example 55-79');
      constraints.pitchRange = [Number(m[1]), Number(m[2])];
    }
    const density = num(ctx.values.density, '--density');
    if (density !== undefined) constraints.density = density;
    if (ctx.values['rhythm-lock']) constraints.rhythmLock = true;

    return withEngine(ctx.dbPath, async (call, engine) => {
      const model = await modelNamed(call, modelName);
      const primer = await parsePrimer(call, from);
      const jobId = `cli-${process.pid}`;
      const off = engine.on((m: EventMessage) => {
        if (m.event === 'generations.progress' && m.payload.jobId === jobId && !ctx.json && process.stderr.isTTY) {
          process.stderr.write(`\rgenerating: ${m.payload.done} tokens\x1b[K`);
        }
      });
      const cancel = () => void call('generations.cancel', { jobId }).catch(() => undefined);
      process.once('SIGINT', cancel);
      const optional = <T>(value: T | undefined, key: string) => (value === undefined ? {} : { [key]: value });
      let g;
      try {
        g = await call('generations.generate', {
          modelId: model.id,
          primer,
          jobId,
          constraints,
          ...(ctx.values.length ? { length: parseLength(ctx.values.length as string) } : {}),
          ...optional(num(ctx.values.temperature, '--temperature'), 'temperature'),
          ...optional(num(ctx.values['top-k'], '--top-k'), 'topK'),
          ...optional(num(ctx.values['top-p'], '--top-p'), 'topP'),
          ...optional(num(ctx.values.variations, '--variations'), 'variations'),
          ...optional(num(ctx.values.seed, '--seed'), 'seed'),
          ...optional(num(ctx.values.checkpoint, '--checkpoint'), 'checkpointId'),
          ...optional(num(ctx.values['base-weight'], '--base-weight'), 'baseWeight'),
          ...optional(num(ctx.values['max-copy-bars'], '--max-copy-bars'), 'maxCopyBars'),
          ...(ctx.values.greedy ? { greedy: true } : {}),
        });
      } finally {
        process.off('SIGINT', cancel);
        off();
        if (!ctx.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      }
      // One file per take, named model - piece - bars - take N, never over an existing file.
      const { files } = await call('generations.exportToFolder', { ids: [g.id], folder: path.resolve(out) });
      const summary = {
        generation: g.id,
        name: g.name,
        model: g.model,
        checkpoint: g.checkpointId,
        epoch: g.checkpointEpoch,
        primer: g.primerLabel,
        base_weight: g.params.baseWeight ?? 0,
        max_copy_bars: g.params.maxCopyBars ?? 0,
        seconds: g.seconds,
        notices: g.notices,
        takes: g.takes.map((t, i) => ({ take: t.index + 1, file: files[i]!, tokens: t.tokens, notes: t.notes.length, continuation_notes: t.notes.filter((n) => n.startTick >= t.seamTick).length, seam_seconds: t.seamSec })),
      };
      if (!ctx.json) {
        ctx.out(`${g.name}: ${g.takes.length} takes from ${g.primerLabel} in ${g.seconds.toFixed(2)} s (generation ${g.id})`);
        for (const t of summary.takes) ctx.out(`  ${t.file}  ${t.continuation_notes} new notes`);
        for (const n of g.notices) ctx.err(`note: ${n}`);
      }
      return summary;
    });
  },
};

export const generationsCommand: Command = {
  name: 'generations',
  summary: 'list stored generations with their ids',
  usage: 'etude generations [--model NAME] [--starred] [--json]',
  options: { model: { type: 'string' }, starred: { type: 'boolean' } },
  async run(ctx) {
    return withEngine(ctx.dbPath, async (call) => {
      const name = ctx.values.model as string | undefined;
      const modelId = name ? (await modelNamed(call, name)).id : undefined;
      const list = await call('generations.list', { ...(modelId ? { modelId } : {}), ...(ctx.values.starred ? { starred: true } : {}) });
      if (!ctx.json) {
        if (list.length === 0) ctx.out('no generations yet');
        else
          for (const line of table([
            ['id', 'name', 'model', 'primer', 'takes', 'notes', 'time', 'made'],
            ...list.map((g) => [String(g.id), `${g.starred ? '★ ' : ''}${g.name}`, g.model, g.primerLabel, String(g.takeCount), String(g.noteCount), duration(g.seconds), g.createdAt.slice(0, 16).replace('T', ' ')]),
          ]))
            ctx.out(line);
      }
      return list.map((g) => ({ id: g.id, name: g.name, model: g.model, primer: g.primerLabel, takes: g.takeCount, notes: g.noteCount, starred: g.starred, created_at: g.createdAt }));
    });
  },
};
