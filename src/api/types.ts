/**
 * Response shapes of the Admin API, as OpenAI's spec declares them. A missing field and `null` mean the
 * same thing, and unknown fields are ignored, so every optional field is typed `?: T | null`.
 */

/** One page of a usage or costs endpoint (`UsageResponse`). */
export interface UsagePage {
  object: 'page';
  data: UsageBucket[];
  has_more: boolean;
  next_page?: string | null;
}

export interface UsageBucket {
  object: 'bucket';
  start_time: number;
  end_time: number;
  results: UsageResult[];
}

/** Any usage or costs result: dimensions plus numeric metric fields. */
export interface UsageResult {
  object: string;
  project_id?: string | null;
  user_id?: string | null;
  api_key_id?: string | null;
  model?: string | null;
  batch?: boolean | null;
  service_tier?: string | null;
  size?: string | null;
  source?: string | null;
  vector_store_id?: string | null;
  context_level?: string | null;
  line_item?: string | null;
  amount?: { value?: number | string | null; currency?: string | null } | null;
  quantity?: number | null;
  quantity_unit?: string | null;
  [metric: string]: unknown;
}

/** Cursor list envelope shared by the organization list endpoints. */
export interface ListPage<T> {
  object: 'list' | string;
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more: boolean;
}

export interface Project {
  id: string;
  object: 'organization.project';
  name?: string | null;
  created_at: number;
  archived_at?: number | null;
  status?: string | null;
}

export interface User {
  id: string;
  object: 'organization.user';
  name?: string | null;
  email?: string | null;
  role?: string | null;
  added_at: number;
  api_key_last_used_at?: number | null;
}

interface Owner {
  type?: 'user' | 'service_account' | string | null;
  user?: { id: string; email?: string | null; name?: string | null; role?: string | null; created_at?: number } | null;
  service_account?: { id: string; name?: string | null; role?: string | null; created_at?: number } | null;
}

export interface ProjectApiKey {
  id: string;
  object: 'organization.project.api_key';
  name?: string | null;
  redacted_value?: string | null;
  created_at: number;
  last_used_at?: number | null;
  owner_project_access?: 'active' | 'inactive' | string | null;
  owner?: Owner | null;
}

export interface AdminApiKey {
  id: string;
  object: 'organization.admin_api_key';
  name?: string | null;
  redacted_value?: string | null;
  created_at: number;
  expires_at?: number | null;
  last_used_at?: number | null;
  owner?: { type?: string | null; id?: string; name?: string | null; role?: string | null } | null;
}

export interface Invite {
  id: string;
  object: 'organization.invite';
  email: string;
  role: string;
  status: 'accepted' | 'expired' | 'pending' | string;
  created_at?: number | null;
  /** Name of `created_at` in older API versions. */
  invited_at?: number | null;
  expires_at?: number | null;
  accepted_at?: number | null;
  projects?: Array<{ id: string; role: string }> | null;
}

export interface ProjectServiceAccount {
  id: string;
  object: 'organization.project.service_account';
  name?: string | null;
  role?: string | null;
  created_at: number;
}

export interface AuditLog {
  id: string;
  type: string;
  effective_at: number;
  project?: { id?: string; name?: string | null } | null;
  actor?: {
    type?: 'session' | 'api_key' | string | null;
    session?: { user?: { id?: string; email?: string | null } | null; ip_address?: string | null } | null;
    api_key?: {
      id?: string;
      type?: 'user' | 'service_account' | string | null;
      user?: { id?: string; email?: string | null } | null;
      service_account?: { id?: string } | null;
    } | null;
  } | null;
  /** The event's details live in a property named after the event type. */
  [eventType: string]: unknown;
}

/** OpenAI's error body. */
export interface ErrorBody {
  error?: { message?: string; type?: string | null; param?: string | null; code?: string | null } | null;
}
