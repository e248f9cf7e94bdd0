import { FieldType, createDataFrame } from '@grafana/data';
import { startSimulator } from '../tests/simulator/server';
import { startDevProxy } from '../tests/proxy/devProxy';
import { createBackendSrv } from '../tests/proxy/backendSrv';
import { AdminApiClient } from './api/client';
it('loads', async () => {
  expect(createDataFrame({ fields: [{ name: 'a', type: FieldType.string, values: ['x'] }] }).length).toBe(1);
  const sim = await startSimulator({ now: 1760000000 });
  const proxy = await startDevProxy({ jsonData: { apiUrl: sim.url }, secureJsonData: { adminApiKey: 'sk-admin-sim-full' } });
  const backendSrv = createBackendSrv();
  const client = new AdminApiClient(proxy.proxyBase, { backendSrv: () => backendSrv });
  const users = await client.listAll('/v1/organization/users', { limit: 5 });
  console.log(users.length, sim.stats().log.map((l) => l.query));
  const logs = await client.listAll('/v1/organization/audit_logs', { limit: 100, effective_at: { gte: 1700000000, lt: 1760000000 }, event_types: ['login.failed'] });
  console.log(logs.length, sim.stats().log.slice(-3).map((l) => l.query));
  await proxy.close(); await sim.close();
});
