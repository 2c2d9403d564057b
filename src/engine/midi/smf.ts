/**
 * A Standard MIDI File reader written for import: one pass over the bytes, straight into note
 * arrays, with a precise reason for every file it refuses and a documented repair for every
 * defect it can mend. (@tonejs/midi writes our exports and serves tests as an independent reader;
 * it neither reports byte positions nor keeps notes that are never released.)
 *
 * Repairs, each counted in `repairs`:
 * - a note never released ends at the end of its track;
 * - a note struck again while still held ends where it is struck again (one string per key);
 * - a note-off with no note held is ignored;
 * - a track without an End-of-Track event ends at its last event;
 * - more track chunks than the header declares are all read.
 * Zero-length notes (on and off at one tick, as drum hits often are) are kept.
 * SMPTE time division becomes ticks per quarter at the default 120 bpm, so seconds stay exact.
 * Format 2 files (independent sequences) are read like format 1, on one timeline.
 */
import type { NoteArrays } from '../../shared/music/notes';
import { DRUM_CHANNEL } from '../../shared/music/instruments';
import { TempoMap, type TempoChange } from './tempo-map';

export class MidiParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MidiParseError';
  }
}

export interface TimeSignature {
  tick: number;
  numerator: number;
  denominator: number;
}

export interface KeySignature {
  tick: number;
  /** -7 (7 flats) … +7 (7 sharps). */
  sharps: number;
  mode: 'major' | 'minor';
}

export type { NoteArrays };

export interface ParsedTrack {
  /** Index of the MTrk chunk the notes came from. */
  chunk: number;
  name: string;
  channel: number;
  program: number;
  isDrum: boolean;
  notes: NoteArrays;
}

export interface Repairs {
  unreleasedNotes: number;
  retriggeredNotes: number;
  orphanNoteOffs: number;
  missingEndOfTrack: number;
  extraTracks: number;
}

export interface ParsedMidi {
  format: number;
  ppq: number;
  /** Track chunks in the file. */
  trackChunks: number;
  tracks: ParsedTrack[];
  tempos: TempoChange[];
  timeSignatures: TimeSignature[];
  keySignatures: KeySignature[];
  durationTicks: number;
  durationSeconds: number;
  noteCount: number;
  repairs: Repairs;
}

/** Refuse pieces longer than a day: only corrupt or hostile delta times produce them. */
export const MAX_DURATION_SECONDS = 24 * 3600;

const MTHD = 0x4d546864;
const MTRK = 0x4d54726b;

function fourCC(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < Math.min(at + 4, bytes.length); i++) {
    const c = bytes[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = latin1.decode(bytes);
  }
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f]+/g, ' ').trim();
}

/** Growable columns for one (chunk, channel, program) group of notes. */
class NoteBuilder {
  pitch: number[] = [];
  velocity: number[] = [];
  start: number[] = [];
  end: number[] = [];

  add(pitch: number, velocity: number, start: number, end: number): void {
    this.pitch.push(pitch);
    this.velocity.push(velocity);
    this.start.push(start);
    this.end.push(end);
  }

  build(tempo: TempoMap): NoteArrays {
    const n = this.pitch.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => this.start[a]! - this.start[b]! || this.pitch[a]! - this.pitch[b]!);
    const out: NoteArrays = {
      pitch: new Uint8Array(n),
      velocity: new Uint8Array(n),
      startTick: new Uint32Array(n),
      endTick: new Uint32Array(n),
      startSec: new Float64Array(n),
      endSec: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      out.pitch[i] = this.pitch[j]!;
      out.velocity[i] = this.velocity[j]!;
      out.startTick[i] = this.start[j]!;
      out.endTick[i] = this.end[j]!;
      out.startSec[i] = tempo.toSeconds(this.start[j]!);
      out.endSec[i] = tempo.toSeconds(this.end[j]!);
    }
    return out;
  }
}

interface TrackScan {
  name: string;
  groups: Map<string, { channel: number; program: number; notes: NoteBuilder }>;
  endTick: number;
}

/** Unwraps a RIFF RMID container to the SMF it carries. */
function unwrapRiff(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 20 || fourCC(bytes, 0) !== 'RIFF' || fourCC(bytes, 8) !== 'RMID') return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const size = view.getUint32(at + 4, true);
    if (fourCC(bytes, at) === 'data') return bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    at += 8 + size + (size & 1);
  }
  throw new MidiParseError('RIFF MIDI file without a data chunk');
}

export function parseMidi(input: Uint8Array): ParsedMidi {
  if (input.length === 0) throw new MidiParseError('empty file');
  const bytes = unwrapRiff(input);
  if (bytes.length < 4 || new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) !== MTHD) {
    const start = fourCC(bytes, 0);
    throw new MidiParseError(`not a MIDI file (it starts with "${start}", not "MThd")`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 14) throw new MidiParseError(`truncated header: ${bytes.length} bytes, a MIDI header needs 14`);
  const headerLength = view.getUint32(4);
  if (headerLength < 6) throw new MidiParseError(`header chunk is ${headerLength} bytes long, it must be at least 6`);
  if (8 + headerLength > bytes.length) throw new MidiParseError(`truncated header: it claims ${headerLength} bytes, the file ends first`);
  const format = view.getUint16(8);
  const declaredTracks = view.getUint16(10);
  const division = view.getUint16(12);
  if (format > 2) throw new MidiParseError(`unknown MIDI format ${format} (only 0, 1 and 2 exist)`);
  if (declaredTracks === 0) throw new MidiParseError('the header declares zero tracks');

  let ppq: number;
  let smpte = false;
  if (division & 0x8000) {
    const fps = -((division >> 8) << 24 >> 24); // signed high byte: -24, -25, -29, -30
    const perFrame = division & 0xff;
    if (![24, 25, 29, 30].includes(fps) || perFrame === 0) throw new MidiParseError(`invalid SMPTE time division 0x${division.toString(16)}`);
    // With the default tempo (120 bpm = 2 quarters per second) this ppq makes ticks exact seconds.
    ppq = ((fps === 29 ? 29.97 : fps) * perFrame) / 2;
    smpte = true;
  } else {
    if (division === 0) throw new MidiParseError('zero ticks per quarter note');
    ppq = division;
  }

  const repairs: Repairs = { unreleasedNotes: 0, retriggeredNotes: 0, orphanNoteOffs: 0, missingEndOfTrack: 0, extraTracks: 0 };
  const tempos: TempoChange[] = [];
  const timeSignatures: TimeSignature[] = [];
  const keySignatures: KeySignature[] = [];
  const scans: TrackScan[] = [];

  let at = 8 + headerLength;
  let chunkIndex = 0;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) {
      // A few stray bytes after the last chunk are common padding; before the last declared track, truncation.
      if (scans.length >= declaredTracks) break;
      throw new MidiParseError(`truncated chunk header at byte ${at}`);
    }
    const id = view.getUint32(at);
    const length = view.getUint32(at + 4);
    const body = at + 8;
    if (id === MTRK) {
      if (body + length > bytes.length) {
        throw new MidiParseError(
          `truncated track chunk at byte ${at}: it claims ${length} bytes, only ${bytes.length - body} remain`,
        );
      }
      scans.push(scanTrack(bytes, view, body, body + length, chunkIndex, tempos, timeSignatures, keySignatures, repairs, smpte));
      chunkIndex++;
    } else if (body + length > bytes.length) {
      if (scans.length >= declaredTracks) break; // trailing junk after the declared tracks
      throw new MidiParseError(`chunk "${fourCC(bytes, at)}" at byte ${at} claims ${length} bytes, only ${bytes.length - body} remain`);
    }
    at = body + length;
  }
  if (scans.length < declaredTracks) {
    throw new MidiParseError(`the header declares ${declaredTracks} tracks but the file holds ${scans.length}`);
  }
  repairs.extraTracks = scans.length - declaredTracks;

  const tempoMap = new TempoMap(ppq, tempos);
  const durationTicks = scans.reduce((max, s) => Math.max(max, s.endTick), 0);
  const durationSeconds = tempoMap.toSeconds(durationTicks);
  if (durationSeconds > MAX_DURATION_SECONDS) {
    throw new MidiParseError(`the piece would last ${Math.round(durationSeconds / 3600)} hours: its delta times are not plausible`);
  }

  const tracks: ParsedTrack[] = [];
  let noteCount = 0;
  scans.forEach((scan, chunk) => {
    for (const group of scan.groups.values()) {
      if (group.notes.pitch.length === 0) continue;
      const notes = group.notes.build(tempoMap);
      noteCount += notes.pitch.length;
      tracks.push({ chunk, name: scan.name, channel: group.channel, program: group.program, isDrum: group.channel === DRUM_CHANNEL, notes });
    }
  });

  const byTick = <T extends { tick: number }>(a: T, b: T) => a.tick - b.tick;
  return {
    format,
    ppq,
    trackChunks: scans.length,
    tracks,
    tempos: tempos.sort(byTick),
    timeSignatures: timeSignatures.sort(byTick),
    keySignatures: keySignatures.sort(byTick),
    durationTicks,
    durationSeconds,
    noteCount,
    repairs,
  };
}

function scanTrack(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  chunk: number,
  tempos: TempoChange[],
  timeSignatures: TimeSignature[],
  keySignatures: KeySignature[],
  repairs: Repairs,
  smpte: boolean,
): TrackScan {
  const scan: TrackScan = { name: '', groups: new Map(), endTick: 0 };
  const programs = new Uint8Array(16);
  // Open notes per channel*128+pitch: start tick, velocity, program at note-on.
  const openStart = new Map<number, number>();
  const openVelocity = new Map<number, number>();
  const openProgram = new Map<number, number>();
  const retriggeredAt = new Map<number, number>();
  let at = start;
  let tick = 0;
  let status = 0;
  let sawEnd = false;

  const where = () => `at byte ${at} in track ${chunk + 1}`;
  const need = (n: number) => {
    if (at + n > end) throw new MidiParseError(`truncated event ${where()}`);
  };
  const readVlq = (): number => {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      need(1);
      const b = bytes[at++]!;
      value = value * 128 + (b & 0x7f);
      if (!(b & 0x80)) return value;
    }
    throw new MidiParseError(`variable-length number longer than 4 bytes ${where()}`);
  };
  const group = (channel: number, program: number) => {
    const key = `${channel}:${channel === DRUM_CHANNEL ? 0 : program}`;
    let g = scan.groups.get(key);
    if (!g) scan.groups.set(key, (g = { channel, program: channel === DRUM_CHANNEL ? 0 : program, notes: new NoteBuilder() }));
    return g;
  };
  const close = (key: number, endTick: number) => {
    const channel = key >> 7;
    group(channel, openProgram.get(key)!).notes.add(key & 0x7f, openVelocity.get(key)!, openStart.get(key)!, endTick);
    openStart.delete(key);
  };

  while (at < end) {
    tick += readVlq();
    need(1);
    let byte = bytes[at]!;
    if (byte >= 0x80) {
      at++;
      if (byte < 0xf0) status = byte; // running status applies to channel messages only
    } else {
      if (status === 0) throw new MidiParseError(`data byte 0x${byte.toString(16)} without a status byte ${where()}`);
      byte = status;
    }

    if (byte === 0xff) {
      need(1);
      const type = bytes[at++]!;
      const length = readVlq();
      need(length);
      const data = at;
      at += length;
      if (type === 0x2f) {
        sawEnd = true;
        break;
      } else if (type === 0x03 && !scan.name) {
        scan.name = decodeText(bytes.subarray(data, data + length));
      } else if (type === 0x51 && length >= 3 && !smpte) {
        const us = (bytes[data]! << 16) | (bytes[data + 1]! << 8) | bytes[data + 2]!;
        if (us > 0) tempos.push({ tick, usPerQuarter: us });
      } else if (type === 0x58 && length >= 2) {
        const numerator = bytes[data]!;
        const power = bytes[data + 1]!;
        if (numerator > 0 && power <= 6) timeSignatures.push({ tick, numerator, denominator: 2 ** power });
      } else if (type === 0x59 && length >= 2) {
        const sharps = view.getInt8(data);
        if (sharps >= -7 && sharps <= 7) keySignatures.push({ tick, sharps, mode: bytes[data + 1] === 1 ? 'minor' : 'major' });
      }
      continue;
    }
    if (byte === 0xf0 || byte === 0xf7) {
      const length = readVlq();
      need(length);
      at += length;
      continue;
    }
    if (byte >= 0xf0) throw new MidiParseError(`unexpected system message 0x${byte.toString(16)} ${where()}`);

    const kind = byte & 0xf0;
    const channel = byte & 0x0f;
    const size = kind === 0xc0 || kind === 0xd0 ? 1 : 2;
    need(size);
    const d1 = bytes[at]!;
    const d2 = size === 2 ? bytes[at + 1]! : 0;
    if (d1 > 0x7f || d2 > 0x7f) throw new MidiParseError(`data byte above 127 ${where()}`);
    at += size;

    if (kind === 0x90 && d2 > 0) {
      const key = (channel << 7) | d1;
      if (openStart.has(key)) {
        close(key, tick);
        repairs.retriggeredNotes++;
        retriggeredAt.set(key, tick);
      }
      openStart.set(key, tick);
      openVelocity.set(key, d2);
      openProgram.set(key, programs[channel]!);
    } else if (kind === 0x80 || kind === 0x90) {
      const key = (channel << 7) | d1;
      const started = openStart.get(key);
      if (started === undefined) repairs.orphanNoteOffs++;
      else if (started === tick && retriggeredAt.get(key) === tick) {
        // The release of the note this strike just ended, written after the strike: not this note's end.
        retriggeredAt.delete(key);
      } else close(key, tick);
    } else if (kind === 0xc0) {
      programs[channel] = d1;
    }
  }

  if (!sawEnd) repairs.missingEndOfTrack++;
  scan.endTick = tick;
  for (const key of [...openStart.keys()]) {
    close(key, tick);
    repairs.unreleasedNotes++;
  }
  return scan;
}
