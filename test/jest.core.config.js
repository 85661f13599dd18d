/**
 * The core's tests alone (domain, messages, engine on in-memory ports): no Redis, no HTTP, no
 * child process. `npm run test:core` runs them in a few seconds; the Redis URL points at a closed
 * port, so a core test that reached for Redis would fail instead of quietly using one.
 */
module.exports = {
  rootDir: '..',
  displayName: 'core',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/unit/{domain,messages,engine}/**/*.test.ts', '<rootDir>/test/unit/store/in-memory-store.test.ts'],
  setupFiles: ['<rootDir>/test/support/status-shape-full.ts', '<rootDir>/test/support/no-redis.ts'],
};
