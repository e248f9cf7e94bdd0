/**
 * Readable choices (value = ID, label = name) for filter pickers and template variables, read through the data
 * source's organization directory, so they share its cache with the names in frames.
 */
import { BILLED_SOURCE, SourceId } from '../api/catalog';
import type { AdminApiClient } from '../api/client';
import { Project, User } from '../api/types';
import { fetchBuckets, planQuery } from '../query/engine';
import { NameMap, OrgDirectory } from './directory';
import { ProjectKey } from './lists';
import { isArchived } from './names';

/** `actors`: users by email, the value audit logs filter on. */
export type ChoiceKind = 'projects' | 'users' | 'actors' | 'apiKeys' | 'models' | 'lineItems';

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
  /** The data source's organization directory; made on first use for a source without one. */
  names?: OrgDirectory;
}

export const DEFAULT_LOOKBACK_DAYS = 30;
const MAX_LOOKBACK_DAYS = 180;

const directories = new WeakMap<ChoiceSource, OrgDirectory>();

/** The directory, and so the cache, a source's choices go through. */
export function directoryOf(ds: ChoiceSource): OrgDirectory {
  if (ds.names) {
    return ds.names;
  }
  let made = directories.get(ds);
  if (!made) {
    made = new OrgDirectory(ds.client, ds.now);
    directories.set(ds, made);
  }
  return made;
}

export async function loadChoices(ds: ChoiceSource, kind: ChoiceKind, options: ChoiceOptions = {}): Promise<Choice[]> {
  const org = directoryOf(ds);
  switch (kind) {
    case 'projects': {
      const [projects, names] = await Promise.all([org.projects(), org.nameMap('project')]);
      return projects.filter((p) => options.includeArchived || !isArchived(p)).map((p) => projectChoice(p, names));
    }
    case 'users': {
      const [users, names] = await Promise.all([org.users(), org.nameMap('user')]);
      return users.map((u) => userChoice(u, names));
    }
    case 'actors': {
      const [users, names] = await Promise.all([org.users(), org.nameMap('user')]);
      return users
        .filter((u) => u.email)
        .map((u) => ({ value: u.email!, label: names.get(u.id) ?? u.email!, description: u.name ?? undefined }));
    }
    case 'apiKeys': {
      const [{ keys }, names] = await Promise.all([org.projectApiKeys(), org.nameMap('apiKey')]);
      return keys.filter((k) => wantedKey(k, options)).map((k) => apiKeyChoice(k, names));
    }
    case 'models':
    case 'lineItems': {
      const source = kind === 'models' ? (options.source ?? 'completions') : BILLED_SOURCE;
      const field = kind === 'models' ? 'model' : 'line_item';
      const days = lookback(options.lookbackDays);
      const now = ds.now?.() ?? Date.now();
      // Cached like the lists; the look-back is read at load time, which the cache's lifetime bounds.
      return org.cache.get(`seen:${source}:${field}:${days}`, () => seenValues(ds.client, now, source, field, days));
    }
  }
}

/** Forgets cached choices and names, e.g. after the data source settings changed. */
export function clearChoices(ds: ChoiceSource) {
  directoryOf(ds).clear();
}

/** Labels are the directory's display names, so a picker names an object as its series does. */
function projectChoice(p: Project, names: NameMap): Choice {
  return { value: p.id, label: names.get(p.id) ?? p.id, description: isArchived(p) ? `${p.id} · archived` : p.id };
}

function userChoice(u: User, names: NameMap): Choice {
  return {
    value: u.id,
    label: names.get(u.id) ?? u.id,
    description: [u.email && u.name ? u.name : undefined, u.role ?? undefined, u.id].filter(Boolean).join(' · '),
  };
}

function wantedKey(k: ProjectKey, options: ChoiceOptions): boolean {
  if (!options.includeArchived && isArchived(k.project)) {
    return false;
  }
  return !options.projectIds?.length || options.projectIds.includes(k.project.id);
}

function apiKeyChoice(k: ProjectKey, names: NameMap): Choice {
  return {
    value: k.id,
    label: names.get(k.id) ?? k.id,
    description: [k.redacted_value, k.id].filter(Boolean).join(' · '),
  };
}

function lookback(days = DEFAULT_LOOKBACK_DAYS): number {
  return Math.max(1, Math.min(Math.round(days), MAX_LOOKBACK_DAYS));
}

/** Distinct values of one dimension seen in a usage or costs endpoint over the last days. */
async function seenValues(
  client: ChoiceClient,
  nowMs: number,
  source: SourceId,
  field: 'model' | 'line_item',
  days: number
): Promise<Choice[]> {
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
