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

/** A key as pickers and series show it: the project (its shown name, or the project) tells apart keys of one name. */
export function apiKeyLabel(k: Pick<ProjectApiKey, 'id' | 'name' | 'redacted_value'>, p: Project | string): string {
  return `${apiKeyName(k)} (${typeof p === 'string' ? p : projectName(p)})`;
}

export function isArchived(p: Pick<Project, 'status' | 'archived_at'>): boolean {
  return p.status === 'archived' || Boolean(p.archived_at);
}

/** The shortest ID tail that tells IDs apart, with the ID's kind: `proj_…3fA9`. */
function idSuffix(id: string, ids: string[]): string {
  const kind = /^[a-z]+[_-]/.exec(id)?.[0] ?? '';
  let len = 4;
  while (len < id.length && new Set(ids.map((x) => x.slice(-len))).size < ids.length) {
    len++;
  }
  return `${kind}…${id.slice(-len)}`;
}

/**
 * ID → display name, where objects a person named alike are told apart by a short ID suffix
 * ("Data Pipeline (proj_…3fA9)"). Series names, pickers and tables all take their names from here, so an
 * object is called the same everywhere.
 */
export function distinctNames<T>(items: T[], nameOf: (t: T) => string, idOf: (t: T) => string): Map<string, string> {
  const byName = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item);
    const group = byName.get(name);
    if (group) {
      group.push(item);
    } else {
      byName.set(name, [item]);
    }
  }
  const out = new Map<string, string>();
  for (const [name, group] of byName) {
    const ids = group.map(idOf);
    for (const id of ids) {
      out.set(id, ids.length === 1 ? name : `${name} (${idSuffix(id, ids)})`);
    }
  }
  return out;
}
