/** What one imported file holds: one piece for MIDI, one per tune for ABC. Throws a readable reason. */
import path from 'node:path';
import { readAbc } from '../midi/abc';
import { MAX_DURATION_SECONDS, MAX_TICK, MidiParseError, parseMidi, type ParsedMidi } from '../midi/smf';

export interface FilePiece {
  title: string;
  sourceFormat: 'midi' | 'abc';
  /** The bytes kept as the piece's original: the file for MIDI, the tune's own text for ABC. */
  original: Uint8Array;
  midi: ParsedMidi;
}

/**
 * What may be stored of a piece: whole ticks within 32 bits, finite seconds within the day a piece
 * may last, a whole resolution. Whatever produced the piece (a reader's bug, a hostile file), a
 * piece that is not so is refused with the reason rather than stored broken.
 */
export function checkPiece(title: string, midi: ParsedMidi): void {
  const refuse = (what: string) => {
    throw new MidiParseError(`"${title}" ${what}`);
  };
  if (!Number.isInteger(midi.ppq) || midi.ppq < 1) refuse(`has ${midi.ppq} ticks a quarter note`);
  if (!Number.isInteger(midi.durationTicks) || midi.durationTicks < 0 || midi.durationTicks > MAX_TICK) refuse(`lasts ${midi.durationTicks} ticks: not a plausible length`);
  if (!(midi.durationSeconds >= 0 && midi.durationSeconds <= MAX_DURATION_SECONDS)) refuse(`would last ${midi.durationSeconds} seconds: not a plausible length`);
  for (const t of midi.tracks) {
    const n = t.notes;
    for (let i = 0; i < n.pitch.length; i++) {
      if (!(n.endTick[i]! >= n.startTick[i]!) || !Number.isFinite(n.startSec[i]!) || !Number.isFinite(n.endSec[i]!)) refuse(`has a note that ends before it starts or at no time (track ${t.chunk + 1})`);
    }
  }
}

/** `onTune` is called as each ABC tune is read (a long tune book shows it is still going). */
export function readFile(name: string, bytes: Uint8Array, onTune?: (done: number) => void): FilePiece[] {
  const pieces = readPieces(name, bytes, onTune);
  for (const p of pieces) checkPiece(p.title, p.midi);
  return pieces;
}

function readPieces(name: string, bytes: Uint8Array, onTune?: (done: number) => void): FilePiece[] {
  const stem = path.basename(name, path.extname(name));
  if (path.extname(name).toLowerCase() === '.abc') {
    if (bytes.includes(0)) throw new MidiParseError('not an ABC file (it holds binary data)');
    return readAbc(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), stem, onTune).map((tune) => ({
      title: tune.title,
      sourceFormat: 'abc' as const,
      original: Buffer.from(tune.text, 'utf8'),
      midi: tune.parsed,
    }));
  }
  const midi = parseMidi(bytes);
  // As an ABC tune with no notes is refused: there is nothing in it to learn from or continue.
  if (midi.noteCount === 0) throw new MidiParseError('has no notes');
  return [{ title: stem, sourceFormat: 'midi', original: bytes, midi }];
}
