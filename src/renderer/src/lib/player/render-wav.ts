import * as Tone from 'tone';
import { WaveFile } from 'wavefile';
import { Instrument, type NoteToPlay } from './instrument';

export const WAV_SAMPLE_RATE = 44_100;
/** Room after the last note for the piano's release to ring out. */
const TAIL_S = 1.5;

/**
 * Renders notes to a stereo WAV at 44.1 kHz (16- or 24-bit PCM) offline, faster than real time,
 * with the same instrument the studio plays them with.
 */
export async function renderWav(notes: readonly NoteToPlay[], bitDepth: 16 | 24 = 16): Promise<{ bytes: Uint8Array; seconds: number; instrument: 'piano' | 'synth' }> {
  // A loop, not a spread: a long take's notes would overflow the call stack as arguments.
  const seconds = notes.reduce((end, n) => Math.max(end, n.end), 0) + TAIL_S;
  let kind: 'piano' | 'synth' = 'piano';
  let instrument: Instrument | null = null;
  const buffer = await Tone.Offline(
    async () => {
      instrument = await Instrument.create();
      kind = instrument.kind;
      for (const note of notes) instrument.play(note, note.start);
    },
    seconds,
    2,
    WAV_SAMPLE_RATE,
  );
  // The render's own voices and samples go with it, not with the page's lifetime.
  (instrument as Instrument | null)?.dispose();
  const wav = new WaveFile();
  wav.fromScratch(2, WAV_SAMPLE_RATE, '32f', [buffer.getChannelData(0), buffer.getChannelData(1)]);
  wav.toBitDepth(String(bitDepth));
  return { bytes: wav.toBuffer(), seconds, instrument: kind };
}
