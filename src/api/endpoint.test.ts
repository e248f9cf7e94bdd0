/**
 * The data source URL as Grafana's proxy uses it: every form a person could reasonably enter works through the
 * configuration page, and each one that cannot work gets one message that says what to change, in Save & test
 * and in panels.
 */
import http from 'http';
import { AddressInfo } from 'net';

import { Harness, HarnessOptions, startHarness } from '../../tests/harness';
import { QueryType } from '../types';
import { NOT_ALLOWED_MESSAGE, NO_URL_MESSAGE, UNREACHABLE_MESSAGE, doubledV1Message, urlProblem } from './endpoint';

const NOW = 1763900000;
const DAY = 86400;
const COSTS = { queryType: QueryType.TimeSeries, source: 'costs' as const, groupBy: [] };

async function withHarness<T>(options: HarnessOptions, run: (h: Harness) => Promise<T>): Promise<T> {
  const h = await startHarness({ now: NOW, ...options });
  try {
    return await run(h);
  } finally {
    await h.close();
  }
}

/** A gateway that serves the API under a base path, e.g. https://gw.example/openai/v1/organization/…. */
async function startGateway(base: string, upstream: () => string) {
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (!path.startsWith(`${base}/`)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such path on the gateway');
      return;
    }
    const target = new URL(upstream());
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: path.slice(base.length),
        method: req.method,
        headers: req.headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      }
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the data source URL', () => {
  it.each(['', '/'])('works as <api>%s', async (suffix) => {
    await withHarness({}, async (h) => {
      h.proxy.update({ url: `${h.sim.url}${suffix}` });
      const res = await h.query([COSTS], NOW - 7 * DAY, NOW);
      expect(res.errors ?? []).toEqual([]);
      expect(res.data.length).toBeGreaterThan(0);
      expect((await h.ds.testDatasource()).status).toBe('success');
    });
  });

  it.each(['', '/'])('works with a gateway base path%s', async (suffix) => {
    let simUrl = '';
    const gateway = await startGateway('/openai', () => simUrl);
    try {
      await withHarness({}, async (h) => {
        simUrl = h.sim.url;
        h.proxy.update({ url: `${gateway.url}${suffix}` });
        const res = await h.query([COSTS], NOW - 7 * DAY, NOW);
        expect(res.errors ?? []).toEqual([]);
        expect(h.proxy.requests.at(-1)?.upstreamUrl).toMatch(/\/openai\/v1\/organization\/costs\?/);
        expect((await h.ds.testDatasource()).message).toMatch(`Connected to ${gateway.url}${suffix}.`);
      });
    } finally {
      await gateway.close();
    }
  });

  it.each(['/v1', '/v1/'])('ending in %s gets one message that says to remove /v1', async (suffix) => {
    await withHarness({ orgRole: 'Viewer' }, async (h) => {
      const url = `${h.sim.url}${suffix}`;
      h.proxy.update({ url });
      const res = await h.query([COSTS, { ...COSTS, groupBy: ['project_id'] }], NOW - 7 * DAY, NOW);
      expect(res.errors?.map((e) => e.message)).toEqual([doubledV1Message(), doubledV1Message()]);
    });
    await withHarness({ orgRole: 'Admin' }, async (h) => {
      const url = `${h.sim.url}${suffix}`;
      h.proxy.update({ url });
      const before = h.sim.stats().log.length;
      expect(await h.ds.testDatasource()).toEqual({ status: 'error', message: doubledV1Message(url) });
      expect(doubledV1Message(url)).toContain(`Remove /v1 from the URL: ${h.sim.url}.`);
      // Known from the settings before any request.
      expect(h.sim.stats().log.length).toBe(before);
    });
  });

  it('when missing, says so in Save & test for Admins, and names it in panels and for others', async () => {
    await withHarness({ url: '' }, async (h) => {
      expect(await h.ds.testDatasource()).toEqual({ status: 'error', message: NO_URL_MESSAGE });
      const res = await h.query([COSTS], NOW - 7 * DAY, NOW);
      expect(res.errors?.map((e) => e.message)).toEqual([UNREACHABLE_MESSAGE]);
    });
    await withHarness({ url: '', orgRole: 'Viewer' }, async (h) => {
      const res = await h.ds.testDatasource();
      expect([res.status, res.message]).toEqual(['error', UNREACHABLE_MESSAGE]);
    });
    expect(UNREACHABLE_MESSAGE).toContain('provisioned without `url:`');
  }, 60_000);

  it("outside Grafana's allow-list, says that an administrator must add the host", async () => {
    await withHarness({ allowList: ['api.openai.com'] }, async (h) => {
      const test = await h.ds.testDatasource();
      expect([test.status, test.message]).toEqual(['error', NOT_ALLOWED_MESSAGE]);
      const res = await h.query([COSTS], NOW - 7 * DAY, NOW);
      expect(res.errors?.map((e) => e.message)).toEqual([NOT_ALLOWED_MESSAGE]);
      expect(h.sim.stats().log).toHaveLength(0);
    });
  });

  it('flags the forms that cannot work before any request', () => {
    expect(urlProblem('')).toBe(NO_URL_MESSAGE);
    expect(urlProblem('  ')).toBe(NO_URL_MESSAGE);
    expect(urlProblem('https://api.openai.com/v1')).toBe(doubledV1Message('https://api.openai.com/v1'));
    expect(urlProblem('https://gw.example/openai/v1/organization/')).toMatch(
      /Remove \/v1 from the URL: https:\/\/gw.example\/openai\./
    );
    for (const ok of [
      'https://api.openai.com',
      'https://api.openai.com/',
      'https://gw.example/v1x',
      'https://gw.example/v1/openai',
    ]) {
      expect([ok, urlProblem(ok)]).toEqual([ok, undefined]);
    }
  });
});
