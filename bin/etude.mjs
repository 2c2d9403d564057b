#!/usr/bin/env node
// The `etude` command: runs the engine's TypeScript through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// A reader that stops reading (`etude models | head -3`) ends the command quietly: a closed pipe is a normal end.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
