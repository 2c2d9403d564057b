import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo';

/**
 * Real MIDI made by other people, read from the shared folder beside the repo (never copied into
 * it); ETUDE_CORPORA points elsewhere.
 */
export const CORPORA = path.resolve(process.env.ETUDE_CORPORA ?? path.join(REPO_ROOT, '../shared/corpora'));
if (!fs.existsSync(path.join(CORPORA, 'nottingham-jigs'))) {
  throw new Error(`the shared test corpora are not at ${CORPORA}: put shared/ beside the repo, or set ETUDE_CORPORA`);
}
export const JIGS = path.join(CORPORA, 'nottingham-jigs');
export const PIANO = path.join(CORPORA, 'piano-midi');

export function midiFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.midi?$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** What music21 9.9.2 itself made of MIDI files with seed 000's get_notes() (its README says how). */
export const SEED000_REFERENCE = path.resolve(CORPORA, '../reference/seed000-music21');
