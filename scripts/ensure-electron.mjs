// Makes the desktop app runnable: the Electron binary (fetched on first start when missing and
// online) and a better-sqlite3 binary built for Electron's ABI, kept apart from Node's copy so the
// CLI and tests keep working. Answers { ok, electron?, sqliteBinding?, reason? }; never throws.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from './build.mjs';

const require = createRequire(import.meta.url);
const NATIVE_DIR = path.join(ROOT, '.cache', 'electron-native');
export const ELECTRON_SQLITE_BINDING = path.join(NATIVE_DIR, 'better_sqlite3.node');

/** The Electron binary if it is on disk. Not `require('electron')`: since v36 that starts a download. */
export function electronBinary() {
  let packageDir;
  try {
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const relative = fs.readFileSync(pathFile, 'utf8').trim();
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(packageDir, 'dist');
  const binary = path.join(dist, relative);
  return fs.existsSync(binary) ? binary : null;
}

function firstLine(text) {
  return (text ?? '').split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

function fetchElectron() {
  const installer = path.join(ROOT, 'node_modules', 'electron', 'install.js');
  if (!fs.existsSync(installer)) return 'the electron package is not installed (run npm ci)';
  console.log('Fetching the Electron binary (first start)…');
  const result = spawnSync(process.execPath, [installer], { cwd: path.dirname(installer), encoding: 'utf8', timeout: 10 * 60_000 });
  if (result.status === 0 && electronBinary()) return null;
  const why = firstLine(result.stderr) || firstLine(result.stdout) || `installer exited with ${result.status}`;
  return `the Electron binary could not be downloaded (${why.slice(0, 200)})`;
}

function versionOf(pkg) {
  return JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
}

async function ensureSqliteForElectron() {
  const electronVersion = versionOf('electron');
  const sqliteVersion = versionOf('better-sqlite3');
  const stampFile = path.join(NATIVE_DIR, 'stamp.json');
  const wanted = JSON.stringify({ electronVersion, sqliteVersion, platform: process.platform, arch: process.arch });
  if (fs.existsSync(ELECTRON_SQLITE_BINDING) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === wanted) return null;

  console.log(`Building better-sqlite3 for Electron ${electronVersion} (once)…`);
  const project = path.join(NATIVE_DIR, 'project');
  fs.rmSync(project, { recursive: true, force: true });
  const moduleDir = path.join(project, 'node_modules', 'better-sqlite3');
  fs.mkdirSync(path.dirname(moduleDir), { recursive: true });
  fs.cpSync(path.dirname(require.resolve('better-sqlite3/package.json')), moduleDir, {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}build${path.sep}`) && !src.endsWith(`${path.sep}build`),
  });
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'etude-native', version: '0.0.0', dependencies: { 'better-sqlite3': sqliteVersion } }));
  try {
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: project, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  } catch (err) {
    return `better-sqlite3 could not be built for Electron (${firstLine(err?.message ?? String(err)).slice(0, 200)})`;
  }
  const built = path.join(moduleDir, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(built)) return 'better-sqlite3 was rebuilt for Electron but its binary is missing';
  fs.copyFileSync(built, ELECTRON_SQLITE_BINDING);
  fs.writeFileSync(stampFile, wanted);
  fs.rmSync(project, { recursive: true, force: true });
  return null;
}

export async function ensureElectron({ fetch = true } = {}) {
  let electron = electronBinary();
  if (!electron) {
    if (!fetch) return { ok: false, reason: 'the Electron binary is not installed' };
    const failure = fetchElectron();
    if (failure) return { ok: false, reason: failure };
    electron = electronBinary();
  }
  const failure = await ensureSqliteForElectron();
  if (failure) return { ok: false, reason: failure };
  return { ok: true, electron, sqliteBinding: ELECTRON_SQLITE_BINDING };
}
