/** What each inventory table lists, in words for the editor's picker and the frame's name. */
import { InventoryKind } from '../types';

export interface InventoryKindDef {
  label: string;
  description: string;
}

export const DEFAULT_INVENTORY_KIND: InventoryKind = 'users';

export const INVENTORY_KINDS: Record<InventoryKind, InventoryKindDef> = {
  users: {
    label: 'Users',
    description: 'Members of the organization, with their completions tokens, requests and last activity in a window',
  },
  projects: { label: 'Projects', description: 'Every project, archived ones included' },
  projectApiKeys: {
    label: 'Project API keys',
    description: 'Every key of every project (archived ones too), with owner and last use',
  },
  adminApiKeys: { label: 'Admin API keys', description: 'Organization admin keys, with owner, expiry and last use' },
  invites: { label: 'Invites', description: 'Pending, accepted and expired invitations, with their projects' },
  serviceAccounts: { label: 'Service accounts', description: 'Service accounts of every active project' },
};

export const INVENTORY_KIND_IDS = Object.keys(INVENTORY_KINDS) as InventoryKind[];
