/**
 * One data source's view of the organization: projects, users and project API keys, loaded through the one
 * cache, and the ID → name maps built from them. Frames, pickers, variables, inventory and Save & test all
 * read here, so a list loaded for one is reused by the others.
 */
import { NameKind } from '../api/catalog';
import { isApiError } from '../api/errors';
import { Project, User } from '../api/types';
import { GetOptions, OrgCache } from './cache';
import { Lister, ProjectKeys, listProjectApiKeys, listProjects, listUsers } from './lists';
import { apiKeyLabel, distinctNames, projectName, userName } from './names';

export type NameMap = Map<string, string>;

export interface ResolvedNames {
  maps: Partial<Record<NameKind, NameMap>>;
  /** Why some names are missing, for a frame notice. */
  warnings: string[];
}

const KIND_LABEL: Record<NameKind, string> = { project: 'Projects', user: 'Users', apiKey: 'API keys' };

export class OrgDirectory {
  readonly cache: OrgCache;

  constructor(
    private readonly client: Lister,
    /** Milliseconds, like Date.now; injectable for tests. */
    now: () => number = Date.now
  ) {
    this.cache = new OrgCache(now);
  }

  /** Every project, archived ones included. */
  projects(options?: GetOptions): Promise<Project[]> {
    return this.cache.get('projects', () => listProjects(this.client), options);
  }

  users(options?: GetOptions): Promise<User[]> {
    return this.cache.get('users', () => listUsers(this.client), options);
  }

  /** The keys of every project, archived ones included. */
  projectApiKeys(options?: GetOptions): Promise<ProjectKeys> {
    return this.cache.get(
      'projectApiKeys',
      async () => listProjectApiKeys(this.client, await this.projects(options)),
      options
    );
  }

  /** ID → name maps of the kinds asked; a list that cannot be read leaves IDs in place with a warning. */
  async resolve(kinds: Iterable<NameKind>): Promise<ResolvedNames> {
    const wanted = [...new Set(kinds)];
    const settled = await Promise.allSettled(wanted.map((k) => this.nameMap(k)));
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
    this.cache.clear();
  }

  /**
   * ID → the name shown for it in series, pickers and tables alike: API keys with their project, and a short ID
   * suffix wherever two objects would still read the same.
   */
  async nameMap(kind: NameKind): Promise<NameMap> {
    const id = (x: { id: string }) => x.id;
    switch (kind) {
      case 'project':
        return distinctNames(await this.projects(), projectName, id);
      case 'user':
        return distinctNames(await this.users(), userName, id);
      case 'apiKey':
        return distinctNames((await this.projectApiKeys()).keys, (k) => apiKeyLabel(k, k.project), id);
    }
  }
}

function reason(e: unknown): string {
  // Only the plugin's own messages reach the panel, never a JavaScript error's text.
  return isApiError(e) ? e.message : 'the list could not be read.';
}
