import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine';
import type { EventMessage, MethodName } from '../../src/shared/api';
import type { GenerationInfo, GenerationSummary, Take } from '../../src/shared/generation';
import type { GenerationCheck } from '../../src/shared/originality';
import type { ModelEvaluation } from '../../src/shared/evaluation';
import { seededRandom } from '../../src/shared/random';
import type { PieceDetail, PieceSummary } from '../../src/shared/library';
import type { CheckpointInfo, RunInfo } from '../../src/shared/training';
import { Midi } from '../helpers/tonejs';
import { parseMidi } from '../../src/engine/midi/smf';

let engine: Engine;
let modelId: number;
let piece: PieceDetail;
// One database for the whole file (tempDir() would remove it after the first test).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etude-generate-'));

async function call<T = unknown>(method: MethodName, input: unknown): Promise<T> {
  const reply = await engine.call(method, input);
  if (!reply.ok) throw new Error(`${reply.error.kind}: ${reply.error.message}`);
  return reply.value as T;
}

/** Ticks where bar `n` (1-based) of the piece starts, from its first meter (the starter tunes keep one). */
function barTick(p: PieceDetail, n: number): number {
  const m = p.timeSignatures[0] ?? { numerator: 4, denominator: 4 };
  return ((n - 1) * m.numerator * 4 * p.ppq) / m.denominator;
}

const continuation = (t: Take) => t.notes.filter((n) => n.startTick >= t.seamTick);

beforeAll(async () => {
  engine = Engine.open({ dbPath: path.join(dir, 'generate.db') });
  const [corpus] = await call<{ id: number }[]>('corpora.list', {});
  const vocab = await call<{ id: number }>('vocabularies.build', { corpusId: corpus!.id, encoding: 'events' });
  const run = await call<RunInfo>('training.start', {
    vocabularyId: vocab.id,
    model: 'folk',
    spec: { arch: 'lstm', embedding: 16, units: 64, layers: 1, dropout: 0, dense: 0 },
    hyperparams: { epochs: 2, batchSize: 32, sequenceLength: 32, stride: 4, learningRate: 0.01, seed: 3 },
  });
  // Before its first checkpoint, the model cannot generate, and says why.
  const early = await engine.call('generations.generate', { modelId: run.modelId, primer: { kind: 'none' } });
  expect(early).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/no checkpoint yet/) } });
  const done = await engine.training.waitFor(run.id);
  expect(done.status).toBe('completed');
  modelId = run.modelId;
  const pieces = await call<{ pieces: PieceSummary[] }>('pieces.list', { corpusId: corpus!.id, sort: 'notes', descending: true, limit: 1 });
  piece = await call<PieceDetail>('pieces.get', { id: pieces.pieces[0]!.id });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('generation (real worker, trained model, real database)', () => {
  it('continues bars 1–4 of a stored piece: the passage kept note for note, the takes after the seam, the same seed the same takes', async () => {
    const progress: number[] = [];
    const off = engine.on((m: EventMessage) => {
      if (m.event === 'generations.progress' && m.payload.jobId === 'job-a') progress.push(m.payload.done);
    });
    const input = { modelId, primer: { kind: 'piece', pieceId: piece.id, bars: [1, 4] }, length: { unit: 'bars', value: 4 }, variations: 3, seed: 11, temperature: 1 };
    const g = await call<GenerationInfo>('generations.generate', { ...input, jobId: 'job-a' });
    off();
    expect(progress.length).toBeGreaterThan(0);
    expect(g.takes).toHaveLength(3);
    expect(g.primerLabel).toBe(`Starter tunes/${piece.title}@bars=1-4`);
    const seam = barTick(piece, 5);
    // The passage, read independently from the stored piece: every note starting before bar 5.
    const track = piece.tracks.find((t) => t.noteCount > 0)!;
    const expected = track.notes.pitch
      .map((p, i) => ({ pitch: p, startTick: track.notes.startTick[i]! }))
      .filter((n) => n.startTick < seam)
      .sort((a, b) => a.startTick - b.startTick || a.pitch - b.pitch);
    for (const take of g.takes) {
      expect(take.seamTick).toBe(seam);
      expect(take.notes.filter((n) => n.startTick < seam).map((n) => ({ pitch: n.pitch, startTick: n.startTick }))).toEqual(expected);
      const more = continuation(take);
      expect(more.length).toBeGreaterThan(0);
      expect(Math.max(...more.map((n) => n.endTick))).toBeLessThanOrEqual(barTick(piece, 9));
      expect(more.every((n) => n.endSec >= n.startSec && n.startSec >= take.seamSec - 1e-9)).toBe(true);
    }
    // Sampling differs between takes, and the same seed and parameters give the same takes.
    expect(JSON.stringify(continuation(g.takes[0]!))).not.toBe(JSON.stringify(continuation(g.takes[1]!)));
    const again = await call<GenerationInfo>('generations.generate', input);
    expect(again.takes.map(continuation)).toEqual(g.takes.map(continuation));
    const other = await call<GenerationInfo>('generations.generate', { ...input, seed: 12 });
    expect(other.takes.map(continuation)).not.toEqual(g.takes.map(continuation));
  });

  it('honours key, range and greedy decoding for any model', async () => {
    const g = await call<GenerationInfo>('generations.generate', {
      modelId,
      primer: { kind: 'piece', pieceId: piece.id, bars: [1, 2] },
      length: { unit: 'tokens', value: 120 },
      variations: 2,
      constraints: { key: { tonic: 2, scale: 'major pentatonic' }, pitchRange: [62, 76] },
    });
    const pcs = new Set([2, 4, 6, 9, 11]);
    for (const take of g.takes) {
      const more = continuation(take);
      expect(more.length).toBeGreaterThan(0);
      expect(more.every((n) => n.pitch >= 62 && n.pitch <= 76 && pcs.has(n.pitch % 12))).toBe(true);
    }
    const greedy = await call<GenerationInfo>('generations.generate', { modelId, primer: { kind: 'none' }, length: { unit: 'tokens', value: 60 }, variations: 3, greedy: true, seed: 4 });
    // Greedy from the same first token gives the same take; the first token is drawn per take, so compare takes that start alike.
    expect(greedy.takes.every((t) => t.tokens === 60)).toBe(true);
  });

  it('stores generations: listed per model, renamed, starred, continued from, one take regenerated, deleted', async () => {
    const g = await call<GenerationInfo>('generations.generate', { modelId, primer: { kind: 'piece', pieceId: piece.id, bars: [1, 2] }, length: { unit: 'bars', value: 2 }, variations: 2, seed: 5 });
    expect((await call<GenerationSummary[]>('generations.list', { modelId })).map((s) => s.id)).toContain(g.id);
    expect((await call<GenerationInfo>('generations.rename', { id: g.id, name: '  Keeper ' })).name).toBe('Keeper');
    expect((await call<GenerationInfo>('generations.star', { id: g.id, starred: true })).starred).toBe(true);
    expect((await call<GenerationSummary[]>('generations.list', { starred: true })).map((s) => s.id)).toEqual([g.id]);
    // Takes are starred one by one; the generation counts as starred while any take is.
    await call('generations.star', { id: g.id, starred: false });
    const starredTake = await call<GenerationInfo>('generations.starTake', { id: g.id, take: 1, starred: true });
    expect(starredTake.takes.map((t) => t.starred === true)).toEqual([false, true]);
    expect(starredTake.starred).toBe(true);

    const child = await call<GenerationInfo>('generations.generate', { modelId, primer: { kind: 'generation', generationId: g.id, take: 1 }, length: { unit: 'bars', value: 1 }, variations: 1 });
    expect(child.parentId).toBe(g.id);
    // The child's passage is the parent's whole take 1.
    expect(child.takes[0]!.notes.filter((n) => n.startTick < child.takes[0]!.seamTick).length).toBe(
      g.takes[1]!.notes.filter((n) => n.startTick < child.takes[0]!.seamTick).length,
    );

    const redone = await call<GenerationInfo>('generations.regenerate', { id: g.id, take: 1, seed: 999 });
    expect(redone.takes[0]).toEqual(g.takes[0]);
    expect(redone.takes[1]!.starred).toBe(false); // new music starts unstarred
    expect(redone.starred).toBe(false);
    expect(continuation(redone.takes[1]!)).not.toEqual(continuation(g.takes[1]!));
    expect(redone.takes[1]!.notes.filter((n) => n.startTick < g.takes[1]!.seamTick)).toEqual(g.takes[1]!.notes.filter((n) => n.startTick < g.takes[1]!.seamTick));

    // A take as MIDI, read back by our own reader: whole, with its tempo, or the continuation alone from tick 0.
    const exportTake = async (part: 'whole' | 'continuation') =>
      (await call<{ files: { name: string; data: string }[] }>('generations.export', { ids: [g.id], takes: [0], part })).files[0]!;
    const whole = await exportTake('whole');
    expect(whole.name).toBe(`folk - ${piece.title} - bars 1-2 - take 1.mid`);
    const wholeMidi = parseMidi(Buffer.from(whole.data, 'base64'));
    expect(wholeMidi.tracks.reduce((n, t) => n + t.notes.pitch.length, 0)).toBe(redone.takes[0]!.notes.length);
    expect(wholeMidi.tempos[0]!.usPerQuarter).toBe(g.tempos[0]?.usPerQuarter ?? 500_000);
    const part = parseMidi(Buffer.from((await exportTake('continuation')).data, 'base64'));
    const more = continuation(redone.takes[0]!);
    const scale = 480 / g.ppq;
    const starts = part.tracks.flatMap((t) => Array.from(t.notes.startTick)).sort((a, b) => a - b);
    expect(starts).toEqual(more.map((n) => Math.round((n.startTick - redone.takes[0]!.seamTick) * scale)).sort((a, b) => a - b));

    expect(await engine.call('generations.delete', { id: g.id })).toMatchObject({ ok: false, error: { kind: 'invalid_input' } }); // confirm required
    await call('generations.delete', { id: g.id, confirm: true });
    expect(await engine.call('generations.get', { id: g.id })).toMatchObject({ ok: false, error: { kind: 'not_found' } });
    expect((await call<GenerationInfo>('generations.get', { id: child.id })).parentId).toBeNull();
  });

  it('continues a dropped MIDI file, and names a corrupt one', async () => {
    const midi = new Midi();
    midi.header.setTempo(100);
    const track = midi.addTrack();
    [60, 62, 64, 65, 67, 65, 64, 62].forEach((pitch, i) => track.addNote({ midi: pitch, ticks: i * midi.header.ppq, durationTicks: midi.header.ppq, velocity: 0.8 }));
    const data = Buffer.from(midi.toArray()).toString('base64');
    const g = await call<GenerationInfo>('generations.generate', { modelId, primer: { kind: 'midi', name: 'scale.mid', data }, length: { unit: 'bars', value: 2 }, variations: 1 });
    expect(g.primer).toEqual({ kind: 'midi', name: 'scale.mid' }); // the bytes are not kept
    expect(g.tempos[0]!.usPerQuarter).toBe(600_000);
    expect(g.takes[0]!.notes.slice(0, 8).map((n) => n.pitch)).toEqual([60, 62, 64, 65, 67, 65, 64, 62]);
    const bad = await engine.call('generations.generate', { modelId, primer: { kind: 'midi', name: 'broken.mid', data: Buffer.from('MThd garbage').toString('base64') } });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/^broken\.mid is not a MIDI file we can read: /) } });
  });

  it('cancels a generation, storing nothing; refuses impossible lengths and a bar past the end', async () => {
    const before = (await call<GenerationSummary[]>('generations.list', {})).length;
    const off = engine.on((m: EventMessage) => {
      if (m.event === 'generations.progress' && m.payload.jobId === 'long') void engine.call('generations.cancel', { jobId: 'long' });
    });
    const cancelled = await engine.call('generations.generate', { modelId, primer: { kind: 'none' }, length: { unit: 'tokens', value: 20_000 }, jobId: 'long' });
    off();
    expect(cancelled).toMatchObject({ ok: false, error: { kind: 'cancelled', message: expect.stringMatching(/nothing was stored/) } });
    expect((await call<GenerationSummary[]>('generations.list', {})).length).toBe(before);

    expect(await engine.call('generations.generate', { modelId, primer: { kind: 'none' }, length: { unit: 'tokens', value: 50_000 } })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_input', message: expect.stringMatching(/impossible/) },
    });
    expect(await engine.call('generations.generate', { modelId, primer: { kind: 'piece', pieceId: piece.id, bars: [900, 901] } })).toMatchObject({
      ok: false,
      error: { kind: 'invalid_input', message: expect.stringMatching(/has \d+ bars; the passage starts at bar 900/) },
    });
    const checkpoints = await call<CheckpointInfo[]>('models.checkpoints', { modelId });
    expect(checkpoints.length).toBeGreaterThan(0);
  });

  it('exports takes as MIDI at 480 ticks a quarter, read back note for note by our own reader, as files, as tracks, quantised, into a folder', async () => {
    // A primer at 96 ticks a quarter, in 3/4 at 90 bpm: the export rescales to 480 and keeps tempo and meter.
    const source = new Midi();
    source.header.fromJSON({ name: '', ppq: 96, meta: [], tempos: [{ ticks: 0, bpm: 90 }], timeSignatures: [{ ticks: 0, timeSignature: [3, 4] }], keySignatures: [] });
    source.header.update();
    const track = source.addTrack();
    [62, 66, 69, 74, 69, 66].forEach((pitch, i) => track.addNote({ midi: pitch, ticks: i * 96, durationTicks: 90, velocity: (40 + i * 10) / 127 }));
    const g = await call<GenerationInfo>('generations.generate', {
      modelId,
      primer: { kind: 'midi', name: 'waltz.mid', data: Buffer.from(source.toArray()).toString('base64') },
      length: { unit: 'bars', value: 2 },
      variations: 2,
      seed: 21,
    });
    expect(g.ppq).toBe(96);
    const files = (await call<{ files: { name: string; data: string }[] }>('generations.export', { ids: [g.id] })).files;
    expect(files.map((f) => f.name)).toEqual(['folk - waltz - take 1.mid', 'folk - waltz - take 2.mid']);
    files.forEach((file, t) => {
      const midi = parseMidi(Buffer.from(file.data, 'base64'));
      expect(midi.ppq).toBe(480);
      expect(midi.tempos[0]!.usPerQuarter).toBe(g.tempos[0]!.usPerQuarter); // 90 bpm, as the source file wrote it
      expect(midi.timeSignatures[0]).toMatchObject({ numerator: 3, denominator: 4 });
      const read = midi.tracks.flatMap((tr) => Array.from(tr.notes.pitch, (pitch, i) => ({ pitch, start: tr.notes.startTick[i]!, end: tr.notes.endTick[i]!, velocity: tr.notes.velocity[i]! })));
      const shown = g.takes[t]!.notes.map((n) => ({ pitch: n.pitch, start: n.startTick * 5, end: n.endTick * 5, velocity: n.velocity }));
      const order = (a: { start: number; pitch: number }, b: { start: number; pitch: number }) => a.start - b.start || a.pitch - b.pitch;
      read.sort(order);
      shown.sort(order);
      expect(read.length).toBe(shown.length);
      read.forEach((r, i) => {
        expect(r.pitch).toBe(shown[i]!.pitch);
        expect(Math.abs(r.start - shown[i]!.start)).toBeLessThanOrEqual(1);
        expect(Math.abs(r.end - r.start - (shown[i]!.end - shown[i]!.start))).toBeLessThanOrEqual(1);
        expect(r.velocity).toBe(shown[i]!.velocity);
      });
    });

    const [both] = (await call<{ files: { name: string; data: string }[] }>('generations.export', { ids: [g.id], layout: 'tracks' })).files;
    expect(both!.name).toBe('folk - waltz - all takes.mid');
    expect(parseMidi(Buffer.from(both!.data, 'base64')).tracks.map((tr) => tr.name)).toEqual([`folk - ${g.name} - take 1`, `folk - ${g.name} - take 2`]);

    const [snapped] = (await call<{ files: { name: string; data: string }[] }>('generations.export', { ids: [g.id], takes: [0], part: 'continuation', quantize: '1/16' })).files;
    expect(snapped!.name).toBe('folk - waltz - take 1 (continuation).mid');
    const cont = parseMidi(Buffer.from(snapped!.data, 'base64'));
    const starts = cont.tracks.flatMap((tr) => Array.from(tr.notes.startTick));
    expect(starts.length).toBe(continuation(g.takes[0]!).length);
    expect(starts.every((s) => s % 120 === 0)).toBe(true);
    expect(await engine.call('generations.export', { ids: [g.id], quantize: '1/7x' })).toMatchObject({ ok: false, error: { kind: 'invalid_input', message: expect.stringMatching(/1\/16/) } });

    const folder = path.join(dir, 'exports');
    const first = (await call<{ files: string[] }>('generations.exportToFolder', { ids: [g.id], folder })).files;
    const again = (await call<{ files: string[] }>('generations.exportToFolder', { ids: [g.id], folder })).files;
    expect(first.map((f) => path.basename(f))).toEqual(['folk - waltz - take 1.mid', 'folk - waltz - take 2.mid']);
    expect(again.map((f) => path.basename(f))).toEqual(['folk - waltz - take 1 2.mid', 'folk - waltz - take 2 2.mid']); // nothing overwritten
    expect(fs.readFileSync(first[0]!).equals(Buffer.from(files[0]!.data, 'base64'))).toBe(true);
    expect(await engine.call('generations.exportToFolder', { ids: [g.id], folder: 'relative/place' })).toMatchObject({ ok: false, error: { kind: 'invalid_input' } });
  });

  it('flags a take that copies 16 bars of a corpus piece, transposed, with its source; passes a random take', async () => {
    const store = engine.store;
    const track = piece.tracks.find((t) => t.noteCount > 0)!;
    const [from, to] = [barTick(piece, 3), barTick(piece, 19)];
    const notes = track.notes.pitch
      .map((p, i) => ({ pitch: p + 5, velocity: 90, startTick: track.notes.startTick[i]! - from, endTick: track.notes.endTick[i]! - from, startSec: 0, endSec: 0, program: 0 }))
      .filter((n) => n.startTick >= 0 && n.startTick < to - from);
    expect(notes.length).toBeGreaterThan(20);
    const random = seededRandom(99);
    const noise = Array.from({ length: 64 }, (_, i) => ({ pitch: 50 + Math.floor(random() * 30), velocity: 90, startTick: i * 240 + Math.floor(random() * 3) * 80, endTick: i * 240 + 200, startSec: 0, endSec: 0, program: 0 }));
    const model = store.models.get(modelId);
    const checkpoint = store.runs.generationCheckpoint(modelId);
    const g = store.generations.insert({
      name: 'copied and random',
      modelId,
      checkpointId: checkpoint.id,
      checkpointEpoch: checkpoint.epoch,
      primerLabel: 'no primer',
      primer: { kind: 'none' },
      params: { length: { unit: 'bars', value: 16 }, temperature: 1, topK: 0, topP: 1, greedy: false, variations: 2, seed: 1, constraints: {}, baseWeight: 0 },
      parentId: null,
      ppq: piece.ppq,
      tempos: piece.tempos,
      timeSignatures: piece.timeSignatures,
      takes: [
        { index: 0, notes, seamTick: 0, seamSec: 0, tokens: 0 },
        { index: 1, notes: noise, seamTick: 0, seamSec: 0, tokens: 0 },
      ],
      notices: [],
      seconds: 0,
    });
    expect(model.corpusId).not.toBeNull();
    const check = await call<GenerationCheck>('generations.check', { id: g.id });
    const [copied, fresh] = check.takes;
    expect(copied!.copies).toBe(true);
    expect(copied!.longestMatchNotes).toBeGreaterThanOrEqual(notes.length - 1);
    expect(copied!.source!.pieceId).toBe(piece.id);
    expect(Math.abs(copied!.source!.bars[0] - 3)).toBeLessThanOrEqual(1);
    expect(Math.abs(copied!.source!.bars[1] - 18)).toBeLessThanOrEqual(1);
    expect(copied!.matchTicks![0]).toBeLessThanOrEqual(notes[1]!.startTick);
    expect(fresh!.copies).toBe(false);
    expect(fresh!.longestMatchNotes).toBeLessThan(8);
    expect(check.checkMs).toBeGreaterThan(0);
    // A stricter threshold than the copy's length passes it.
    expect((await call<GenerationCheck>('generations.check', { id: g.id, threshold: notes.length + 10 })).takes[0]!.copies).toBe(false);
  });

  it('scores the model on its validation pieces by kind of token, agreeing with the validation loss training recorded', async () => {
    const evaluation = await call<ModelEvaluation>('models.evaluate', { modelId });
    const checkpoint = (await call<CheckpointInfo[]>('models.checkpoints', { modelId })).find((c) => c.id === evaluation.checkpointId)!;
    expect(checkpoint.kind).toBe('best');
    expect(evaluation.loss).toBeCloseTo(checkpoint.valLoss!, 3);
    expect(evaluation.perplexity).toBeCloseTo(Math.exp(evaluation.loss), 6);
    const types = evaluation.byType.map((t) => t.type);
    expect(types).toEqual(expect.arrayContaining(['Pitch', 'Dur', 'Pos', 'Bar']));
    expect(evaluation.byType.reduce((a, t) => a + t.share, 0)).toBeCloseTo(1, 6);
    expect(evaluation.byType.reduce((a, t) => a + t.loss * t.tokens, 0) / evaluation.tokens).toBeCloseTo(evaluation.loss, 6);
    expect(evaluation.accuracy).toBeGreaterThan(0);
  });

  it('renames and deletes a model with its runs, checkpoints and generations, never while it trains', async () => {
    const before = (await call<GenerationSummary[]>('generations.list', { modelId })).length;
    expect(before).toBeGreaterThan(0);
    expect((await call<{ name: string }>('models.rename', { id: modelId, name: ' folk, renamed ' })).name).toBe('folk, renamed');
    const other = await call<RunInfo>('training.start', {
      vocabularyId: engine.store.models.get(modelId).vocabularyId,
      model: 'busy',
      spec: { arch: 'lstm', embedding: 8, units: 16, layers: 1, dropout: 0, dense: 0 },
      hyperparams: { epochs: 50, batchSize: 32, sequenceLength: 32, stride: 4 },
    });
    expect(await engine.call('models.rename', { id: other.modelId, name: 'Folk, Renamed' })).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(await engine.call('models.delete', { id: other.modelId, confirm: true })).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringMatching(/is training/) } });
    await call('training.cancel', { runId: other.id });
    await engine.training.waitFor(other.id);
    expect(await engine.call('models.delete', { id: modelId })).toMatchObject({ ok: false, error: { kind: 'invalid_input' } }); // confirm required
    const freed = await call<{ runs: number; checkpoints: number; generations: number }>('models.delete', { id: modelId, confirm: true });
    expect(freed.runs).toBe(1);
    expect(freed.checkpoints).toBeGreaterThan(0);
    expect(freed.generations).toBe(before);
    expect((await call<{ id: number }[]>('models.list', {})).map((m) => m.id)).not.toContain(modelId);
    expect(await call<GenerationSummary[]>('generations.list', { modelId })).toEqual([]);
    expect((await call<{ name: string }[]>('corpora.list', {})).map((c) => c.name)).toContain('Starter tunes'); // the corpus stays
  });
});
