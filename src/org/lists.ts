/** The Admin API's organization lists, read whole (every page). */
import type { AdminApiClient, Params } from '../api/client';
import { isApiError } from '../api/errors';
import { Project, ProjectApiKey, User } from '../api/types';

export type Lister = Pick<AdminApiClient, 'listAll'>;

export const PROJECTS_PATH = '/v1/organization/projects';
export const USERS_PATH = '/v1/organization/users';
/** The largest page the lists accept. */
export const LIST_LIMIT = 100;

/** A list under one project, e.g. its `api_keys`. */
export function projectListPath(projectId: string, resource: string): string {
  return `${PROJECTS_PATH}/${encodeURIComponent(projectId)}/${resource}`;
}

/** Every project, archived ones included (they still have usage, costs and keys). */
export function listProjects(client: Lister): Promise<Project[]> {
  return client.listAll<Project>(PROJECTS_PATH, { limit: LIST_LIMIT, include_archived: true });
}

export function listUsers(client: Lister): Promise<User[]> {
  return client.listAll<User>(USERS_PATH, { limit: LIST_LIMIT });
}

export type ProjectKey = ProjectApiKey & { project: Project };

export interface ProjectKeys {
  keys: ProjectKey[];
  /** Projects whose keys the API refused to list (HTTP 400, e.g. archived ones); their keys keep their IDs. */
  refused: Project[];
}

/** One list under one project, every page; null when the API refuses to list it (HTTP 400, e.g. archived). */
export async function listUnderProject<T extends { id: string }>(
  client: Lister,
  projectId: string,
  resource: string,
  params: Params = {}
): Promise<T[] | null> {
  try {
    return await client.listAll<T>(projectListPath(projectId, resource), { limit: LIST_LIMIT, ...params });
  } catch (e) {
    if (isApiError(e) && e.kind === 'badRequest') {
      return null;
    }
    throw e;
  }
}

/** One list per project, every page. A project the API refuses to list (HTTP 400, e.g. archived) is named. */
export async function listPerProject<T extends { id: string }>(
  client: Lister,
  projects: Project[],
  resource: string,
  params: Params = {}
): Promise<{ items: Array<{ item: T; project: Project }>; refused: Project[] }> {
  const lists = await Promise.all(projects.map((p) => listUnderProject<T>(client, p.id, resource, params)));
  return joinProjectLists(projects, lists);
}

/** Lists of the projects, in the projects' order, joined with their project; null lists name refused projects. */
export function joinProjectLists<T>(
  projects: Project[],
  lists: Array<T[] | null>
): { items: Array<{ item: T; project: Project }>; refused: Project[] } {
  const refused = projects.filter((_, i) => lists[i] === null);
  const items = projects.flatMap((project, i) => (lists[i] ?? []).map((item) => ({ item, project })));
  return { items, refused };
}

/** One project's keys, `owner_project_access=any` so keys of owners who left are listed too; null if refused. */
export function listApiKeysOf(client: Lister, projectId: string): Promise<ProjectApiKey[] | null> {
  return listUnderProject<ProjectApiKey>(client, projectId, 'api_keys', { owner_project_access: 'any' });
}

/** The keys of the given projects. */
export async function listProjectApiKeys(client: Lister, projects: Project[]): Promise<ProjectKeys> {
  return projectKeysOf(projects, await Promise.all(projects.map((p) => listApiKeysOf(client, p.id))));
}

/** Keys joined with their project; a null list names a project the API refused to list. */
export function projectKeysOf(projects: Project[], lists: Array<ProjectApiKey[] | null>): ProjectKeys {
  const { items, refused } = joinProjectLists(projects, lists);
  return { keys: items.map(({ item, project }) => ({ ...item, project })), refused };
}
