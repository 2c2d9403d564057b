// `npm start`: the desktop app where Electron can run here, otherwise the web studio.
// `npm start -- --web` always starts the web studio; other arguments (--db PATH, --port N) pass through.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { build, ROOT } from './build.mjs';
import { ensureElectron } from './ensure-electron.mjs';

const args = process.argv.slice(2);
const forceWeb = args.includes('--web') || process.env.ETUDE_WEB === '1';
const passThrough = args.filter((a) => a !== '--web');

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

try {
  build();
} catch (err) {
  console.error(`etude: ${err.message}`);
  process.exit(1);
}

const desktop = forceWeb ? { ok: false, reason: 'web studio requested' } : await ensureElectron();
if (desktop.ok) {
  run(desktop.electron, ['.', ...passThrough], { ...process.env, ETUDE_SQLITE_BINDING: desktop.sqliteBinding });
} else {
  if (!forceWeb) console.log(`Desktop app unavailable: ${desktop.reason}. Starting the web studio instead.`);
  run(process.execPath, [path.join(ROOT, 'bin', 'etude.mjs'), 'serve', ...passThrough]);
}
