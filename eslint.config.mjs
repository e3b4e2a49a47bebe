// ESLint for the whole project: typescript-eslint's recommended rules plus the
// layer rules that the compiler cannot express.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['simulator/**/*.ts'],
    ignores: ['simulator/host/**', 'simulator/bench/**'],
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
    files: ['scripts/**/*.mjs', 'esbuild.mjs', 'eslint.config.mjs', 'test/launcher/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
