/** Jest in ESM mode (see README): ts-jest compiles TypeScript, tests run against real Postgres. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/static (CommonJS, used by /docs) requires the ESM-only content-disposition 3, which
    // Node loads natively (require(esm)) but Jest's module runtime cannot before Node 24.9.
    '^content-disposition$': 'content-disposition-cjs',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  // tests/cluster/ needs PgBouncer and the system PostgreSQL: `npm run test:cluster` (jest.cluster.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/cluster/'],
  globalSetup: '<rootDir>/tests/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/setup/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
};
