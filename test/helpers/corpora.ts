import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo';

/**
 * Real MIDI made by other people, kept in the repo as fixtures (test/fixtures/README.md names each
 * file's source and licence), so a fresh clone passes its tests with nothing beside it.
 */
export const FIXTURES = path.join(REPO_ROOT, 'test/fixtures');
export const CORPORA = FIXTURES;
export const JIGS = path.join(FIXTURES, 'nottingham-jigs');
export const PIANO = path.join(FIXTURES, 'piano-midi');

export function midiFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.midi?$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** What music21 9.9.2 itself made of MIDI files with seed 000's get_notes() (its README says how). */
export const SEED000_REFERENCE = path.join(FIXTURES, 'seed000-music21');

/** MIDI files made to probe music21's reading rule by rule, and a seeded collection of game-music-like piano arrangements, with music21's tokens (its README says how). */
export const MUSIC21_PROBES = path.join(FIXTURES, 'music21-probes');

/** The JSB Chorales split of the published benchmark (Boulanger-Lewandowski et al. 2012). */
export const JSB_CHORALES = path.join(FIXTURES, 'jsb-chorales/jsb-chorales-quarter.json');

/** Two-part Nottingham folk tunes (melody and chords) as eighth-note frames, split as a benchmark (its README says how). */
export const NOTTINGHAM_TWO_PART = path.join(FIXTURES, 'nottingham-two-part/nottingham-two-part-eighth.json');
