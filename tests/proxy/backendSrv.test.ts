/*
 * Data source tests run in Jest's default jsdom environment, which has no fetch; the stand-in must work there too,
 * behind getBackendSrv().
 */
import { getBackendSrv } from '@grafana/runtime';
import http from 'http';
import { AddressInfo } from 'net';
import { lastValueFrom } from 'rxjs';

import { installBackendSrv } from './backendSrv';

describe('installBackendSrv in the jsdom environment', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/bad') ? 400 : 200, { 'Content-Type': 'text/plain' });
      res.end(req.url?.startsWith('/bad') ? 'Authentication to data source failed' : '{"ok":1}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves getBackendSrv().fetch with real HTTP', async () => {
    installBackendSrv();
    const response = await lastValueFrom(getBackendSrv().fetch<{ ok: number }>({ url: `${url}/v1/organization/x` }));
    expect(response.data).toEqual({ ok: 1 });
    expect(response.headers.get('content-type')).toBe('text/plain');
    const err = await lastValueFrom(getBackendSrv().fetch({ url: `${url}/bad` })).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, data: { message: 'Authentication to data source failed' } });
  });
});
