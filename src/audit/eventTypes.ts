/**
 * Organization-level audit event types offered in the editor, from the API's `AuditLogEventType` enum.
 * Tenant-scoped types (`tenant.*`, `role.bound_to_resource`…) need `tenant_only=true` and are left out;
 * any type can still be typed in.
 */
export const COMMON_AUDIT_EVENT_TYPES = [
  'api_key.created',
  'api_key.updated',
  'api_key.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'project.deleted',
  'user.added',
  'user.updated',
  'user.deleted',
  'invite.sent',
  'invite.accepted',
  'invite.deleted',
  'login.succeeded',
  'login.failed',
  'logout.succeeded',
  'logout.failed',
  'service_account.created',
  'service_account.updated',
  'service_account.deleted',
  'rate_limit.updated',
  'rate_limit.deleted',
  'organization.updated',
  'role.created',
  'role.updated',
  'role.deleted',
  'role.assignment.created',
  'role.assignment.deleted',
  'group.created',
  'group.updated',
  'group.deleted',
  'certificate.created',
  'certificate.updated',
  'certificate.deleted',
  'certificates.activated',
  'certificates.deactivated',
  'ip_allowlist.created',
  'ip_allowlist.updated',
  'ip_allowlist.deleted',
  'ip_allowlist.config.activated',
  'ip_allowlist.config.deactivated',
  'checkpoint.permission.created',
  'checkpoint.permission.deleted',
  'external_key.registered',
  'external_key.removed',
  'scim.enabled',
  'scim.disabled',
  'resource.deleted',
];

const GROUPS: Record<string, string> = {
  api_key: 'API keys',
  project: 'Projects',
  user: 'Users',
  invite: 'Invites',
  login: 'Sign-in',
  logout: 'Sign-in',
  service_account: 'Service accounts',
  rate_limit: 'Rate limits',
  organization: 'Organization',
  role: 'Roles and groups',
  group: 'Roles and groups',
};

/** Picker group of an event type, e.g. `login.failed` → `Sign-in`. */
export function eventTypeGroup(type: string): string {
  return GROUPS[type.split('.')[0]] ?? 'Security and other';
}
