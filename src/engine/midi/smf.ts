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
  /** What kind of damage, where a reader of generated MIDI (ABC) must tell it apart from the rest. */
  constructor(
    message: string,
    readonly damage: 'data-byte' | null = null,
  ) {
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
/** Ticks are stored as 32-bit numbers: a file whose delta times add up past them is refused, not wrapped. */
export const MAX_TICK = 0xffff_ffff;
/** Tracks (a chunk's notes by channel and instrument) a file may hold: an orchestra has a few dozen. */
export const MAX_TRACKS = 4096;
/** Tempo, meter and key changes a file may hold: no score comes near it. */
export const MAX_TIMELINE_EVENTS = 100_000;

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

/** Whether music21 can read a name at all: it decodes the whole text as UTF-8, and makes a nameless instrument of one it cannot. */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A name as music21 reads it: UTF-8 up to the first NUL (MuseScore ends names with one), trimmed. */
function nameText(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder('utf-8').decode(nul >= 0 ? bytes.subarray(0, nul) : bytes).trim();
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

/**
 * One event as a track chunk holds it, for readers that need the file's own order (seed 000's
 * music21 reading): note strikes and releases, program changes, names and meters.
 */
export type SmfEvent =
  | { type: 'on'; tick: number; channel: number; pitch: number; velocity: number }
  | { type: 'off'; tick: number; channel: number; pitch: number }
  | { type: 'program'; tick: number; channel: number; program: number }
  | { type: 'name'; tick: number; meta: 'track' | 'instrument'; text: string; decodable: boolean }
  | { type: 'meter'; tick: number; numerator: number; denominator: number }
  /** A tempo or key signature: music21 keeps one as an element of the track, which its quantising looks ahead to. */
  | { type: 'mark'; tick: number };

/** Shared by every track of a file: the timeline events and the repairs made. */
interface FileState {
  /** Told every event of interest, chunk by chunk in file order, when a reader asks. */
  visit?: (chunk: number, event: SmfEvent) => void;
  tempos: TempoChange[];
  timeSignatures: TimeSignature[];
  keySignatures: KeySignature[];
  repairs: Repairs;
  /** SMPTE time: tempo events do not apply (ticks are fixed fractions of a second). */
  smpte: boolean;
  /** Counts against the limits, over the whole file. */
  groups: number;
  timelineEvents: number;
}

/** The header chunk: format, tracks declared and the time division as ticks a quarter note. */
function readHeader(bytes: Uint8Array, view: DataView): { format: number; declaredTracks: number; ppq: number; smpte: number | null; headerLength: number } {
  if (bytes.length < 4 || view.getUint32(0) !== MTHD) throw new MidiParseError(`not a MIDI file (it starts with "${fourCC(bytes, 0)}", not "MThd")`);
  if (bytes.length < 14) throw new MidiParseError(`truncated header: ${bytes.length} bytes, a MIDI header needs 14`);
  const headerLength = view.getUint32(4);
  if (headerLength < 6) throw new MidiParseError(`header chunk is ${headerLength} bytes long, it must be at least 6`);
  if (8 + headerLength > bytes.length) throw new MidiParseError(`truncated header: it claims ${headerLength} bytes, the file ends first`);
  const format = view.getUint16(8);
  const declaredTracks = view.getUint16(10);
  const division = view.getUint16(12);
  if (format > 2) throw new MidiParseError(`unknown MIDI format ${format} (only 0, 1 and 2 exist)`);
  if (declaredTracks === 0) throw new MidiParseError('the header declares zero tracks');
  if (division & 0x8000) {
    const fps = -((division >> 8) << 24 >> 24); // signed high byte: -24, -25, -29, -30
    const perFrame = division & 0xff;
    if (![24, 25, 29, 30].includes(fps) || perFrame === 0) throw new MidiParseError(`invalid SMPTE time division 0x${division.toString(16)}`);
    // Ticks are fractions of a second: a whole number of them a "quarter" of one second (29.97
    // drop-frame counted as 30), and a tempo that makes that quarter last what the frames say.
    const ppq = (fps === 29 ? 30 : fps) * perFrame;
    const usPerQuarter = Math.round((1e6 * ppq) / ((fps === 29 ? 30_000 / 1001 : fps) * perFrame));
    return { format, declaredTracks, ppq, smpte: usPerQuarter, headerLength };
  }
  if (division === 0) throw new MidiParseError('zero ticks per quarter note');
  return { format, declaredTracks, ppq: division, smpte: null, headerLength };
}

/** Every track chunk, scanned; other chunks skipped, trailing junk after the declared tracks tolerated. */
function readChunks(bytes: Uint8Array, view: DataView, from: number, declaredTracks: number, state: FileState): TrackScan[] {
  const scans: TrackScan[] = [];
  let at = from;
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
      if (body + length > bytes.length) throw new MidiParseError(`truncated track chunk at byte ${at}: it claims ${length} bytes, only ${bytes.length - body} remain`);
      scans.push(new TrackScanner(bytes, view, body, body + length, scans.length, state).scan());
    } else if (body + length > bytes.length) {
      if (scans.length >= declaredTracks) break; // trailing junk after the declared tracks
      throw new MidiParseError(`chunk "${fourCC(bytes, at)}" at byte ${at} claims ${length} bytes, only ${bytes.length - body} remain`);
    }
    at = body + length;
  }
  if (scans.length < declaredTracks) throw new MidiParseError(`the header declares ${declaredTracks} tracks but the file holds ${scans.length}`);
  return scans;
}

/**
 * Timeline events in tick order that change something: at one tick the last one written stands,
 * and one that repeats what is in force already is left out (a file that writes its meter every
 * bar has one meter).
 */
function changes<T extends { tick: number }>(events: T[], value: (e: T) => string): T[] {
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.tick - b.e.tick || a.i - b.i).map((x) => x.e);
  const out: T[] = [];
  for (const e of sorted) {
    if (out.length > 0 && out.at(-1)!.tick === e.tick) out.pop();
    if (out.length > 0 && value(out.at(-1)!) === value(e)) continue;
    out.push(e);
  }
  return out;
}

export function parseMidi(input: Uint8Array, visit?: FileState['visit']): ParsedMidi {
  if (input.length === 0) throw new MidiParseError('empty file');
  const bytes = unwrapRiff(input);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { format, declaredTracks, ppq, smpte, headerLength } = readHeader(bytes, view);
  const state: FileState = {
    // SMPTE time has one fixed tempo (its tempo events do not apply).
    tempos: smpte === null ? [] : [{ tick: 0, usPerQuarter: smpte }],
    timeSignatures: [],
    keySignatures: [],
    repairs: { unreleasedNotes: 0, retriggeredNotes: 0, orphanNoteOffs: 0, missingEndOfTrack: 0, extraTracks: 0 },
    smpte: smpte !== null,
    groups: 0,
    timelineEvents: 0,
    ...(visit ? { visit } : {}),
  };
  const scans = readChunks(bytes, view, 8 + headerLength, declaredTracks, state);
  state.repairs.extraTracks = scans.length - declaredTracks;

  const tempoMap = new TempoMap(ppq, state.tempos);
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
  return {
    format,
    ppq,
    trackChunks: scans.length,
    tracks,
    tempos: changes(state.tempos, (t) => String(t.usPerQuarter)),
    timeSignatures: changes(state.timeSignatures, (m) => `${m.numerator}/${m.denominator}`),
    keySignatures: changes(state.keySignatures, (k) => `${k.sharps}${k.mode}`),
    durationTicks,
    durationSeconds,
    noteCount,
    repairs: state.repairs,
  };
}

/** One track chunk read event by event into notes grouped by channel and program. */
class TrackScanner {
  private readonly scanned: TrackScan = { name: '', groups: new Map(), endTick: 0 };
  private readonly programs = new Uint8Array(16);
  // Open notes per channel*128+pitch: start tick, velocity, program at note-on.
  private readonly openStart = new Map<number, number>();
  private readonly openVelocity = new Map<number, number>();
  private readonly openProgram = new Map<number, number>();
  private readonly retriggeredAt = new Map<number, number>();
  private at: number;
  private tick = 0;
  private status = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    start: number,
    private readonly end: number,
    private readonly chunk: number,
    private readonly file: FileState,
  ) {
    this.at = start;
  }

  private where(): string {
    return `at byte ${this.at} in track ${this.chunk + 1}`;
  }

  private need(n: number): void {
    if (this.at + n > this.end) throw new MidiParseError(`truncated event ${this.where()}`);
  }

  private readVlq(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      this.need(1);
      const b = this.bytes[this.at++]!;
      value = value * 128 + (b & 0x7f);
      if (!(b & 0x80)) return value;
    }
    throw new MidiParseError(`variable-length number longer than 4 bytes ${this.where()}`);
  }

  private group(channel: number, program: number) {
    const key = `${channel}:${channel === DRUM_CHANNEL ? 0 : program}`;
    let g = this.scanned.groups.get(key);
    if (!g) {
      if (++this.file.groups > MAX_TRACKS) throw new MidiParseError(`it holds more than ${MAX_TRACKS.toLocaleString('en')} tracks (channel and instrument changes): not a piece of music`);
      this.scanned.groups.set(key, (g = { channel, program: channel === DRUM_CHANNEL ? 0 : program, notes: new NoteBuilder() }));
    }
    return g;
  }

  /** A tempo, meter or key change, counted against the limit. */
  private timeline<T>(list: T[], event: T): void {
    if (++this.file.timelineEvents > MAX_TIMELINE_EVENTS) throw new MidiParseError(`it holds more than ${MAX_TIMELINE_EVENTS.toLocaleString('en')} tempo, meter and key changes: not a piece of music`);
    list.push(event);
  }

  private close(key: number, endTick: number): void {
    this.group(key >> 7, this.openProgram.get(key)!).notes.add(key & 0x7f, this.openVelocity.get(key)!, this.openStart.get(key)!, endTick);
    this.openStart.delete(key);
  }

  scan(): TrackScan {
    const { bytes } = this;
    let sawEnd = false;
    while (this.at < this.end) {
      this.tick += this.readVlq();
      if (this.tick > MAX_TICK) throw new MidiParseError(`its delta times add up past 2³² ticks in track ${this.chunk + 1}: not a plausible piece`);
      this.need(1);
      let byte = bytes[this.at]!;
      if (byte >= 0x80) {
        this.at++;
        if (byte < 0xf0) this.status = byte; // running status applies to channel messages only
      } else {
        if (this.status === 0) throw new MidiParseError(`data byte 0x${byte.toString(16)} without a status byte ${this.where()}`);
        byte = this.status;
      }
      if (byte === 0xff) {
        if (this.meta()) {
          sawEnd = true;
          break;
        }
      } else if (byte === 0xf0 || byte === 0xf7) {
        const length = this.readVlq();
        this.need(length);
        this.at += length;
      } else if (byte >= 0xf0) {
        throw new MidiParseError(`unexpected system message 0x${byte.toString(16)} ${this.where()}`);
      } else this.channelMessage(byte);
    }
    if (!sawEnd) this.file.repairs.missingEndOfTrack++;
    this.scanned.endTick = this.tick;
    for (const key of [...this.openStart.keys()]) {
      this.close(key, this.tick);
      this.file.repairs.unreleasedNotes++;
    }
    return this.scanned;
  }

  /** A meta event: name, tempo, meter, key. Returns true at the end of the track. */
  private meta(): boolean {
    const { bytes, tick, file } = this;
    this.need(1);
    const type = bytes[this.at++]!;
    const length = this.readVlq();
    this.need(length);
    const data = this.at;
    this.at += length;
    if (type === 0x2f) return true;
    if ((type === 0x03 || type === 0x04) && file.visit) {
      const name = bytes.subarray(data, data + length);
      file.visit(this.chunk, { type: 'name', tick, meta: type === 0x03 ? 'track' : 'instrument', text: nameText(name), decodable: isUtf8(name) });
    }
    if ((type === 0x51 || type === 0x59) && file.visit) file.visit(this.chunk, { type: 'mark', tick });
    if (type === 0x03 && !this.scanned.name) {
      this.scanned.name = decodeText(bytes.subarray(data, data + length));
    } else if (type === 0x51 && length >= 3 && !file.smpte) {
      const us = (bytes[data]! << 16) | (bytes[data + 1]! << 8) | bytes[data + 2]!;
      if (us > 0) this.timeline(file.tempos, { tick, usPerQuarter: us });
    } else if (type === 0x58 && length >= 2) {
      const numerator = bytes[data]!;
      const power = bytes[data + 1]!;
      if (numerator > 0 && power <= 6) {
        this.timeline(file.timeSignatures, { tick, numerator, denominator: 2 ** power });
        file.visit?.(this.chunk, { type: 'meter', tick, numerator, denominator: 2 ** power });
      }
    } else if (type === 0x59 && length >= 2) {
      const sharps = this.view.getInt8(data);
      if (sharps >= -7 && sharps <= 7) this.timeline(file.keySignatures, { tick, sharps, mode: bytes[data + 1] === 1 ? 'minor' : 'major' });
    }
    return false;
  }

  private channelMessage(byte: number): void {
    const kind = byte & 0xf0;
    const channel = byte & 0x0f;
    const size = kind === 0xc0 || kind === 0xd0 ? 1 : 2;
    this.need(size);
    const d1 = this.bytes[this.at]!;
    const d2 = size === 2 ? this.bytes[this.at + 1]! : 0;
    if (d1 > 0x7f || d2 > 0x7f) throw new MidiParseError(`data byte above 127 ${this.where()}`, 'data-byte');
    this.at += size;
    const key = (channel << 7) | d1;
    const visit = this.file.visit;
    if (visit) {
      if (kind === 0x90 && d2 > 0) visit(this.chunk, { type: 'on', tick: this.tick, channel, pitch: d1, velocity: d2 });
      else if (kind === 0x80 || kind === 0x90) visit(this.chunk, { type: 'off', tick: this.tick, channel, pitch: d1 });
      else if (kind === 0xc0) visit(this.chunk, { type: 'program', tick: this.tick, channel, program: d1 });
    }
    if (kind === 0x90 && d2 > 0) {
      if (this.openStart.has(key)) {
        this.close(key, this.tick);
        this.file.repairs.retriggeredNotes++;
        this.retriggeredAt.set(key, this.tick);
      }
      this.openStart.set(key, this.tick);
      this.openVelocity.set(key, d2);
      this.openProgram.set(key, this.programs[channel]!);
    } else if (kind === 0x80 || kind === 0x90) {
      const started = this.openStart.get(key);
      if (started === undefined) this.file.repairs.orphanNoteOffs++;
      else if (started === this.tick && this.retriggeredAt.get(key) === this.tick) {
        // The release of the note this strike just ended, written after the strike: not this note's end.
        this.retriggeredAt.delete(key);
      } else this.close(key, this.tick);
    } else if (kind === 0xc0) {
      this.programs[channel] = d1;
    }
  }
}
