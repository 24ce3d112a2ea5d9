/**
 * Two projects: `unit` needs nothing running; `integration` (files named `*.integ.test.ts`)
 * needs a real Kafka broker and DynamoDB Local, which its global setup starts once
 * (or takes from KAFKA_BROKERS / DYNAMODB_ENDPOINT) and stops at the end.
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  modulePathIgnorePatterns: ['<rootDir>/cdk.out', '<rootDir>/.local'],
  setupFiles: ['<rootDir>/test/support/quiet-sdk.ts'],
};

module.exports = {
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.integ\\.test\\.ts$', '\\.faults\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.integ.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // Fault, bad-input and load tests (`npm run test:faults`): each suite starts services of
      // its own, because it kills and restarts them.
      ...common,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/**/*.faults.test.ts'],
    },
  ],
};
