// Flat config: typescript-eslint's recommended rules without type information (fast).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'prisma/generated/**', 'coverage/**', 'bench/results/**', 'dist/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        Buffer: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // product code logs through pino (core/log.ts); CLIs and scripts write to stdout themselves
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'bench/**', '*.config.{js,ts,mjs}'],
    rules: { 'no-console': 'off' },
  },
  // The folder rules of ARCHITECTURE.md ("The folders"), executable: an import across a line fails lint.
  ...layer('core/**/*.ts', ['adapters', 'bots', 'jobs'], 'core/ is the domain: it knows no platform, conversation or queue (the plain message types are core/channel.ts)'),
  ...layer('bots/**/*.ts', ['adapters', 'jobs'], 'bots/ are conversations over the plain types of core/channel.ts, not platforms or queues'),
  ...layer('adapters/**/*.ts', ['bots', 'jobs'], 'adapters/ translate one platform to the plain types; they know no conversation or queue'),
  ...layer('jobs/**/*.ts', ['adapters'], 'jobs/ run the outbox and queues; platforms come in through the senders app.ts registers', [
    // Known debt (issue 17): the 微信客服 window constant belongs in the sender's declared capabilities.
    'jobs/handlers.ts',
  ]),
  ...layer('jobs/**/*.ts', ['bots'], 'jobs/ must not word messages', [
    // Known debt (issue 17): fan-out renders in the transaction; it moves to core/notify with the renderer injected.
    'jobs/handlers.ts',
    'jobs/alerts.ts',
  ]),
);

/** `files` may not import from the top-level `folders` (relative imports of any depth). */
function layer(files, folders, why, except = []) {
  const patterns = folders.map((f) => ({ group: [`**/${f}/**`, `../${f}/*`, `../../${f}/*`, `../../../${f}/*`], message: why }));
  return [{ files: [files], ignores: except, rules: { 'no-restricted-imports': ['error', { patterns }] } }];
}
