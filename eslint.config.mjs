// ESLint for the whole project: typescript-eslint's recommended rules plus the
// layer rules that the compiler cannot express.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

// The layers and what each may import (ARCHITECTURE.md states the same table). A folder
// not named here, or an import not allowed here, fails `npm run lint` and so `npm test`.
const sim = (name) => `sim-${name}`;
const layers = {
  // Cycles to seconds and back at a given clock: pure functions every layer may use, the editor's and the panels' included.
  [sim('time')]: ['simulator/time', []],
  [sim('core')]: ['simulator/core', []],
  [sim('hw')]: ['simulator/hw', [sim('core')]],
  [sim('trace')]: ['simulator/trace', [sim('core'), sim('protocol')]],
  [sim('kernel')]: ['simulator/kernel', [sim('core'), sim('hw'), sim('trace')]],
  [sim('sdk')]: ['simulator/sdk', [sim('core'), sim('hw'), sim('kernel')]],
  [sim('engine')]: ['simulator/engine', [sim('core'), sim('hw'), sim('kernel'), sim('sdk'), sim('trace')]],
  [sim('services')]: ['simulator/services', [sim('core'), sim('hw'), sim('sdk')]],
  [sim('drivers')]: ['simulator/drivers', [sim('core'), sim('hw'), sim('sdk'), sim('services')]],
  [sim('programs')]: ['simulator/programs', [sim('core'), sim('sdk'), sim('services')]],
  [sim('config')]: ['simulator/config', [sim('core'), sim('kernel')]],
  // Driver source to runnable module: TypeScript stripped, loops and functions given a step budget, and (for
  // code-level faults) every mutation site opened; used for users' drivers and for built-in drivers under mutation.
  [sim('compile')]: ['simulator/compile', [sim('core'), sim('config')]],
  [sim('faults')]: ['simulator/faults', [sim('core'), sim('hw'), sim('kernel'), sim('sdk'), sim('trace'), sim('engine'), sim('config'), sim('compile')]],
  [sim('system')]: ['simulator/system', [sim('core'), sim('hw'), sim('kernel'), sim('sdk'), sim('engine'), sim('trace'), sim('services'), sim('drivers'), sim('programs'), sim('config'), sim('faults'), sim('protocol'), sim('compile')]],
  [sim('shell')]: ['simulator/shell', [sim('core'), sim('hw'), sim('kernel'), sim('trace'), sim('services'), sim('programs'), sim('faults'), sim('system'), sim('protocol')]],
  [sim('bench')]: ['simulator/bench', [sim('core'), sim('kernel'), sim('sdk'), sim('engine'), sim('trace'), sim('system'), sim('config'), sim('protocol')]],
  // Fault-injection campaigns: trials that boot systems, inject faults and classify what became of them.
  [sim('campaign')]: ['simulator/campaign', [sim('core'), sim('system'), sim('config'), sim('faults')]],
  [sim('protocol')]: ['simulator/protocol', []],
  // Reading the files users name (regular files only, each kind with its size limit).
  'node-files': ['node/files', ['sim-*']],
  'node-userDrivers': ['node/userDrivers', ['sim-*', 'node-files']],
  'node-boot': ['node/boot', ['sim-*', 'node-files', 'node-userDrivers']],
  'node-worker': ['node/worker', ['sim-*', 'node-files', 'node-userDrivers', 'node-boot']],
  'node-cli': ['node/cli', ['sim-*', 'node-files', 'node-userDrivers', 'node-boot']],
  'node-dap': ['node/dap', ['sim-*', 'node-files', 'node-userDrivers', 'node-boot', 'node-worker']],
  extension: ['extension', [sim('protocol'), sim('config'), 'webview-protocol']],
  'webview-protocol': ['webview/protocol', [sim('protocol')]],
  webview: ['webview/*', ['webview-protocol', sim('protocol')]],
};
// Each panel's static markup (a string) is the one file of a webview folder the extension may import: it
// puts the markup in the page it serves.
const markup = 'webview/*/markup.ts';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-artifacts/**', '.vscode-test/**', 'bench/simpy/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['simulator/**/*.ts', 'node/**/*.ts', 'extension/**/*.ts', 'webview/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.mts', '.js', '.mjs'] } },
      'boundaries/elements': Object.entries(layers).map(([type, [pattern]]) => ({ type, pattern })),
      'boundaries/files': [{ category: 'markup', pattern: markup }],
    },
    rules: {
      'boundaries/dependencies': ['error', {
        default: 'disallow',
        policies: [
          ...Object.entries(layers).map(([type, [, allowed]]) => ({
            from: { element: { type } },
            allow: { to: { element: { types: { anyOf: [type, ...allowed, sim('time')] } } } },
          })),
          { from: { element: { type: 'extension' } }, allow: { to: { file: { categories: 'markup' } } } },
        ],
      }],
      'boundaries/no-unknown-files': 'error',
    },
  },
  {
    files: ['simulator/**/*.ts'],
    ignores: ['simulator/bench/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'performance', message: 'The simulator never reads the wall clock.' }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'The simulator never reads the wall clock.' },
        { object: 'Math', property: 'random', message: 'Use the simulator\'s seeded random streams.' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'The simulator never reads the wall clock.' }],
      'no-restricted-imports': ['error', { patterns: ['vscode', 'node:*', '../extension/*', '../../extension/*', '../webview/*', '../../webview/*'] }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['vscode', 'node:*', '../../extension/*'] }] },
  },
  {
    // The channel, the markup the extension embeds, and the trace view's model run in plain Node too (the
    // extension host, the unit tests): no page globals there.
    files: ['webview/protocol/**/*.ts', 'webview/*/markup.ts', 'webview/trace/viewModel.ts', 'webview/trace/filters.ts', 'webview/trace/windowFeed.ts', 'webview/trace/viewport.ts', 'webview/trace/layout.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'requestAnimationFrame', 'getComputedStyle', 'performance', 'ResizeObserver', 'MutationObserver', 'acquireVsCodeApi'].map((name) => ({
          name,
          message: 'This module runs without a page: the page passes in what it needs.',
        })),
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'esbuild.mjs', 'eslint.config.mjs', 'test/launcher/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
