import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo';

/** Real MIDI made by other people, read from the shared folder beside the repo (never copied into it). */
export const CORPORA = path.resolve(REPO_ROOT, '../shared/corpora');
export const JIGS = path.join(CORPORA, 'nottingham-jigs');
export const PIANO = path.join(CORPORA, 'piano-midi');

export function midiFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.midi?$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
