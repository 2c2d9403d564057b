// `npm test`: typecheck, lint, build, then every Vitest project (unit, integration, end-to-end).
// Ends with one plain line, "N passed, N failed, N skipped", and a non-zero exit if anything failed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build, ROOT } from './build.mjs';

const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);

function step(label, command, args) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\n✗ ${label} failed`);
    console.log('0 passed, 1 failed');
    process.exit(result.status ?? 1);
  }
}

step('typecheck (node)', bin('tsc'), ['-p', 'tsconfig.node.json', '--noEmit']);
step('typecheck (end-to-end tests)', bin('tsc'), ['-p', 'tsconfig.e2e.json', '--noEmit']);
step('typecheck (renderer)', bin('svelte-check'), ['--tsconfig', 'tsconfig.web.json', '--fail-on-warnings', '--output', 'human']);
step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
console.log('\n▶ build');
build({ quiet: true });

const report = path.join(ROOT, 'test-results', 'vitest.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });
console.log('\n▶ tests (unit, integration, end-to-end)');
const run = spawnSync(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
});
let passed = 0;
let failed = run.status === 0 ? 0 : 1;
let skipped = 0;
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (run.status !== 0 && r.numFailedTests === 0 ? 1 : 0);
  skipped = r.numPendingTests + r.numTodoTests;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(run.status ?? 1);
