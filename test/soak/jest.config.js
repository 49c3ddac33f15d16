/**
 * The soak test runs only on demand (`npx jest --config test/soak/jest.config.js`), never in
 * `npm test`: the main config's projects do not match test/soak/. SOAK_SECONDS sets its length.
 */
const { join } = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: join(__dirname, '..', '..'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/soak/**/*.soak.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  testTimeout: 3_600_000,
};
