/**
 * The simulated OpenAI organization: people, projects, keys and the usage events every endpoint is computed from.
 * Everything derives from the seed. Usage events are generated per UTC day from hash(seed, day, source), so a day
 * looks the same whatever "now" is; `now` only decides which events already happened.
 */
import type { SourceId } from '../../src/api/catalog';
import { hashInts, hashString, mulberry32, pick, pickWeighted, randInt, randomId, type Rng } from './random';

export type UsageSourceId = Exclude<SourceId, 'costs'>;
export type DimValue = string | boolean | null;
export type Match = Record<string, DimValue | DimValue[] | undefined>;

export const ORG_ID = 'org-sim0001';
const DAY = 86400;
/** Organization founded 2024-01-01; all entity timestamps are fixed relative to it. */
const ORG_CREATED = 1704067200;

/** One usage record: what happened in one minute for one combination of dimensions. */
export interface UsageEvent {
  /** Whole minute (unix seconds). */
  t: number;
  dims: Record<string, DimValue>;
  metrics: Record<string, number>;
}

/** One billed line of one event, money held as integer micro-dollars so sums are exact. */
export interface CostItem {
  t: number;
  project_id: string;
  api_key_id: string | null;
  line_item: string;
  micros: number;
  quantity: number;
  quantity_unit: string | null;
}

export interface SimProject {
  id: string;
  object: 'organization.project';
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
  external_key_id: null;
  residency: 'GLOBAL' | 'EU_STORAGE_PROCESSING';
}

export interface SimUser {
  object: 'organization.user';
  id: string;
  name: string | null;
  email: string | null;
  role: 'owner' | 'reader';
  added_at: number;
}

export interface SimServiceAccount {
  object: 'organization.project.service_account';
  id: string;
  name: string;
  role: 'owner' | 'member';
  created_at: number;
  project_id: string;
}

export interface SimProjectUser {
  object: 'organization.project.user';
  id: string;
  name: string | null;
  email: string | null;
  role: 'owner' | 'member';
  added_at: number;
  project_id: string;
}

export interface SimProjectApiKey {
  object: 'organization.project.api_key';
  redacted_value: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  id: string;
  owner_project_access: 'active' | 'inactive';
  owner:
    | { type: 'user'; user: { id: string; email: string; name: string; created_at: number; role: string } }
    | { type: 'service_account'; service_account: { id: string; name: string; created_at: number; role: string } };
  project_id: string;
}

export interface SimAdminApiKey {
  object: 'organization.admin_api_key';
  id: string;
  name: string;
  redacted_value: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  owner: { type: string; object: string; id: string; name: string; created_at: number; role: string };
}

export interface SimInvite {
  object: 'organization.invite';
  id: string;
  email: string;
  role: 'owner' | 'reader';
  status: 'accepted' | 'expired' | 'pending';
  created_at: number;
  expires_at: number | null;
  accepted_at: number | null;
  projects: Array<{ id: string; role: 'member' | 'owner' }>;
}

export interface SimAuditLog {
  id: string;
  type: string;
  effective_at: number;
  project?: { id: string; name: string };
  actor:
    | { type: 'session'; session: { user: { id: string; email: string }; ip_address: string } }
    | {
        type: 'api_key';
        api_key: { id: string; type: 'user'; user: { id: string; email: string } };
      };
  [eventType: string]: unknown;
}

export interface VectorStore {
  id: string;
  project_id: string;
}

/** Per-source model lists. */
export const MODELS: Record<UsageSourceId, string[]> = {
  completions: [
    'gpt-4o-2024-08-06',
    'gpt-4o-mini-2024-07-18',
    'o3-2025-04-16',
    'o4-mini-2025-04-16',
    'gpt-4.1-2025-04-14',
    'gpt-4.1-mini-2025-04-14',
    'gpt-5-2025-08-07',
    'gpt-5-mini-2025-08-07',
    'gpt-4o-audio-preview-2024-12-17',
  ],
  embeddings: ['text-embedding-3-small', 'text-embedding-3-large'],
  moderations: ['omni-moderation-latest'],
  images: ['gpt-image-1', 'dall-e-3', 'dall-e-2'],
  audio_speeches: ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'],
  audio_transcriptions: ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'],
  vector_stores: [],
  code_interpreter_sessions: [],
  file_search_calls: [],
  web_search_calls: ['gpt-4o-mini-search-preview-2025-03-11', 'gpt-4.1-2025-04-14', 'gpt-5-2025-08-07'],
};

/** Result dimension fields per source, in the order the official examples print them. */
export const SOURCE_DIMENSIONS: Record<UsageSourceId, string[]> = {
  completions: ['project_id', 'user_id', 'api_key_id', 'model', 'batch', 'service_tier'],
  embeddings: ['project_id', 'user_id', 'api_key_id', 'model'],
  moderations: ['project_id', 'user_id', 'api_key_id', 'model'],
  images: ['size', 'source', 'project_id', 'user_id', 'api_key_id', 'model'],
  audio_speeches: ['project_id', 'user_id', 'api_key_id', 'model'],
  audio_transcriptions: ['project_id', 'user_id', 'api_key_id', 'model'],
  vector_stores: ['project_id'],
  code_interpreter_sessions: ['project_id'],
  file_search_calls: ['project_id', 'user_id', 'api_key_id', 'vector_store_id'],
  web_search_calls: ['project_id', 'user_id', 'api_key_id', 'model', 'context_level'],
};

/** Metric fields per source, in the order the official examples print them. */
export const SOURCE_METRICS: Record<UsageSourceId, string[]> = {
  completions: [
    'input_tokens',
    'input_cached_tokens',
    'input_cache_write_tokens',
    'input_uncached_tokens',
    'output_tokens',
    'input_text_tokens',
    'output_text_tokens',
    'input_cached_text_tokens',
    'input_audio_tokens',
    'input_cached_audio_tokens',
    'output_audio_tokens',
    'input_image_tokens',
    'input_cached_image_tokens',
    'output_image_tokens',
    'num_model_requests',
  ],
  embeddings: ['input_tokens', 'num_model_requests'],
  moderations: ['input_tokens', 'num_model_requests'],
  images: ['images', 'num_model_requests'],
  audio_speeches: ['characters', 'num_model_requests'],
  audio_transcriptions: ['seconds', 'num_model_requests'],
  vector_stores: ['usage_bytes'],
  code_interpreter_sessions: ['num_sessions'],
  file_search_calls: ['num_requests'],
  web_search_calls: ['num_model_requests', 'num_requests'],
};

/** Event-based sources, in generation order (the index feeds the per-day hash). */
const EVENT_SOURCES: UsageSourceId[] = [
  'completions',
  'embeddings',
  'moderations',
  'images',
  'audio_speeches',
  'audio_transcriptions',
  'code_interpreter_sessions',
  'file_search_calls',
  'web_search_calls',
];

/** Events per hour at peak (weekday working hours, UTC); off-peak and weekends are scaled down. */
const PEAK_RATE: Record<string, [number, number]> = {
  completions: [20, 40],
  embeddings: [6, 14],
  moderations: [3, 8],
  images: [1, 4],
  audio_speeches: [1, 3],
  audio_transcriptions: [1, 3],
  code_interpreter_sessions: [1, 3],
  file_search_calls: [3, 8],
  web_search_calls: [2, 6],
};

/** USD per 1M tokens: input, cached input, output (and audio input/output for audio models). */
const TOKEN_PRICES: Record<
  string,
  { input: number; cached: number; output: number; audioIn?: number; audioOut?: number }
> = {
  'gpt-4o-2024-08-06': { input: 2.5, cached: 1.25, output: 10 },
  'gpt-4o-mini-2024-07-18': { input: 0.15, cached: 0.075, output: 0.6 },
  'o3-2025-04-16': { input: 2, cached: 0.5, output: 8 },
  'o4-mini-2025-04-16': { input: 1.1, cached: 0.275, output: 4.4 },
  'gpt-4.1-2025-04-14': { input: 2, cached: 0.5, output: 8 },
  'gpt-4.1-mini-2025-04-14': { input: 0.4, cached: 0.1, output: 1.6 },
  'gpt-5-2025-08-07': { input: 1.25, cached: 0.125, output: 10 },
  'gpt-5-mini-2025-08-07': { input: 0.25, cached: 0.025, output: 2 },
  'gpt-4o-audio-preview-2024-12-17': { input: 2.5, cached: 1.25, output: 10, audioIn: 40, audioOut: 80 },
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, cached: 0.13, output: 0 },
};
/** Micro-dollars per image, by model and size. */
const IMAGE_PRICES: Record<string, Record<string, number>> = {
  'gpt-image-1': { '1024x1024': 42000, '1024x1792': 63000, '1792x1792': 167000 },
  'dall-e-3': { '1024x1024': 40000, '1024x1792': 80000, '1792x1792': 120000 },
  'dall-e-2': { '256x256': 16000, '512x512': 18000, '1024x1024': 20000 },
};
const IMAGE_SOURCES: Record<string, string[]> = {
  'gpt-image-1': ['image.generation', 'image.generation', 'image.edit'],
  'dall-e-3': ['image.generation'],
  'dall-e-2': ['image.generation', 'image.edit', 'image.variation'],
};
/** Micro-dollars per character (speech) or per second (transcription). */
const SPEECH_MICROS_PER_CHAR: Record<string, number> = { 'tts-1': 15, 'tts-1-hd': 30, 'gpt-4o-mini-tts': 12 };
const TRANSCRIBE_MICROS_PER_SECOND: Record<string, number> = {
  'whisper-1': 100,
  'gpt-4o-transcribe': 100,
  'gpt-4o-mini-transcribe': 50,
};
const CODE_INTERPRETER_MICROS = 30000;
const FILE_SEARCH_MICROS = 2500;
const WEB_SEARCH_MICROS: Record<string, number> = { low: 10000, medium: 10000, high: 10000 };
/** $0.10 per GiB per day. */
const STORAGE_MICROS_PER_GIB_DAY = 100000;
const GIB = 1024 * 1024 * 1024;

const TIER_MULTIPLIER: Record<string, number> = { default: 1, flex: 0.5, priority: 1.75, scale: 1 };

interface ProjectProfile {
  name: string;
  /** Weight of this project per source (0 = never uses it). */
  weights: Partial<Record<UsageSourceId, number>>;
  /** Base stored bytes when the project has vector stores. */
  storageBase?: number;
  vectorStores?: number;
  archivedAt?: number;
  residency?: SimProject['residency'];
}

/** Two projects share a name, as happens when a team recreates one in another region: only their IDs differ. */
const PROJECT_PROFILES: ProjectProfile[] = [
  {
    name: 'Default project',
    weights: { completions: 1, embeddings: 1, moderations: 1, web_search_calls: 1 },
  },
  {
    name: 'Customer Support Bot',
    weights: {
      completions: 6,
      embeddings: 3,
      moderations: 6,
      audio_speeches: 2,
      audio_transcriptions: 4,
      code_interpreter_sessions: 2,
      file_search_calls: 5,
      web_search_calls: 2,
    },
    storageBase: 3.2 * GIB,
    vectorStores: 2,
  },
  {
    name: 'Data Pipeline',
    weights: { completions: 3, embeddings: 8, moderations: 1, file_search_calls: 3, web_search_calls: 5 },
    storageBase: 7.5 * GIB,
    vectorStores: 2,
    residency: 'EU_STORAGE_PROCESSING',
  },
  {
    name: 'Data Pipeline',
    weights: { completions: 4, embeddings: 2, audio_transcriptions: 1, code_interpreter_sessions: 3 },
  },
  {
    name: 'Marketing Studio',
    weights: {
      completions: 2,
      moderations: 2,
      images: 8,
      audio_speeches: 5,
      file_search_calls: 1,
      web_search_calls: 2,
    },
    storageBase: 0.6 * GIB,
    vectorStores: 1,
  },
  {
    name: 'Legacy Prototype',
    weights: { completions: 1, embeddings: 1, images: 1 },
    // 2025-09-01: archived; its usage stops there.
    archivedAt: 1756684800,
  },
];

const USER_NAMES: Array<[string | null, string | null, 'owner' | 'reader']> = [
  ['Ada Fernandez', 'ada@example.com', 'owner'],
  ['Ben Okafor', 'ben@example.com', 'owner'],
  ['Chloe Martin', 'chloe@example.com', 'reader'],
  ['Dmitri Ivanov', 'dmitri@example.com', 'reader'],
  ['Elena Rossi', 'elena@example.com', 'reader'],
  ['Farid Haddad', 'farid@example.com', 'reader'],
  ['Grace Liu', 'grace@example.com', 'owner'],
  ['Hiro Tanaka', 'hiro@example.com', 'reader'],
  ['Ines Costa', 'ines@example.com', 'reader'],
  ['Jonas Berg', 'jonas@example.com', 'reader'],
  [null, 'ops-bot@example.com', 'reader'],
  ['Kim Nguyen', null, 'reader'],
];

const KEY_NAMES = ['Production', 'Staging', 'Nightly batch', 'Analytics', 'Dev laptop', 'CI pipeline', 'Worker'];

/**
 * A generated organization's size. Without one the organization is the fixed 12-user, 6-project one; with one,
 * projects, members and keys are generated from the seed, and activity is skewed: a few projects, keys (and so
 * their owners) carry most of the usage, with a long tail that is seldom active.
 */
export interface OrgSize {
  projects: number;
  users: number;
  /** Project API keys, spread over the projects (busier projects have more). */
  keys: number;
  /** Usage events per hour as a multiple of the small organization's rates; default users / 200. */
  activity?: number;
}

/** A large organization: 50 projects, 1,000 users, 3,000 API keys. */
export const LARGE_ORG: OrgSize = { projects: 50, users: 1000, keys: 3000 };

export interface SimOrgOptions {
  seed: number;
  /** Clock of the simulator (unix seconds); events after it do not exist yet. */
  now: () => number;
  /** A generated organization of this size instead of the fixed small one. */
  size?: OrgSize;
}

export class SimOrg {
  readonly id = ORG_ID;
  readonly name = 'Simulated Org';
  readonly seed: number;
  readonly projects: SimProject[] = [];
  readonly users: SimUser[] = [];
  readonly serviceAccounts: SimServiceAccount[] = [];
  readonly projectUsers: SimProjectUser[] = [];
  readonly projectApiKeys: SimProjectApiKey[] = [];
  readonly adminApiKeys: SimAdminApiKey[] = [];
  readonly invites: SimInvite[] = [];
  readonly vectorStores: VectorStore[] = [];
  /** Newest first. */
  readonly auditLogs: SimAuditLog[] = [];
  readonly models = MODELS;
  /** Every line item name the costs endpoint can report. */
  readonly costLineItems: string[] = costLineItemNames();

  /** The generated size, or undefined for the fixed small organization. */
  readonly size?: OrgSize;

  private readonly clock: () => number;
  private readonly profiles = new Map<string, ProjectProfile>();
  /** Events per hour as a multiple of the base rates. */
  private readonly activity: number;
  /** Days kept per cache: every day for the small organization; a bounded, least recently used set for a large one. */
  private readonly cachedDays: number;
  private readonly eventCache = new Map<string, UsageEvent[]>();
  private readonly costCache = new Map<number, CostItem[]>();
  private readonly costTotalsCache = new Map<number, CostItem[]>();

  constructor(opts: SimOrgOptions) {
    this.seed = opts.seed;
    this.clock = opts.now;
    this.size = opts.size;
    if (opts.size) {
      checkSize(opts.size);
      this.activity = opts.size.activity ?? opts.size.users / 200;
      this.cachedDays = LARGE_ORG_CACHED_DAYS;
      this.buildSizedEntities(opts.size);
    } else {
      this.activity = 1;
      this.cachedDays = Infinity;
      this.buildEntities();
    }
    this.buildAuditLogs(Math.floor(this.clock() / DAY));
  }

  now(): number {
    return this.clock();
  }

  // ---- ground truth helpers -------------------------------------------------------------------

  /** Usage events of one source with start ≤ t < end (and t < now). */
  events(source: UsageSourceId, start: number, end: number): UsageEvent[] {
    const stop = Math.min(end, this.now());
    const out: UsageEvent[] = [];
    if (stop <= start) {
      return out;
    }
    for (let day = Math.floor(start / DAY); day * DAY < stop; day++) {
      for (const e of this.dayEvents(source, day)) {
        if (e.t >= start && e.t < stop) {
          out.push(e);
        }
      }
    }
    return out;
  }

  /** Sum of one metric over events with start ≤ t < end that match the given dimension values. */
  sumUsage(source: SourceId, field: string, start: number, end: number, match?: Match): number {
    if (source === 'costs') {
      return this.sumCost(start, end, match as CostMatch);
    }
    if (source === 'vector_stores') {
      throw new Error('usage_bytes is a level; use vectorStoreBytes(projectId, t)');
    }
    let sum = 0;
    for (const e of this.events(source, start, end)) {
      if (matches(e.dims, match)) {
        sum += e.metrics[field] ?? 0;
      }
    }
    return sum;
  }

  /** Cost line items with start ≤ t < end (and t < now). */
  costItems(start: number, end: number): CostItem[] {
    const stop = Math.min(end, this.now());
    const out: CostItem[] = [];
    if (stop <= start) {
      return out;
    }
    for (let day = Math.floor(start / DAY); day * DAY < stop; day++) {
      for (const c of this.dayCosts(day)) {
        if (c.t >= start && c.t < stop) {
          out.push(c);
        }
      }
    }
    return out;
  }

  /**
   * The same money as costItems, with each whole UTC day inside the range summed per project, key and line
   * item: daily cost buckets need no finer grain, and a 180-day answer stays fast.
   */
  costItemsByDay(start: number, end: number): CostItem[] {
    const stop = Math.min(end, this.now());
    const out: CostItem[] = [];
    for (let day = Math.floor(start / DAY); day * DAY < stop; day++) {
      if (day * DAY >= start && (day + 1) * DAY <= stop) {
        out.push(...this.dayCostTotals(day));
      } else {
        out.push(...this.costItems(Math.max(start, day * DAY), Math.min(stop, (day + 1) * DAY)));
      }
    }
    return out;
  }

  /** Integer micro-dollars, exact. */
  sumCostMicros(start: number, end: number, match?: CostMatch): number {
    let micros = 0;
    for (const c of this.costItems(start, end)) {
      if (matches(c as unknown as Record<string, DimValue>, match as Match)) {
        micros += c.micros;
      }
    }
    return micros;
  }

  /** USD. */
  sumCost(start: number, end: number, match?: CostMatch): number {
    return microsToUsd(this.sumCostMicros(start, end, match));
  }

  /**
   * Stored vector-store bytes of a project at time t. A level that changes once per UTC day; the usage
   * endpoint reports, for each bucket, the level at the bucket's start.
   */
  vectorStoreBytes(projectId: string, t: number): number {
    const profile = this.profiles.get(projectId);
    const project = this.projects.find((p) => p.id === projectId);
    if (!profile?.storageBase || !project) {
      return 0;
    }
    const day = Math.floor(t / DAY);
    const firstDay = Math.floor(project.created_at / DAY) + 14;
    if (day < firstDay) {
      return 0;
    }
    const rng = mulberry32(hashInts(this.seed, day, hashString(projectId)));
    // Slow growth plus daily noise of ±5 %.
    const grown = profile.storageBase * (1 + (day - firstDay) * 0.002);
    return Math.max(0, Math.round(grown * (0.95 + rng() * 0.1)));
  }

  /** Projects that have vector-store storage (the only ones the vector_stores endpoint reports). */
  storageProjectIds(): string[] {
    return this.projects.filter((p) => this.profiles.get(p.id)?.storageBase).map((p) => p.id);
  }

  projectById(id: string): SimProject | undefined {
    return this.projects.find((p) => p.id === id);
  }

  // ---- generation ---------------------------------------------------------------------------

  private buildEntities(): void {
    const rng = mulberry32(hashInts(this.seed, 0x0e9));
    USER_NAMES.forEach(([name, email, role], i) => {
      this.users.push({
        object: 'organization.user',
        id: `user-${randomId(rng, 24)}`,
        name,
        email,
        role,
        added_at: ORG_CREATED + i * 9 * DAY + randInt(rng, 0, DAY - 1),
      });
    });
    // Key owners need a name and email (the API key owner schema requires both).
    const ownersPool = this.users.filter((u) => u.name && u.email);

    PROJECT_PROFILES.forEach((profile, pi) => {
      const created = ORG_CREATED + pi * 21 * DAY + randInt(rng, 0, 23) * 3600;
      const project: SimProject = {
        id: `proj_${randomId(rng, 24)}`,
        object: 'organization.project',
        name: profile.name,
        created_at: created,
        archived_at: profile.archivedAt ?? null,
        status: profile.archivedAt ? 'archived' : 'active',
        external_key_id: null,
        residency: profile.residency ?? 'GLOBAL',
      };
      this.projects.push(project);
      this.profiles.set(project.id, profile);

      // Members: the first owner is always in, plus a seeded selection.
      const members = ownersPool.filter((u, ui) => ui === 0 || (ui + pi) % 3 !== 0 || rng() < 0.3);
      const extra = this.users.filter((u) => !u.name || !u.email);
      if (pi === 1) {
        members.push(...extra);
      }
      members.forEach((u, mi) => {
        this.projectUsers.push({
          object: 'organization.project.user',
          id: u.id,
          name: u.name,
          email: u.email,
          role: mi === 0 || u.role === 'owner' ? 'owner' : 'member',
          added_at: Math.max(created, u.added_at) + randInt(rng, 0, 5 * DAY),
          project_id: project.id,
        });
      });

      const svcCount = pi === 0 ? 0 : pi % 2 === 0 ? 2 : 1;
      const accounts: SimServiceAccount[] = [];
      for (let s = 0; s < svcCount; s++) {
        const sa: SimServiceAccount = {
          object: 'organization.project.service_account',
          id: `svc_acct_${randomId(rng, 20)}`,
          name: s === 0 ? `${profile.name} worker` : `${profile.name} ingest`,
          role: s === 0 ? 'member' : 'owner',
          created_at: created + randInt(rng, 1, 20) * DAY,
          project_id: project.id,
        };
        accounts.push(sa);
        this.serviceAccounts.push(sa);
      }

      const keyOwners = members.filter((u) => u.name && u.email);
      const keyCount = pi === 0 ? 1 : 3;
      for (let k = 0; k < keyCount; k++) {
        const id = `key_${randomId(rng, 16)}`;
        const tail = randomId(rng, 4);
        const keyCreated = created + randInt(rng, 1, 60) * DAY;
        const useService = k === keyCount - 1 && accounts.length > 0;
        const owner: SimProjectApiKey['owner'] = useService
          ? {
              type: 'service_account',
              service_account: {
                id: accounts[0].id,
                name: accounts[0].name,
                created_at: accounts[0].created_at,
                role: accounts[0].role,
              },
            }
          : (() => {
              const u = keyOwners[(k * 2 + pi) % keyOwners.length];
              const pu = this.projectUsers.find((x) => x.id === u.id && x.project_id === project.id);
              return {
                type: 'user' as const,
                user: { id: u.id, email: u.email!, name: u.name!, created_at: u.added_at, role: pu?.role ?? 'member' },
              };
            })();
        this.projectApiKeys.push({
          object: 'organization.project.api_key',
          redacted_value: `sk-proj-…${tail}`,
          name: `${KEY_NAMES[(pi + k) % KEY_NAMES.length]}`,
          created_at: keyCreated,
          last_used_at: null,
          id,
          // One key per busy project belongs to someone who has since left the project.
          owner_project_access: k === 1 && pi % 2 === 1 ? 'inactive' : 'active',
          owner,
          project_id: project.id,
        });
      }

      for (let v = 0; v < (profile.vectorStores ?? 0); v++) {
        this.vectorStores.push({ id: `vs_${randomId(rng, 24)}`, project_id: project.id });
      }
    });
    this.buildAdminEntities(rng);
  }

  /** Admin keys, invites and the keys' last use: the same for every organization shape. */
  private buildAdminEntities(rng: Rng): void {
    const owner = this.users[0];
    const adminOwner = {
      type: 'user',
      object: 'organization.user',
      id: owner.id,
      name: owner.name!,
      created_at: owner.added_at,
      role: 'owner',
    };
    const sa = this.serviceAccounts[0];
    this.adminApiKeys.push(
      {
        object: 'organization.admin_api_key',
        id: `key_${randomId(rng, 16)}`,
        name: 'Grafana usage dashboards',
        redacted_value: 'sk-admin...full',
        created_at: ORG_CREATED + 40 * DAY,
        expires_at: null,
        last_used_at: null,
        owner: adminOwner,
      },
      {
        object: 'organization.admin_api_key',
        id: `key_${randomId(rng, 16)}`,
        name: 'Finance reporting (usage only)',
        redacted_value: 'sk-admin...only',
        created_at: ORG_CREATED + 90 * DAY,
        expires_at: ORG_CREATED + 900 * DAY,
        last_used_at: null,
        owner: { ...adminOwner, id: this.users[1].id, name: this.users[1].name!, created_at: this.users[1].added_at },
      },
      {
        object: 'organization.admin_api_key',
        id: `key_${randomId(rng, 16)}`,
        name: 'Automation',
        redacted_value: 'sk-admin...-off',
        created_at: ORG_CREATED + 150 * DAY,
        expires_at: null,
        last_used_at: null,
        owner: {
          type: 'service_account',
          object: 'organization.service_account',
          id: sa.id,
          name: sa.name,
          created_at: sa.created_at,
          role: 'member',
        },
      }
    );

    const active = this.projects.filter((p) => p.status === 'active');
    const inviteSpecs: Array<[string, SimInvite['role'], SimInvite['status']]> = [
      ['new.analyst@example.com', 'reader', 'pending'],
      ['grace@example.com', 'owner', 'accepted'],
      ['contractor@example.org', 'reader', 'expired'],
      ['intern@example.com', 'reader', 'pending'],
    ];
    inviteSpecs.forEach(([email, role, status], i) => {
      const createdAt = ORG_CREATED + (100 + i * 60) * DAY + randInt(rng, 0, DAY - 1);
      this.invites.push({
        object: 'organization.invite',
        id: `invite-${randomId(rng, 24)}`,
        email,
        role,
        status,
        created_at: createdAt,
        expires_at: status === 'accepted' ? null : createdAt + 7 * DAY,
        accepted_at: status === 'accepted' ? createdAt + DAY : null,
        projects: [{ id: active[1 + (i % (active.length - 1))].id, role: i === 1 ? 'owner' : 'member' }],
      });
    });

    // last_used_at follows the clock at startup, so lists look recently used.
    const now = this.clock();
    for (const k of this.projectApiKeys) {
      k.last_used_at = k.owner_project_access === 'inactive' ? null : now - randInt(rng, 60, 3 * DAY);
    }
    for (const k of this.adminApiKeys) {
      k.last_used_at = now - randInt(rng, 60, 10 * DAY);
    }
  }

  /**
   * A generated organization of the given size: projects from the small organization's profiles (each project's
   * activity falling off with its rank), users with generated names, keys spread over projects by activity and
   * owned round-robin by the users (so every user but the bots owns some), service accounts on every project.
   */
  private buildSizedEntities(size: OrgSize): void {
    const rng = mulberry32(hashInts(this.seed, 0x0e9, size.projects, size.users, size.keys));
    for (let i = 0; i < size.users; i++) {
      const bot = i % 100 === 99;
      const first = FIRST_NAMES[i % FIRST_NAMES.length];
      const last = LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length];
      const round = Math.floor(i / (FIRST_NAMES.length * LAST_NAMES.length));
      this.users.push({
        object: 'organization.user',
        id: `user-${randomId(rng, 24)}`,
        name: bot ? null : `${first} ${last}`,
        email: bot ? `bot-${i}@example.com` : `${first}.${last}${round ? round + 1 : ''}@example.com`.toLowerCase(),
        role: i < 5 ? 'owner' : 'reader',
        added_at: ORG_CREATED + Math.floor((i * 330) / size.users) * DAY + randInt(rng, 0, DAY - 1),
      });
    }
    const activity = Array.from({ length: size.projects }, (_, i) => 1 / (i + 1) ** 0.9);
    const keyCounts = apportion(size.keys, activity);
    const owners = this.users.filter((u) => u.name && u.email);
    let keyIndex = 0;
    for (let i = 0; i < size.projects; i++) {
      const template = PROJECT_PROFILES[i % PROJECT_PROFILES.length];
      const area = PROJECT_AREAS[i % PROJECT_AREAS.length];
      const product = PROJECT_PRODUCTS[Math.floor(i / PROJECT_AREAS.length) % PROJECT_PRODUCTS.length];
      const round = Math.floor(i / (PROJECT_AREAS.length * PROJECT_PRODUCTS.length));
      const archivedAt = template.archivedAt && i % 12 === 5 ? template.archivedAt : undefined;
      const profile: ProjectProfile = {
        ...template,
        name: `${area} ${product}${round ? ` ${round + 1}` : ''}`,
        weights: Object.fromEntries(Object.entries(template.weights).map(([k, w]) => [k, w * activity[i]])),
        archivedAt,
      };
      const created = ORG_CREATED + Math.floor((i * 300) / size.projects) * DAY + randInt(rng, 0, 23) * 3600;
      const project: SimProject = {
        id: `proj_${randomId(rng, 24)}`,
        object: 'organization.project',
        name: profile.name,
        created_at: created,
        archived_at: archivedAt ?? null,
        status: archivedAt ? 'archived' : 'active',
        external_key_id: null,
        residency: profile.residency ?? 'GLOBAL',
      };
      this.projects.push(project);
      this.profiles.set(project.id, profile);

      const accounts: SimServiceAccount[] = [];
      for (let a = 0; a < (i % 3 === 0 ? 2 : 1); a++) {
        accounts.push({
          object: 'organization.project.service_account',
          id: `svc_acct_${randomId(rng, 20)}`,
          name: `${profile.name} ${a === 0 ? 'worker' : 'ingest'}`,
          role: a === 0 ? 'member' : 'owner',
          created_at: created + randInt(rng, 1, 20) * DAY,
          project_id: project.id,
        });
      }
      this.serviceAccounts.push(...accounts);

      // The first owner is in every project; each key's owner is a member of the key's project.
      const members = new Set<SimUser>([this.users[0]]);
      const keys: SimProjectApiKey[] = [];
      const weights: number[] = [];
      for (let k = 0; k < keyCounts[i]; k++, keyIndex++) {
        const user = owners[keyIndex % owners.length];
        const sa = k % 8 === 7 ? accounts[k % accounts.length] : undefined;
        const inactive = k % 13 === 12;
        if (!sa) {
          members.add(user);
        }
        const key: SimProjectApiKey = {
          object: 'organization.project.api_key',
          redacted_value: `sk-proj-…${randomId(rng, 4)}`,
          name:
            k < KEY_NAMES.length
              ? KEY_NAMES[k]
              : `${KEY_NAMES[k % KEY_NAMES.length]} ${Math.floor(k / KEY_NAMES.length) + 1}`,
          created_at: created + randInt(rng, 1, 60) * DAY,
          last_used_at: null,
          id: `key_${randomId(rng, 16)}`,
          owner_project_access: inactive ? 'inactive' : 'active',
          owner: sa
            ? {
                type: 'service_account',
                service_account: { id: sa.id, name: sa.name, created_at: sa.created_at, role: sa.role },
              }
            : {
                type: 'user',
                user: {
                  id: user.id,
                  email: user.email!,
                  name: user.name!,
                  created_at: user.added_at,
                  role: user.role === 'owner' ? 'owner' : 'member',
                },
              },
          project_id: project.id,
        };
        keys.push(key);
        // A few keys carry most of a project's traffic, and keys of owners who left the project little.
        weights.push((inactive ? 0.25 : 1) / (k + 1) ** 1.1);
      }
      this.projectApiKeys.push(...keys);
      this.keyTables.set(project.id, { keys, cumulative: cumulativeOf(weights) });
      for (const u of [...members].sort((a, b) => this.users.indexOf(a) - this.users.indexOf(b))) {
        this.projectUsers.push({
          object: 'organization.project.user',
          id: u.id,
          name: u.name,
          email: u.email,
          role: u === this.users[0] || u.role === 'owner' ? 'owner' : 'member',
          added_at: Math.max(created, u.added_at) + randInt(rng, 0, 5 * DAY),
          project_id: project.id,
        });
      }
      for (let v = 0; v < (profile.vectorStores ?? 0); v++) {
        this.vectorStores.push({ id: `vs_${randomId(rng, 24)}`, project_id: project.id });
      }
    }
    this.buildAdminEntities(rng);
  }

  /** Projects that may use a source at time t, with their weights. */
  private projectsFor(source: UsageSourceId, t: number): Array<readonly [SimProject, number]> {
    const out: Array<readonly [SimProject, number]> = [];
    for (const p of this.projects) {
      const w = this.profiles.get(p.id)?.weights[source] ?? 0;
      if (w > 0 && t >= p.created_at && (p.archived_at === null || t < p.archived_at)) {
        out.push([p, w] as const);
      }
    }
    return out;
  }

  private readonly keyWeights = new Map<string, Array<readonly [SimProjectApiKey, number]>>();

  /** Cumulative key weights per project of a generated organization, searched in O(log n). */
  private readonly keyTables = new Map<string, { keys: SimProjectApiKey[]; cumulative: Float64Array }>();

  private keyFor(rng: Rng, project: SimProject): SimProjectApiKey {
    const table = this.keyTables.get(project.id);
    if (table) {
      return table.keys[searchCumulative(table.cumulative, rng())];
    }
    let weighted = this.keyWeights.get(project.id);
    if (!weighted) {
      weighted = this.projectApiKeys
        .filter((k) => k.project_id === project.id)
        .map((k, i) => [k, i === 0 ? 4 : k.owner_project_access === 'inactive' ? 0.5 : 2] as const);
      this.keyWeights.set(project.id, weighted);
    }
    return pickWeighted(rng, weighted);
  }

  private dayEvents(source: UsageSourceId, day: number): UsageEvent[] {
    const cacheKey = `${source}:${day}`;
    const cached = recall(this.eventCache, cacheKey);
    if (cached) {
      return cached;
    }
    const rng = mulberry32(hashInts(this.seed, day, EVENT_SOURCES.indexOf(source) + 1));
    const events: UsageEvent[] = [];
    const weekday = new Date(day * DAY * 1000).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const [lo, hi] = PEAK_RATE[source];
    for (let hour = 0; hour < 24; hour++) {
      const peak = !weekend && hour >= 8 && hour < 18;
      const mult = weekend ? 0.25 : peak ? 1 : 0.35;
      const count = Math.round((lo + rng() * (hi - lo)) * mult * this.activity);
      const minutes: number[] = [];
      for (let i = 0; i < count; i++) {
        minutes.push(Math.floor(rng() * 60));
      }
      minutes.sort((a, b) => a - b);
      // Projects are created and archived on whole hours or earlier, so one lookup per hour suffices.
      const candidates = count ? this.projectsFor(source, day * DAY + hour * 3600) : [];
      if (candidates.length === 0) {
        continue;
      }
      for (const minute of minutes) {
        const t = day * DAY + hour * 3600 + minute * 60;
        const project = pickWeighted(rng, candidates);
        events.push(this.makeEvent(rng, source, t, project));
      }
    }
    keep(this.eventCache, cacheKey, events, this.cachedDays * EVENT_SOURCES.length);
    return events;
  }

  private makeEvent(rng: Rng, source: UsageSourceId, t: number, project: SimProject): UsageEvent {
    if (source === 'code_interpreter_sessions') {
      return { t, dims: { project_id: project.id }, metrics: { num_sessions: randInt(rng, 1, 4) } };
    }
    const key = this.keyFor(rng, project);
    const people: Record<string, DimValue> = {
      project_id: project.id,
      // Service-account keys carry no user.
      user_id: key.owner.type === 'user' ? key.owner.user.id : null,
      api_key_id: key.id,
    };
    switch (source) {
      case 'completions':
        return completionEvent(rng, t, people);
      case 'embeddings': {
        const req = randInt(rng, 1, 50);
        const model = pickWeighted(rng, [
          ['text-embedding-3-small', 4],
          ['text-embedding-3-large', 1],
        ] as const);
        return {
          t,
          dims: { ...people, model },
          metrics: { input_tokens: req * randInt(rng, 50, 2000), num_model_requests: req },
        };
      }
      case 'moderations': {
        const req = randInt(rng, 1, 20);
        return {
          t,
          dims: { ...people, model: 'omni-moderation-latest' },
          metrics: { input_tokens: req * randInt(rng, 20, 500), num_model_requests: req },
        };
      }
      case 'images': {
        const model = pickWeighted(rng, [
          ['gpt-image-1', 6],
          ['dall-e-3', 3],
          ['dall-e-2', 1],
        ] as const);
        const size = pick(rng, Object.keys(IMAGE_PRICES[model]));
        const src = pick(rng, IMAGE_SOURCES[model]);
        const req = randInt(rng, 1, 3);
        return {
          t,
          dims: { ...people, model, size, source: src },
          metrics: { images: req * randInt(rng, 1, 2), num_model_requests: req },
        };
      }
      case 'audio_speeches': {
        const req = randInt(rng, 1, 5);
        return {
          t,
          dims: { ...people, model: pick(rng, MODELS.audio_speeches) },
          metrics: { characters: req * randInt(rng, 50, 3000), num_model_requests: req },
        };
      }
      case 'audio_transcriptions': {
        const req = randInt(rng, 1, 4);
        return {
          t,
          dims: { ...people, model: pick(rng, MODELS.audio_transcriptions) },
          metrics: { seconds: req * randInt(rng, 5, 600), num_model_requests: req },
        };
      }
      case 'file_search_calls': {
        const stores = this.vectorStores.filter((v) => v.project_id === project.id);
        return {
          t,
          dims: { ...people, vector_store_id: stores.length ? pick(rng, stores).id : null },
          metrics: { num_requests: randInt(rng, 1, 12) },
        };
      }
      case 'web_search_calls': {
        const req = randInt(rng, 1, 5);
        return {
          t,
          dims: {
            ...people,
            model: pick(rng, MODELS.web_search_calls),
            context_level: pickWeighted(rng, [
              ['low', 2],
              ['medium', 5],
              ['high', 1],
            ] as const),
          },
          metrics: { num_model_requests: req, num_requests: req * randInt(rng, 1, 3) },
        };
      }
      default:
        throw new Error(`no events for ${source}`);
    }
  }

  private dayCostTotals(day: number): CostItem[] {
    const cached = recall(this.costTotalsCache, day);
    if (cached) {
      return cached;
    }
    const totals = new Map<string, CostItem>();
    for (const c of this.dayCosts(day)) {
      const key = `${c.project_id}\u0000${c.api_key_id}\u0000${c.line_item}`;
      const t = totals.get(key);
      if (t) {
        t.micros += c.micros;
        t.quantity += c.quantity;
      } else {
        totals.set(key, { ...c, t: day * DAY });
      }
    }
    const items = [...totals.values()];
    keep(this.costTotalsCache, day, items, this.cachedDays);
    return items;
  }

  private dayCosts(day: number): CostItem[] {
    const cached = recall(this.costCache, day);
    if (cached) {
      return cached;
    }
    const items: CostItem[] = [];
    for (const source of EVENT_SOURCES) {
      for (const e of this.dayEvents(source, day)) {
        eventCosts(source, e, items);
      }
    }
    // Storage is billed once per day, at the day's start.
    for (const projectId of this.storageProjectIds()) {
      const bytes = this.vectorStoreBytes(projectId, day * DAY);
      if (bytes > 0) {
        items.push({
          t: day * DAY,
          project_id: projectId,
          api_key_id: null,
          line_item: 'vector store storage',
          micros: Math.round((bytes / GIB) * STORAGE_MICROS_PER_GIB_DAY),
          quantity: Number(((bytes / GIB) * 24).toFixed(6)),
          quantity_unit: 'gibibyte_hours',
        });
      }
    }
    items.sort((a, b) => a.t - b.t);
    keep(this.costCache, day, items, this.cachedDays);
    return items;
  }

  private buildAuditLogs(anchorDay: number): void {
    const rng = mulberry32(hashInts(this.seed, anchorDay, 0xa0d17));
    const withEmail = this.users.filter((u) => u.email);
    const active = this.projects.filter((p) => p.status === 'active');
    const types: Array<readonly [string, number]> = [
      ['login.succeeded', 28],
      ['login.failed', 6],
      ['logout.succeeded', 5],
      ['api_key.created', 10],
      ['api_key.updated', 6],
      ['api_key.deleted', 4],
      ['project.created', 2],
      ['project.updated', 4],
      ['user.added', 6],
      ['user.updated', 5],
      ['user.deleted', 2],
      ['invite.sent', 6],
      ['invite.accepted', 3],
      ['rate_limit.updated', 5],
      ['service_account.created', 3],
    ];
    const start = (anchorDay - 200) * DAY;
    const count = 300;
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      times.push(start + Math.floor(rng() * 200 * DAY));
    }
    times.sort((a, b) => a - b);
    const logs: SimAuditLog[] = [];
    for (const t of times) {
      const type = pickWeighted(rng, types);
      const user = pick(rng, withEmail);
      const project = pick(rng, active);
      const viaKey = !type.startsWith('log') && rng() < 0.3;
      const actor: SimAuditLog['actor'] = viaKey
        ? {
            type: 'api_key',
            api_key: { id: pick(rng, this.adminApiKeys).id, type: 'user', user: { id: user.id, email: user.email! } },
          }
        : {
            type: 'session',
            session: { user: { id: user.id, email: user.email! }, ip_address: `203.0.113.${randInt(rng, 1, 254)}` },
          };
      const log: SimAuditLog = { id: `audit_log-${randomId(rng, 20)}`, type, effective_at: t, actor };
      const projectScoped = !type.startsWith('log') && !type.startsWith('invite.');
      if (projectScoped) {
        log.project = { id: project.id, name: project.name };
      }
      const projectKeys = this.projectApiKeys.filter((k) => k.project_id === project.id);
      const target = pick(rng, this.users);
      switch (type) {
        case 'login.failed':
          log[type] = { error_code: 'invalid_credentials', error_message: 'Wrong email or password.' };
          break;
        case 'login.succeeded':
        case 'logout.succeeded':
          log[type] = {};
          break;
        case 'api_key.created':
          log[type] = { id: pick(rng, projectKeys).id, data: { scopes: ['api.model.request'] } };
          break;
        case 'api_key.updated':
          log[type] = {
            id: pick(rng, projectKeys).id,
            changes_requested: { scopes: ['api.model.read', 'api.model.request'] },
          };
          break;
        case 'api_key.deleted':
          log[type] = { id: `key_${randomId(rng, 16)}` };
          break;
        case 'project.created':
          log[type] = { id: project.id, data: { name: project.name, title: project.name } };
          break;
        case 'project.updated':
          log[type] = { id: project.id, changes_requested: { title: project.name } };
          break;
        case 'user.added':
          log[type] = { id: target.id, data: { role: 'member' } };
          break;
        case 'user.updated':
          log[type] = { id: target.id, changes_requested: { role: rng() < 0.5 ? 'owner' : 'member' } };
          break;
        case 'user.deleted':
          log[type] = { id: target.id };
          break;
        case 'invite.sent': {
          const inv = pick(rng, this.invites);
          log[type] = { id: inv.id, data: { email: inv.email, role: inv.role === 'owner' ? 'owner' : 'member' } };
          break;
        }
        case 'invite.accepted':
          log[type] = { id: pick(rng, this.invites).id };
          break;
        case 'rate_limit.updated':
          log[type] = {
            id: `rl-${randomId(rng, 12)}`,
            changes_requested: {
              max_requests_per_1_minute: randInt(rng, 5, 50) * 100,
              max_tokens_per_1_minute: randInt(rng, 1, 30) * 100000,
            },
          };
          break;
        case 'service_account.created': {
          const sa = this.serviceAccounts.find((s) => s.project_id === project.id);
          log[type] = { id: sa?.id ?? `svc_acct_${randomId(rng, 20)}`, data: { role: 'member' } };
          break;
        }
      }
      logs.push(log);
    }
    // The archive of the legacy project, if it happened inside the window.
    const legacy = this.projects.find((p) => p.status === 'archived');
    if (legacy?.archived_at && legacy.archived_at >= start && legacy.archived_at < anchorDay * DAY) {
      const u = this.users[0];
      logs.push({
        id: `audit_log-${randomId(rng, 20)}`,
        type: 'project.archived',
        effective_at: legacy.archived_at,
        project: { id: legacy.id, name: legacy.name },
        actor: { type: 'session', session: { user: { id: u.id, email: u.email! }, ip_address: '203.0.113.10' } },
        'project.archived': { id: legacy.id },
      });
    }
    logs.sort((a, b) => b.effective_at - a.effective_at || (a.id < b.id ? 1 : -1));
    this.auditLogs.push(...logs);
  }
}

/** Source-days of events (and days of costs) a large organization keeps computed; older ones are computed again. */
const LARGE_ORG_CACHED_DAYS = 100;

const FIRST_NAMES = [
  'Ada',
  'Ben',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jonas',
  'Kim',
  'Lena',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoe',
  'Aiko',
  'Bruno',
  'Carmen',
  'Diego',
  'Emma',
  'Felix',
];
const LAST_NAMES = [
  'Fernandez',
  'Okafor',
  'Martin',
  'Ivanov',
  'Rossi',
  'Haddad',
  'Liu',
  'Tanaka',
  'Costa',
  'Berg',
  'Nguyen',
  'Schmidt',
  'Garcia',
  'Kowalski',
  'Silva',
  'Patel',
  'Murphy',
  'Dubois',
  'Jensen',
  'Novak',
  'Moreau',
  'Kim',
  'Sato',
  'Alvarez',
  'Brown',
  'Cohen',
  'Lindqvist',
  'Mensah',
  'Park',
  'Rahman',
  'Weber',
  'Yilmaz',
];
const PROJECT_AREAS = [
  'Support',
  'Search',
  'Billing',
  'Checkout',
  'Onboarding',
  'Risk',
  'Docs',
  'Sales',
  'Ops',
  'Growth',
];
const PROJECT_PRODUCTS = ['Assistant', 'Pipeline', 'Insights', 'Copilot', 'Classifier'];

function checkSize(size: OrgSize): void {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!whole(size.projects, 2) || !whole(size.users, 2) || !whole(size.keys, size.projects)) {
    throw new Error(
      `Organization size needs at least 2 projects, 2 users and a key per project; got ${JSON.stringify(size)}.`
    );
  }
  if (size.activity !== undefined && !(size.activity > 0)) {
    throw new Error(`Organization activity must be a positive multiple; got ${size.activity}.`);
  }
}

/** Splits `total` in proportion to the weights, at least 1 each, by largest remainder, so the parts add up exactly. */
function apportion(total: number, weights: number[]): number[] {
  const spare = total - weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * spare);
  const parts = exact.map((x) => 1 + Math.floor(x));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) {
      break;
    }
    parts[i]++;
  }
  return parts;
}

function cumulativeOf(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

/** The index a uniform draw in [0, 1) falls on, over cumulative weights. */
function searchCumulative(cumulative: Float64Array, r: number): number {
  const target = r * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

/** A cached value, marked as the most recently used. */
function recall<K, V>(cache: Map<K, V>, key: K): V | undefined {
  const value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
    cache.set(key, value);
  }
  return value;
}

/** Caches a value, dropping the least recently used beyond `limit` entries. */
function keep<K, V>(cache: Map<K, V>, key: K, value: V, limit: number): void {
  cache.set(key, value);
  if (cache.size > limit) {
    cache.delete(cache.keys().next().value as K);
  }
}

function costLineItemNames(): string[] {
  const names: string[] = [];
  for (const model of MODELS.completions) {
    const p = TOKEN_PRICES[model];
    names.push(`${model}, input`, `${model}, cached input`, `${model}, output`);
    if (p.audioIn) {
      names.push(`${model}, audio input`, `${model}, audio output`);
    } else {
      names.push(`${model}, batch input`, `${model}, batch output`);
    }
  }
  names.push(...MODELS.embeddings.map((m) => `${m}, input`));
  names.push(...MODELS.images.map((m) => `${m}, image`));
  names.push(...MODELS.audio_speeches.map((m) => `${m}, characters`));
  names.push(...MODELS.audio_transcriptions.map((m) => `${m}, seconds`));
  names.push('code interpreter sessions', 'file search tool calls', 'web search tool calls', 'vector store storage');
  return names;
}

export type CostMatch = { project_id?: string | null; line_item?: string; api_key_id?: string | null };

export function microsToUsd(micros: number): number {
  return Number((micros / 1e6).toFixed(6));
}

function matches(dims: Record<string, DimValue>, match?: Match): boolean {
  if (!match) {
    return true;
  }
  for (const [k, want] of Object.entries(match)) {
    if (want === undefined) {
      continue;
    }
    const have = dims[k] ?? null;
    if (Array.isArray(want) ? !want.includes(have) : have !== want) {
      return false;
    }
  }
  return true;
}

const COMPLETION_MODEL_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['gpt-4o-mini-2024-07-18', 6],
  ['gpt-4o-2024-08-06', 4],
  ['gpt-4.1-2025-04-14', 2],
  ['gpt-4.1-mini-2025-04-14', 3],
  ['o3-2025-04-16', 1],
  ['o4-mini-2025-04-16', 2],
  ['gpt-5-2025-08-07', 2],
  ['gpt-5-mini-2025-08-07', 3],
  ['gpt-4o-audio-preview-2024-12-17', 1],
];
// Flex processing exists only for reasoning models.
const TIER_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['default', 75],
  ['priority', 10],
  ['scale', 5],
];
const TIER_WEIGHTS_REASONING: ReadonlyArray<readonly [string, number]> = [...TIER_WEIGHTS, ['flex', 10]];

function completionEvent(rng: Rng, t: number, people: Record<string, DimValue>): UsageEvent {
  const model = pickWeighted(rng, COMPLETION_MODEL_WEIGHTS);
  const isAudio = model.includes('audio');
  const reasoning = model.startsWith('o') || model.startsWith('gpt-5');
  const batch = !isAudio && rng() < 0.12;
  let tier = 'default';
  if (!batch) {
    tier = pickWeighted(rng, reasoning ? TIER_WEIGHTS_REASONING : TIER_WEIGHTS);
  }
  const req = batch ? randInt(rng, 20, 200) : randInt(rng, 1, 8);
  const textIn = req * randInt(rng, 150, 3000);
  const imageIn = !isAudio && rng() < 0.2 ? req * randInt(rng, 85, 1500) : 0;
  const audioIn = isAudio ? req * randInt(rng, 100, 2000) : 0;
  const cachedRatio = batch || rng() < 0.3 ? 0 : rng() * 0.6;
  const cachedText = Math.floor(textIn * cachedRatio);
  const cachedImage = Math.floor(imageIn * cachedRatio * 0.5);
  const cachedAudio = Math.floor(audioIn * cachedRatio * 0.3);
  const cacheWrite = !batch && rng() < 0.1 ? Math.floor((textIn - cachedText) * 0.05) : 0;
  const inputText = textIn - cachedText - cacheWrite;
  const inputImage = imageIn - cachedImage;
  const inputAudio = audioIn - cachedAudio;
  const uncached = inputText + inputImage + inputAudio;
  const cachedAll = cachedText + cachedImage + cachedAudio;
  const outText = req * randInt(rng, 20, reasoning ? 2500 : 800);
  const outAudio = isAudio ? req * randInt(rng, 50, 1500) : 0;
  return {
    t,
    dims: { ...people, model, batch, service_tier: tier },
    metrics: {
      input_tokens: uncached + cachedAll + cacheWrite,
      input_cached_tokens: cachedAll,
      input_cache_write_tokens: cacheWrite,
      input_uncached_tokens: uncached,
      output_tokens: outText + outAudio,
      input_text_tokens: inputText,
      output_text_tokens: outText,
      input_cached_text_tokens: cachedText,
      input_audio_tokens: inputAudio,
      input_cached_audio_tokens: cachedAudio,
      output_audio_tokens: outAudio,
      input_image_tokens: inputImage,
      input_cached_image_tokens: cachedImage,
      output_image_tokens: 0,
      num_model_requests: req,
    },
  };
}

/** Turns one usage event into billed line items, named the way OpenAI's costs endpoint names them. */
function eventCosts(source: UsageSourceId, e: UsageEvent, out: CostItem[]): void {
  const project_id = e.dims.project_id as string;
  const api_key_id = (e.dims.api_key_id as string | undefined) ?? null;
  const m = e.metrics;
  const add = (line_item: string, quantity: number, microsPerUnit: number, unit: string | null) => {
    const micros = Math.round(quantity * microsPerUnit);
    if (quantity > 0 && micros > 0) {
      out.push({ t: e.t, project_id, api_key_id, line_item, micros, quantity, quantity_unit: unit });
    }
  };
  const model = e.dims.model as string;
  switch (source) {
    case 'completions': {
      const p = TOKEN_PRICES[model];
      if (e.dims.batch === true) {
        add(`${model}, batch input`, m.input_tokens, p.input * 0.5, 'tokens');
        add(`${model}, batch output`, m.output_tokens, p.output * 0.5, 'tokens');
        return;
      }
      const tier = TIER_MULTIPLIER[e.dims.service_tier as string] ?? 1;
      const audioIn = p.audioIn ? m.input_audio_tokens : 0;
      const audioOut = p.audioOut ? m.output_audio_tokens : 0;
      add(`${model}, input`, m.input_uncached_tokens - audioIn + m.input_cache_write_tokens, p.input * tier, 'tokens');
      add(`${model}, cached input`, m.input_cached_tokens, p.cached * tier, 'tokens');
      add(`${model}, output`, m.output_tokens - audioOut, p.output * tier, 'tokens');
      if (p.audioIn) {
        add(`${model}, audio input`, audioIn, p.audioIn * tier, 'tokens');
      }
      if (p.audioOut) {
        add(`${model}, audio output`, audioOut, p.audioOut * tier, 'tokens');
      }
      return;
    }
    case 'embeddings':
      add(`${model}, input`, m.input_tokens, TOKEN_PRICES[model].input, 'tokens');
      return;
    case 'images':
      add(`${model}, image`, m.images, IMAGE_PRICES[model][e.dims.size as string], 'images');
      return;
    case 'audio_speeches':
      add(`${model}, characters`, m.characters, SPEECH_MICROS_PER_CHAR[model], 'characters');
      return;
    case 'audio_transcriptions':
      add(`${model}, seconds`, m.seconds, TRANSCRIBE_MICROS_PER_SECOND[model], 'duration_seconds');
      return;
    case 'code_interpreter_sessions':
      add('code interpreter sessions', m.num_sessions, CODE_INTERPRETER_MICROS, null);
      return;
    case 'file_search_calls':
      add('file search tool calls', m.num_requests, FILE_SEARCH_MICROS, null);
      return;
    case 'web_search_calls':
      add('web search tool calls', m.num_requests, WEB_SEARCH_MICROS[e.dims.context_level as string], null);
      return;
    default:
      // Moderations are free.
      return;
  }
}
