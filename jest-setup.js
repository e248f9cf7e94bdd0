// Jest setup provided by Grafana scaffolding; its browser stand-ins apply only to DOM tests, so tests
// that run in plain Node (`@jest-environment node`: simulator, proxy, engine over HTTP) skip it.
if (typeof window !== 'undefined') {
  require('./.config/jest-setup');
}
// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';
