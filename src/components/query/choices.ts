/**
 * Readable choices (value = ID, label = name) for filter pickers and template variables, loaded through the
 * data source's Admin API client and cached per data source for a few minutes.
 */
import { SourceId } from '../../api/catalog';
import type { AdminApiClient } from '../../api/client';
import { Project, ProjectApiKey, User } from '../../api/types';
import { fetchBuckets, planQuery } from '../../query/engine';
import { listProjectApiKeys, listProjects, userName } from '../../query/names';

export type ChoiceKind = 'projects' | 'users' | 'apiKeys' | 'models' | 'lineItems';

export interface Choice {
  value: string;
  label: string;
  description?: string;
}

export interface ChoiceOptions {
  /** Projects (and the keys of archived projects): include archived ones. */
  includeArchived?: boolean;
  /** Models: the usage endpoint to look in; defaults to completions. */
  source?: SourceId;
  /** Models and line items: how far back to look. */
  lookbackDays?: number;
  /** API keys: only keys of these projects. */
  projectIds?: string[];
}

/** The part of the Admin API client the choices need. */
export type ChoiceClient = Pick<AdminApiClient, 'getJson' | 'listAll'>;

export interface ChoiceSource {
  client: ChoiceClient;
  /** The data source's clock (milliseconds), for look-back windows. */
  now?: () => number;
}

export const DEFAULT_LOOKBACK_DAYS = 30;
const TTL_MS = 5 * 60 * 1000;
const MAX_LOOKBACK_DAYS = 180;

const cache = new WeakMap<object, Map<string, { at: number; value: Promise<Choice[]> }>>();

export function loadChoices(ds: ChoiceSource, kind: ChoiceKind, options: ChoiceOptions = {}): Promise<Choice[]> {
  let perDs = cache.get(ds);
  if (!perDs) {
    perDs = new Map();
    cache.set(ds, perDs);
  }
  const key = JSON.stringify([kind, options]);
  const hit = perDs.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) {
    return hit.value;
  }
  const value = fetchChoices(ds, kind, options);
  perDs.set(key, { at: Date.now(), value });
  // A failure must not stick: the next editor mount retries.
  value.catch(() => perDs!.delete(key));
  return value;
}

/** Forgets cached choices, e.g. after the data source settings changed. */
export function clearChoices(ds: ChoiceSource) {
  cache.delete(ds);
}

async function fetchChoices(ds: ChoiceSource, kind: ChoiceKind, options: ChoiceOptions): Promise<Choice[]> {
  const client = ds.client;
  const now = ds.now?.() ?? Date.now();
  switch (kind) {
    case 'projects':
      return (await listProjects(client, Boolean(options.includeArchived))).map(projectChoice);
    case 'users':
      return listUsers(client);
    case 'apiKeys':
      return listApiKeys(client, options);
    case 'models':
      return seenValues(client, now, options.source ?? 'completions', 'model', options.lookbackDays);
    case 'lineItems':
      return seenValues(client, now, 'costs', 'line_item', options.lookbackDays);
  }
}

function projectChoice(p: Project): Choice {
  const archived = p.archived_at || p.status === 'archived';
  return { value: p.id, label: p.name || p.id, description: archived ? `${p.id} · archived` : p.id };
}

async function listUsers(client: ChoiceClient): Promise<Choice[]> {
  const users = await client.listAll<User>('/v1/organization/users', { limit: 100 });
  return users.map((u) => ({
    value: u.id,
    label: userName(u),
    description: [u.email && u.name ? u.name : undefined, u.role ?? undefined, u.id].filter(Boolean).join(' · '),
  }));
}

async function listApiKeys(client: ChoiceClient, options: ChoiceOptions): Promise<Choice[]> {
  let projects = await listProjects(client, Boolean(options.includeArchived));
  if (options.projectIds?.length) {
    projects = projects.filter((p) => options.projectIds!.includes(p.id));
  }
  return (await listProjectApiKeys(client, projects)).map((k) => apiKeyChoice(k, k.project));
}

function apiKeyChoice(k: ProjectApiKey, p: Project): Choice {
  const name = k.name || k.redacted_value || k.id;
  return {
    value: k.id,
    label: `${name} (${p.name || p.id})`,
    description: [k.redacted_value, k.id].filter(Boolean).join(' · '),
  };
}

/** Distinct values of one dimension seen in a usage or costs endpoint over the last days. */
async function seenValues(
  client: ChoiceClient,
  nowMs: number,
  source: SourceId,
  field: 'model' | 'line_item',
  lookbackDays = DEFAULT_LOOKBACK_DAYS
): Promise<Choice[]> {
  const days = Math.max(1, Math.min(Math.round(lookbackDays), MAX_LOOKBACK_DAYS));
  // The engine's own windows and pages, so no bucket of the look-back is skipped.
  const plan = planQuery(
    { refId: 'choices', source, groupBy: [field], bucketWidth: '1d', metrics: [] },
    nowMs - days * 86_400_000,
    nowMs,
    nowMs
  );
  const seen = new Map<string, number>();
  for (const bucket of await fetchBuckets({ client, now: () => nowMs }, plan)) {
    for (const r of bucket.results) {
      const v = r[field];
      if (typeof v === 'string' && v) {
        seen.set(v, (seen.get(v) ?? 0) + 1);
      }
    }
  }
  // Most frequently seen first, so the common ones are at the top of a long list.
  return [...seen.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([v]) => ({ value: v, label: v }));
}
