/**
 * Readable names for the IDs in usage and costs: project names, user emails, API key names. Lists are read
 * whole (archived projects and every project's keys included), kept for a few minutes, and a list that
 * cannot be read leaves IDs in place with a notice instead of failing the query.
 */
import { AdminApiClient } from '../api/client';
import { NameKind } from '../api/catalog';
import { isApiError } from '../api/errors';
import { Project, ProjectApiKey, User } from '../api/types';

export type NameMap = Map<string, string>;

export interface ResolvedNames {
  maps: Partial<Record<NameKind, NameMap>>;
  /** Why some names are missing, for a frame notice. */
  warnings: string[];
}

const TTL_MS = 10 * 60 * 1000;

export class NameResolver {
  private readonly lists = new Map<NameKind, { at: number; value: Promise<NameMap> }>();

  constructor(
    private readonly client: Pick<AdminApiClient, 'listAll'>,
    private readonly now: () => number = Date.now
  ) {}

  async resolve(kinds: Iterable<NameKind>): Promise<ResolvedNames> {
    const wanted = [...new Set(kinds)];
    const settled = await Promise.allSettled(wanted.map((k) => this.load(k)));
    const names: ResolvedNames = { maps: {}, warnings: [] };
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        names.maps[wanted[i]] = s.value;
      } else {
        names.warnings.push(`${KIND_LABEL[wanted[i]]} are shown as IDs: ${reason(s.reason)}`);
      }
    });
    return names;
  }

  clear() {
    this.lists.clear();
  }

  private load(kind: NameKind): Promise<NameMap> {
    const hit = this.lists.get(kind);
    if (hit && this.now() - hit.at < TTL_MS) {
      return hit.value;
    }
    const value = LOADERS[kind](this.client);
    this.lists.set(kind, { at: this.now(), value });
    value.catch(() => this.lists.delete(kind));
    return value;
  }
}

const KIND_LABEL: Record<NameKind, string> = { project: 'Projects', user: 'Users', apiKey: 'API keys' };

function reason(e: unknown): string {
  return isApiError(e) ? e.message : e instanceof Error ? e.message : String(e);
}

type Lister = Pick<AdminApiClient, 'listAll'>;

export function listProjects(client: Lister, includeArchived = true): Promise<Project[]> {
  return client.listAll<Project>('/v1/organization/projects', { limit: 100, include_archived: includeArchived });
}

/** Display name of a user: the email, else the name, else the ID. */
export function userName(u: Pick<User, 'id' | 'email' | 'name'>): string {
  return u.email || u.name || u.id;
}

/**
 * Every project's keys, `owner_project_access=any` so disabled owners' keys still get names. `projects`
 * narrows the listing (by default every project, archived ones included).
 */
export async function listProjectApiKeys(
  client: Lister,
  projects?: Project[]
): Promise<Array<ProjectApiKey & { project: Project }>> {
  projects ??= await listProjects(client);
  const perProject = await Promise.all(
    projects.map(async (project) => {
      try {
        const keys = await client.listAll<ProjectApiKey>(
          `/v1/organization/projects/${encodeURIComponent(project.id)}/api_keys`,
          { limit: 100, owner_project_access: 'any' }
        );
        return keys.map((k) => ({ ...k, project }));
      } catch (e) {
        // An archived project may refuse the listing; its keys then keep their IDs.
        if (isApiError(e) && e.kind === 'badRequest') {
          return [];
        }
        throw e;
      }
    })
  );
  return perProject.flat();
}

const LOADERS: Record<NameKind, (client: Lister) => Promise<NameMap>> = {
  project: async (client) => new Map((await listProjects(client)).map((p) => [p.id, p.name || p.id])),
  user: async (client) =>
    new Map((await client.listAll<User>('/v1/organization/users', { limit: 100 })).map((u) => [u.id, userName(u)])),
  apiKey: async (client) =>
    new Map((await listProjectApiKeys(client)).map((k) => [k.id, k.name || k.redacted_value || k.id])),
};
