// ESLint: typescript-eslint's recommended rules, plus the architecture's import boundaries.
const tseslint = require('typescript-eslint');
const js = require('@eslint/js');
const { CORE, LAYERS, WIRING } = require('./scripts/layers.js');

const ADAPTERS = ['bullmq', 'ioredis', 'undici', '@slack/*', 'discord.js', '@discordjs/*', 'node:http', 'pino', 'yaml'];
const FOLDERS = [...Object.keys(LAYERS), ...WIRING];

/** The import rule for one folder of src/: every other folder it may not reach, from scripts/layers.js. */
function layerRule(folder) {
  const allowed = new Set([folder, ...LAYERS[folder]]);
  const patterns = [];
  const message = `src/${folder} may import only ${[...allowed].join(', ')} (scripts/layers.js); pass what it needs in from the composition root (src/app).`;
  for (const other of FOLDERS.filter((f) => !allowed.has(f))) patterns.push({ group: [`**/${other}/**`, `**/${other}`], message });
  if (folder in CORE) for (const pkg of ADAPTERS) patterns.push({ group: [pkg], message: 'The core (domain, engine, messages) must not import adapters.' });
  return { files: [`src/${folder}/**/*.ts`], rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

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
  // Each folder imports only what scripts/layers.js allows it; the core no adapter package either.
  ...Object.keys(LAYERS).map(layerRule),
  { files: ['src/cli.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'], rules: { 'no-console': 'off' } },
);
