// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // Some ESM-only dependencies of @grafana/ui (d3-color >= 3.1.1) ship `.mjs` entry points.
  transform: { '^.+\\.(t|j)sx?$|^.+\\.mjs$': swc },
  // Unit tests live beside the code; simulator, proxy and tooling tests live under tests/.
  testMatch: [...base.testMatch, '<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // The Grafana lines of the browser sandbox install their own copies of @grafana/* and React.
  modulePathIgnorePatterns: ['<rootDir>/tests/sandbox/grafana/[^/]+/node_modules/'],
  // Many tests talk to the simulator over HTTP; a busy CI machine must not turn a slow answer into a failure.
  testTimeout: 30_000,
};
