/**
 * How closely the notes-chords reading matches music21 on a folder of MIDI files: per file the
 * difflib similarity of the token lists, then files, exact files, the mean, and how many files
 * each reads as non-empty (and which music21 reads and this reading leaves out).
 *
 *   /usr/bin/python3 KIT/tools/seed000-get-notes.py DIR > tokens.json   (KIT: the team kit, which holds the music21 oracle)
 *   npx tsx scripts/music21-compare.ts DIR tokens.json [--reading music21-v2]
 */
import fs from 'node:fs';
import path from 'node:path';
import { seedReadingOfMidi, type SeedReadingVersion } from '../src/engine/encode/music21/read';
import { sequenceRatio } from '../test/helpers/difflib';

const [dir, tokensFile, flag, version] = process.argv.slice(2);
if (!dir || !tokensFile || (flag !== undefined && flag !== '--reading')) {
  console.error('usage: npx tsx scripts/music21-compare.ts DIR TOKENS.json [--reading music21|music21-v2]');
  process.exit(2);
}
const reading = (version ?? 'music21') as SeedReadingVersion;
const reference = JSON.parse(fs.readFileSync(tokensFile, 'utf8')) as Record<string, string[] | { error: string }>;
let sum = 0;
let files = 0;
let exact = 0;
let theirs = 0;
let ours = 0;
const leftOut: string[] = [];
for (const [file, expected] of Object.entries(reference)) {
  if (!Array.isArray(expected)) continue; // music21 could not read it
  let got: string[];
  try {
    got = seedReadingOfMidi(fs.readFileSync(path.join(dir, file)), reading).tokens;
  } catch (err) {
    console.log(`${file}: not read (${(err as Error).message})`);
    got = [];
  }
  const ratio = sequenceRatio(got, expected);
  files++;
  sum += ratio;
  if (ratio === 1) exact++;
  else console.log(`${file}: similarity ${ratio.toFixed(3)} (${got.length} tokens, music21 ${expected.length})`);
  if (expected.length > 0) theirs++;
  if (got.length > 0) ours++;
  if (expected.length > 0 && got.length === 0) leftOut.push(file);
}
console.log(
  `${files} files, ${exact} exact, mean similarity ${(sum / Math.max(1, files)).toFixed(4)}; non-empty: music21 ${theirs}, this reading ${ours}; ` +
    `left out: ${leftOut.length}${leftOut.length ? ` (${leftOut.slice(0, 5).join(', ')}${leftOut.length > 5 ? ', …' : ''})` : ''}`,
);
