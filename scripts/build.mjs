// Builds main, preload and renderer with electron-vite when any source is newer than the last build.
// Used by `npm ci` (prepare), `npm start` and `npm test`, so a fresh clone needs no separate build step.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(ROOT, 'out', '.build-stamp');
const INPUTS = ['src', 'electron.vite.config.ts', 'svelte.config.js', 'package.json'];

function newestMtime(p) {
  const stat = fs.statSync(p, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIsStale() {
  const stamp = fs.statSync(STAMP, { throwIfNoEntry: false });
  if (!stamp) return true;
  return INPUTS.some((input) => newestMtime(path.join(ROOT, input)) > stamp.mtimeMs);
}

export function build({ force = false, quiet = false } = {}) {
  if (!force && !buildIsStale()) return;
  if (!quiet) console.log('Building the studio (electron-vite)…');
  const bin = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [bin, 'build'], { cwd: ROOT, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.status !== 0) {
    if (quiet) process.stderr.write((result.stdout ?? '') + (result.stderr ?? ''));
    throw new Error('electron-vite build failed');
  }
  fs.writeFileSync(STAMP, new Date().toISOString() + '\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    build({ force: process.argv.includes('--force'), quiet: process.argv.includes('--quiet') });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
