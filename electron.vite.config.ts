import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { pianoSamples } from './scripts/vite-piano-samples';

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        // Optional: absent wherever libtensorflow could not be downloaded; loaded at run time if present.
        external: ['@tensorflow/tfjs-node'],
        // Engine workers are bundled beside the main bundle; src/engine/workers/spawn.ts finds them there (their code is in src/engine/jobs).
        input: {
          index: resolve('src/main/index.ts'),
          'tf-worker': resolve('src/engine/jobs/worker.ts'),
          'library-check': resolve('src/engine/library/check-worker.ts'),
          'parser-process': resolve('src/engine/parse/parser-process.ts'),
          'engine-host': resolve('src/engine/host/engine-host.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [svelte({ configFile: resolve('svelte.config.js') }), pianoSamples()],
    build: {
      rolldownOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
