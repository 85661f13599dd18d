/**
 * Jest: ts-jest in transpile-only mode (type checking is `npm run lint`), real Redis from global setup.
 * Two projects make the blue/green matrix: every test runs once against the demo service's full
 * status, and the engine, chat, automatic-rollback and console tests run again against a service
 * that answers with only what seed 004 documents.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

const SEED_SHAPE_MATRIX = [
  '<rootDir>/test/integration/engine/**/*.test.ts',
  '<rootDir>/test/integration/slack/**/*.test.ts',
  '<rootDir>/test/integration/discord/**/*.test.ts',
  '<rootDir>/test/integration/auto/**/*.test.ts',
  '<rootDir>/test/integration/console/**/*.test.ts',
  '<rootDir>/test/e2e/browser/console.test.ts',
  '<rootDir>/test/e2e/worker-killed-mid-rollback.test.ts',
];

module.exports = {
  projects: [
    { ...shared, displayName: 'full status', testMatch: ['**/*.test.ts'], setupFiles: ['<rootDir>/test/support/status-shape-full.ts'] },
    { ...shared, displayName: 'seed 004 status', testMatch: SEED_SHAPE_MATRIX, setupFiles: ['<rootDir>/test/support/status-shape-seed.ts'] },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
