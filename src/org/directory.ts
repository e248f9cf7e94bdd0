/**
 * One data source's view of the organization: projects, users and project API keys, loaded through the one
 * cache, and the ID → name maps built from them. Frames, pickers, variables, inventory and Save & test all
 * read here, so a list loaded for one is reused by the others.
 */
import { NameKind } from '../api/catalog';
import { isApiError } from '../api/errors';
import { Project, ProjectApiKey, User } from '../api/types';
import { GetOptions, OrgCache, OrgStore } from './cache';
import { Lister, ProjectKey, ProjectKeys, listApiKeysOf, listProjects, listUsers, projectKeysOf } from './lists';
import { apiKeyLabel, distinctNames, projectName, userName } from './names';

export type NameMap = Map<string, string>;

export interface ResolvedNames {
  maps: Partial<Record<NameKind, NameMap>>;
  /** Why some names are missing, for a frame notice. */
  warnings: string[];
}

const KIND_LABEL: Record<NameKind, string> = { project: 'Projects', user: 'Users', apiKey: 'API keys' };

const PROJECTS = 'projects';
const USERS = 'users';
const KEYS_OF = 'apiKeys:';
/** Session storage keeps the lists pickers and panels show anyone who may query the data source, nothing else. */
const STORED = (key: string) => key === PROJECTS || key === USERS || key.startsWith(KEYS_OF);

export class OrgDirectory {
  readonly cache: OrgCache;
  /** The key names apiKeyNames built last, and the lists (and project IDs) they were built from. */
  private lastKeyNames?: { from: unknown[]; names: NameMap };

  constructor(
    private readonly client: Lister,
    /** Milliseconds, like Date.now; injectable for tests. */
    now: () => number = Date.now,
    /** Where lists outlive the page (see sessionStore); none keeps them in memory only. */
    store?: OrgStore
  ) {
    this.cache = new OrgCache({ now, store, stored: STORED });
  }

  /** Every project, archived ones included. */
  projects(options?: GetOptions): Promise<Project[]> {
    return this.cache.get(PROJECTS, () => listProjects(this.client), options);
  }

  users(options?: GetOptions): Promise<User[]> {
    return this.cache.get(USERS, () => listUsers(this.client), options);
  }

  /** The keys of every project, archived ones included. */
  async projectApiKeys(options?: GetOptions): Promise<ProjectKeys> {
    const projects = await this.projects(options);
    return projectKeysOf(projects, await Promise.all(projects.map((p) => this.keysOf(p.id, options))));
  }

  /**
   * Names of the keys of these projects only. A large organization's keys are many pages per project, so a
   * panel lists the projects its data shows and no others; each project's list is cached on its own.
   */
  async apiKeyNames(projectIds: Iterable<string>): Promise<ResolvedNames> {
    const ids = [...new Set(projectIds)];
    try {
      const [projects, lists] = await Promise.all([this.projects(), Promise.all(ids.map((id) => this.keysOf(id)))]);
      // The same lists for the same projects give the same names: a refresh builds them once.
      const from = [projects, ...ids, ...lists];
      const last = this.lastKeyNames;
      if (last && last.from.length === from.length && last.from.every((x, i) => x === from[i])) {
        return { maps: { apiKey: last.names }, warnings: [] };
      }
      const byId = new Map(projects.map((p) => [p.id, p]));
      const known = ids.filter((id) => byId.has(id));
      const keys = projectKeysOf(
        known.map((id) => byId.get(id)!),
        known.map((id) => lists[ids.indexOf(id)])
      ).keys;
      const names = await this.keyNames(keys);
      this.lastKeyNames = { from, names };
      return { maps: { apiKey: names }, warnings: [] };
    } catch (e) {
      return { maps: {}, warnings: [warning('apiKey', e)] };
    }
  }

  /** One project's keys; null when the API refuses to list them (e.g. archived), whose keys keep their IDs. */
  private keysOf(projectId: string, options?: GetOptions): Promise<ProjectApiKey[] | null> {
    return this.cache.get(KEYS_OF + projectId, () => listApiKeysOf(this.client, projectId), options);
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
        names.warnings.push(warning(wanted[i], s.reason));
      }
    });
    return names;
  }

  clear() {
    this.cache.clear();
    this.lastKeyNames = undefined;
  }

  /**
   * How many objects of a kind the organization has, when its lists are already read (nothing is loaded): the
   * most values a grouping by that kind can have. Unknown while any list it needs is unread or unreadable.
   */
  knownCount(kind: NameKind): number | undefined {
    const projects = this.cache.peek<Project[]>(PROJECTS);
    switch (kind) {
      case 'project':
        return projects?.length;
      case 'user':
        return this.cache.peek<User[]>(USERS)?.length;
      case 'apiKey': {
        if (!projects) {
          return undefined;
        }
        let n = 0;
        for (const p of projects) {
          const keys = this.cache.peek<ProjectApiKey[] | null>(KEYS_OF + p.id);
          if (!keys) {
            return undefined;
          }
          n += keys.length;
        }
        return n;
      }
    }
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
        return this.keyNames((await this.projectApiKeys()).keys);
    }
  }

  /** Keys by name with their project's shown name, told apart by an ID suffix where that still reads alike. */
  private async keyNames(keys: ProjectKey[]): Promise<NameMap> {
    const projects = await this.nameMap('project');
    return distinctNames(
      keys,
      (k) => apiKeyLabel(k, projects.get(k.project.id) ?? projectName(k.project)),
      (k) => k.id
    );
  }
}

function warning(kind: NameKind, e: unknown): string {
  // Only the plugin's own messages reach the panel, never a JavaScript error's text.
  return `${KIND_LABEL[kind]} are shown as IDs: ${isApiError(e) ? e.message : 'the list could not be read.'}`;
}
