/**
 * The baselines the plugin is compared with: clients without its engine, each target paging through its whole
 * range one page at a time (following `next_page`), reading the name lists it needs, with no de-duplication and
 * no cache. Targets run concurrently, as Grafana sends panels; every 429 is waited out once for its
 * `Retry-After` and the request sent again. They go through the same proxy and build the same frames.
 *
 * - naive: the API's default `limit` (1d 7, 1h 24, 1m 60; costs 7) and list pages (20), names after the data;
 * - fair: a client as a capable user of a generic JSON data source would set it up: the per-width maximum
 *   `limit`, lists of 100, the name lists as further queries of the panel, so they run beside the data
 *   (each project's key list beside the others once the projects are known).
 */
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { encodeQuery, Params } from '../../src/api/client';
import { UsagePage } from '../../src/api/types';
import { buildFrames } from '../../src/query/frames';
import { NameMap } from '../../src/org/directory';
import { userName } from '../../src/org/names';
import { nameKindsOf, planQuery } from '../../src/query/engine';
import { API_MAX_LIMIT, LIST_MAX_LIMIT } from './lowerBound';
import type { PanelRequest } from './scenarios';

/** The API's default `limit` per width when none is sent. */
const DEFAULT_LIMIT = { '1d': 7, '1h': 24, '1m': 60, costs: 7 } as const;
/** A 429 that keeps coming back this often ends the query. */
const MAX_RETRIES = 50;

export interface BaselineStyle {
  label: 'naive' | 'fair';
  limit: Record<keyof typeof DEFAULT_LIMIT, number>;
  /** Page size sent to the list endpoints; undefined sends none (the API's 20). */
  listLimit?: number;
  /** Names fetched beside the data instead of after it, and per-project key lists beside one another. */
  parallelNames: boolean;
}

export const NAIVE: BaselineStyle = { label: 'naive', limit: DEFAULT_LIMIT, parallelNames: false };
export const FAIR: BaselineStyle = {
  label: 'fair',
  limit: API_MAX_LIMIT,
  listLimit: LIST_MAX_LIMIT,
  parallelNames: true,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Listed {
  id: string;
  name?: string | null;
  email?: string | null;
}

export class BaselineClient {
  constructor(
    private readonly baseUrl: string,
    private readonly style: BaselineStyle
  ) {}

  private async get<T>(path: string, params: Params): Promise<T> {
    const url = `${this.baseUrl}${path}?${encodeQuery(params)}`;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await lastValueFrom(getBackendSrv().fetch<T>({ url, method: 'GET', showErrorAlert: false }));
        return res.data;
      } catch (e) {
        const err = e as { status?: number; headers?: Headers };
        if (err.status !== 429 || attempt >= MAX_RETRIES) {
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
      const page = await this.get<{ data: Listed[]; has_more: boolean }>(path, {
        ...params,
        limit: this.style.listLimit,
        after,
      });
      items.push(...page.data);
      if (!page.has_more) {
        return items;
      }
      after = page.data[page.data.length - 1].id;
    }
  }

  private async names(kinds: string[]): Promise<Record<string, NameMap>> {
    const names: Record<string, NameMap> = {};
    const load = async (kind: string) => {
      if (kind === 'user') {
        const users = await this.list('/v1/organization/users');
        names.user = new Map(users.map((u) => [u.id, userName(u)]));
        return;
      }
      const projects = await this.list('/v1/organization/projects', { include_archived: true });
      if (kind === 'project') {
        names.project = new Map(projects.map((p) => [p.id, p.name || p.id]));
        return;
      }
      names.apiKey = new Map();
      const keysOf = (p: Listed) =>
        this.list(`/v1/organization/projects/${p.id}/api_keys`, { owner_project_access: 'any' });
      const perProject = this.style.parallelNames
        ? await Promise.all(projects.map(keysOf))
        : await projects.reduce<Promise<Listed[][]>>(
            async (acc, p) => [...(await acc), await keysOf(p)],
            Promise.resolve([])
          );
      perProject.flat().forEach((k) => names.apiKey.set(k.id, k.name || k.id));
    };
    if (this.style.parallelNames) {
      await Promise.all(kinds.map(load));
    } else {
      for (const kind of kinds) {
        await load(kind);
      }
    }
    return names;
  }

  async query(panel: PanelRequest, now: number): Promise<number> {
    const frames = await Promise.all(
      panel.targets.map(async (target) => {
        const plan = planQuery(target, panel.from * 1000, panel.to * 1000, now * 1000, panel.maxDataPoints);
        const limit = plan.def.id === 'costs' ? this.style.limit.costs : this.style.limit[plan.width];
        const fetchData = async () => {
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
          return buckets;
        };
        const kinds = nameKindsOf(plan.groupBy);
        const [buckets, names] = this.style.parallelNames
          ? await Promise.all([fetchData(), this.names(kinds)])
          : [await fetchData(), await this.names(kinds)];
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
