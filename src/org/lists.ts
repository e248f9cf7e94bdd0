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

/** One list per project, every page. A project the API refuses to list (HTTP 400, e.g. archived) is named. */
export async function listPerProject<T extends { id: string }>(
  client: Lister,
  projects: Project[],
  resource: string,
  params: Params = {}
): Promise<{ items: Array<{ item: T; project: Project }>; refused: Project[] }> {
  const refused: Project[] = [];
  const lists = await Promise.all(
    projects.map(async (project) => {
      try {
        const items = await client.listAll<T>(projectListPath(project.id, resource), { limit: LIST_LIMIT, ...params });
        return items.map((item) => ({ item, project }));
      } catch (e) {
        if (isApiError(e) && e.kind === 'badRequest') {
          refused.push(project);
          return [];
        }
        throw e;
      }
    })
  );
  return { items: lists.flat(), refused };
}

/** The keys of the given projects, `owner_project_access=any` so keys of owners who left are listed too. */
export async function listProjectApiKeys(client: Lister, projects: Project[]): Promise<ProjectKeys> {
  const { items, refused } = await listPerProject<ProjectApiKey>(client, projects, 'api_keys', {
    owner_project_access: 'any',
  });
  return { keys: items.map(({ item, project }) => ({ ...item, project })), refused };
}
