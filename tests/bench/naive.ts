/**
 * The baseline: a straightforward client such as many dashboards' plugins use. Each target pages through its
 * whole range with the API's default `limit` (1d 7, 1h 24, 1m 60; costs 7), following `next_page` one page at
 * a time, then reads the name lists it needs, with no de-duplication and no cache. Targets run concurrently,
 * as Grafana sends panels. It goes through the same proxy and builds the same frames.
 */
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { encodeQuery, Params } from '../../src/api/client';
import { UsagePage } from '../../src/api/types';
import { buildFrames } from '../../src/query/frames';
import { NameMap } from '../../src/org/directory';
import { userName } from '../../src/org/names';
import { nameKindsOf, planQuery } from '../../src/query/engine';
import type { PanelRequest } from './scenarios';

const DEFAULT_LIMIT = { '1d': 7, '1h': 24, '1m': 60, costs: 7 } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Listed {
  id: string;
  name?: string | null;
  email?: string | null;
}

export class NaiveClient {
  constructor(private readonly baseUrl: string) {}

  private async get<T>(path: string, params: Params): Promise<T> {
    const url = `${this.baseUrl}${path}?${encodeQuery(params)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await lastValueFrom(getBackendSrv().fetch<T>({ url, method: 'GET', showErrorAlert: false }));
        return res.data;
      } catch (e) {
        const err = e as { status?: number; headers?: Headers };
        // Even a naive client must wait out a 429 to finish; it does so per request.
        if (err.status !== 429 || attempt >= 50) {
          throw e;
        }
        await sleep(Number(err.headers?.get?.('retry-after') ?? 1) * 1000);
      }
    }
  }

  private async list(path: string, params: Params = {}): Promise<Listed[]> {
    const items: Listed[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.get<{ data: Listed[]; has_more: boolean }>(path, { ...params, after });
      items.push(...page.data);
      if (!page.has_more) {
        return items;
      }
      after = page.data[page.data.length - 1].id;
    }
  }

  async query(panel: PanelRequest, now: number): Promise<number> {
    const frames = await Promise.all(
      panel.targets.map(async (target) => {
        const plan = planQuery(target, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints);
        const limit = plan.def.id === 'costs' ? DEFAULT_LIMIT.costs : DEFAULT_LIMIT[plan.width];
        const buckets: UsagePage['data'] = [];
        let page: string | undefined;
        do {
          const res = await this.get<UsagePage>(plan.def.path, {
            start_time: plan.start,
            end_time: plan.end,
            ...plan.params,
            limit,
            page,
          });
          buckets.push(...res.data);
          page = res.has_more ? (res.next_page ?? undefined) : undefined;
        } while (page);

        const names: Record<string, NameMap> = {};
        for (const kind of nameKindsOf(plan.groupBy)) {
          if (kind === 'user') {
            const users = await this.list('/v1/organization/users');
            names.user = new Map(users.map((u) => [u.id, userName(u)]));
            continue;
          }
          const projects = await this.list('/v1/organization/projects', { include_archived: true });
          if (kind === 'project') {
            names.project = new Map(projects.map((p) => [p.id, p.name || p.id]));
            continue;
          }
          names.apiKey = new Map();
          for (const p of projects) {
            const keys = await this.list(`/v1/organization/projects/${p.id}/api_keys`, { owner_project_access: 'any' });
            keys.forEach((k) => names.apiKey.set(k.id, k.name || k.id));
          }
        }
        return buildFrames({
          def: plan.def,
          metrics: plan.metrics,
          groupBy: plan.groupBy,
          width: plan.width,
          buckets,
          names,
          costByModel: target.costByModel,
          legendFormat: target.legendFormat,
          refId: target.refId,
        }).length;
      })
    );
    return frames.reduce((a, b) => a + b, 0);
  }
}
