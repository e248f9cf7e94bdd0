/** How organization objects are named in frames, pickers and tables. */
import { Project, ProjectApiKey, User } from '../api/types';

/** Display name of a user: the email, else the name, else the ID. */
export function userName(u: Pick<User, 'id' | 'email' | 'name'>): string {
  return u.email || u.name || u.id;
}

export function projectName(p: Pick<Project, 'id' | 'name'>): string {
  return p.name || p.id;
}

/** A key's name, else its redacted value (`sk-…abcd`), else its ID. */
export function apiKeyName(k: Pick<ProjectApiKey, 'id' | 'name' | 'redacted_value'>): string {
  return k.name || k.redacted_value || k.id;
}

/** A key as a picker shows it: the project tells apart keys with the same name. */
export function apiKeyLabel(k: Pick<ProjectApiKey, 'id' | 'name' | 'redacted_value'>, p: Project): string {
  return `${apiKeyName(k)} (${projectName(p)})`;
}

export function isArchived(p: Pick<Project, 'status' | 'archived_at'>): boolean {
  return p.status === 'archived' || Boolean(p.archived_at);
}
