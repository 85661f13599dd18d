// ESLint: typescript-eslint's recommended rules, plus the architecture's import boundaries.
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');

const ADAPTERS = ['bullmq', 'ioredis', 'undici', '@slack/*', 'discord.js', '@discordjs/*', 'node:http', 'pino', 'yaml'];
const OUTER = ['**/app/**', '**/chat/**', '**/http/**', '**/providers/**', '**/verifiers/**', '**/queue/**', '**/store/**', '**/observability/**', '**/config/**', '**/demo/**'];

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', __dirname: 'readonly', require: 'readonly', module: 'writable', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': 'error',
    },
  },
  {
    // The core imports only the core: no adapters, no Redis, no HTTP, no chat SDKs.
    files: ['src/domain/**/*.ts', 'src/engine/**/*.ts', 'src/messages/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...ADAPTERS, ...OUTER].map((group) => ({ group: [group], message: 'The core (domain, engine, messages) must not import adapters.' })) }] },
  },
  { files: ['src/cli.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
);
