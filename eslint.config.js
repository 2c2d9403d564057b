import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

const electronOnlyInShell = {
  name: 'electron',
  message: 'Only the Electron shell (src/main) and the preload import electron; the engine is plain Node.',
};

export default tseslint.config(
  { ignores: ['out/', 'node_modules/', '.cache/', 'test-results/', 'scripts/*.d.mts', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [electronOnlyInShell] }],
    },
  },
  {
    // A function the engine runs is read in one sitting: past 100 lines it becomes named steps.
    files: ['src/engine/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false, IIFEs: true }] },
  },
  {
    files: ['src/main/**', 'src/preload/**', 'test/e2e/electron.test.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The renderer runs in a sandboxed page: no Node, no engine, only the shared contract.
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInShell],
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node; ask the engine through the client.' },
            { group: ['**/engine/**', '**/server/**', '**/cli/**', '**/main/**'], message: 'The renderer only imports src/shared.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  {
    files: ['src/shared/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronOnlyInShell], patterns: [{ group: ['node:*', '../*'], message: 'src/shared is pure TypeScript shared by every process.' }] },
      ],
    },
  },
  {
    files: ['src/shared/*/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [electronOnlyInShell], patterns: [{ group: ['node:*', '../../*'], message: 'src/shared is pure TypeScript shared by every process.' }] },
      ],
    },
  },
);
