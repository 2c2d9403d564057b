// Runs a TypeScript worker from source (CLI, server and tests run the engine through tsx).
// The desktop build bundles workers to plain JS and does not use this file.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__etudeEntry);
