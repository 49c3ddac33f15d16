/**
 * Test tiers (STYLE.md, Tests), one Jest project each:
 * - unit: pure code, no I/O (`npm run test:unit`);
 * - integration: services, repositories, jobs and tooling against the real PostgreSQL and Redis
 *   (`npm run test:integration`);
 * - http: the whole service, over HTTP or as a child process, and the end-to-end demo
 *   (`npm run test:http`).
 * The last two share one global setup: a migrated database for the run, copied once per worker so
 * that two files run side by side (maxWorkers) without emptying each other's tables.
 */
// Each file is transpiled on its own (no type check: that is `npm run typecheck`), because
// tsconfig.json sets isolatedModules; ts-jest's own option of that name is deprecated.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
/**
 * `jose` and `openid-client` ship as ES modules only. Node loads them from our CommonJS build
 * (require(esm), Node 20.19 and later), but Jest's module loader does not until Node 24.9: their
 * files are compiled to CommonJS for the tests, and nothing else in node_modules is.
 */
const esmPackages = ['jose', 'openid-client', 'oauth4webapi'];
const transform = {
  '^.+\\.ts$': tsJest,
  [`node_modules/(${esmPackages.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmPackages.join('|')})/)`];
const withDatabase = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  // Jest's default is one worker fewer than the cores: none to spare on a 2-core machine. Most of an
  // integration file's time is spent waiting on PostgreSQL, Redis and timers, so two overlap well.
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
    },
    { displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'], ...withDatabase },
    { displayName: 'http', testMatch: ['<rootDir>/test/http/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'], ...withDatabase },
  ],
};
