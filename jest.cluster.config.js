/** The cluster tests (tests/cluster/): real PostgreSQL 15 primary and standby, PgBouncer, service
 * replicas as processes. Run by `npm run test:cluster` (a step of .ci/run, which installs PgBouncer);
 * they build their own databases, so no global setup. */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/tests/cluster/**/*.test.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
