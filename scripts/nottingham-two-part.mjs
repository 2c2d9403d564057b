// Makes test/fixtures/nottingham-two-part/nottingham-two-part-eighth.json from the jukedeck
// two-track renderings of the Nottingham jigs (melody and chord accompaniment): each tune as
// frames of sounding pitches on an eighth-note grid, split train / valid / test by a hash of its
// file name, in the form of the JSB chorale benchmark — a stand-in for the two-part Nottingham
// benchmark of Boulanger-Lewandowski et al. (2012), which is not in ../shared.
// Usage: node scripts/nottingham-two-part.mjs ../shared/corpora/nottingham-jigs-with-chords OUT.json
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tonejs from '@tonejs/midi';

const { Midi } = tonejs;
const PER_BEAT = 2;
const [dir, out] = process.argv.slice(2);
if (!dir || !out) throw new Error('usage: node scripts/nottingham-two-part.mjs DIR OUT.json');

const split = { train: [], valid: [], test: [] };
const names = { train: [], valid: [], test: [] };
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.mid')).sort()) {
  const midi = new Midi(fs.readFileSync(path.join(dir, file)));
  const grid = midi.header.ppq / PER_BEAT;
  const notes = midi.tracks.flatMap((t) => t.notes);
  // A note sounds from the frame its onset rounds to, for at least one frame, up to the frame its release rounds to.
  const spans = notes.map((n) => {
    const from = Math.round(n.ticks / grid);
    return { pitch: n.midi, from, to: Math.max(from + 1, Math.round((n.ticks + n.durationTicks) / grid)) };
  });
  const length = spans.reduce((m, s) => Math.max(m, s.to), 0);
  const frames = Array.from({ length }, () => new Set());
  for (const s of spans) for (let f = s.from; f < s.to; f++) frames[f].add(s.pitch);
  // 60% train, 20% valid, 20% test, as the published split of the Nottingham benchmark roughly is.
  const h = crypto.createHash('sha256').update(file).digest()[0] / 256;
  const part = h < 0.6 ? 'train' : h < 0.8 ? 'valid' : 'test';
  split[part].push(frames.map((f) => [...f].sort((a, b) => a - b)));
  names[part].push(file);
}
fs.writeFileSync(out, JSON.stringify({ perBeat: PER_BEAT, names, ...split }));
console.log(Object.entries(split).map(([k, v]) => `${k} ${v.length} pieces, ${v.reduce((n, p) => n + p.length, 0)} frames`).join('; '));
