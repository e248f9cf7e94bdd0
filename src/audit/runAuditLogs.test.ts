/**
 * Audit logs against the OpenAI Admin API simulator, through the data source proxy's routes: the panel's
 * range and the filters reach the API, every page is read, each event gets a readable line and becomes an
 * annotation, and the two refusals (audit logging off, a key without the scope) fail with their reason.
 */
import { DataFrame, FieldType, dateTime } from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { Harness, queryContext, simDisplayNames, startHarnesses } from '../../tests/harness';
import { Simulator } from '../../tests/simulator/server';
import { AuditLog } from '../api/types';
import { QueryContext } from '../query/context';
import { runTimeSeries } from '../query/timeSeries';
import { OpenAIQuery, QueryType } from '../types';
import { annotationsFromFrames, auditAnnotations } from './annotations';
import { runAuditLogs } from './runAuditLogs';
import { levelOf, summarize } from './summary';

const NOW = 1763900000; // 2025-11-23 12:13:20 UTC
const DAY = 86400;
const PATH = '/v1/organization/audit_logs';

const KEYS = {
  full: 'sk-admin-sim-full',
  usageOnly: 'sk-admin-sim-usage-only',
  auditOff: 'sk-admin-sim-audit-off',
};

let harnesses: Record<keyof typeof KEYS, Harness>;
/** The full key's simulator: the ground truth. */
let sim: Simulator;

beforeAll(async () => {
  harnesses = await startHarnesses(KEYS, { now: NOW });
  sim = harnesses.full.sim;
});
afterAll(() => Promise.all(Object.values<Harness>(harnesses ?? {}).map((h) => h.close())));
beforeEach(() => sim.resetStats());

function context(key: keyof typeof KEYS = 'full'): QueryContext {
  return queryContext(harnesses[key]);
}

/** A panel range of Unix seconds, as Grafana passes it (milliseconds). */
function range(from: number, to: number) {
  return {
    range: { from: dateTime(from * 1000), to: dateTime(to * 1000), raw: { from: '', to: '' } },
    maxDataPoints: 1000,
    scopedVars: {},
  };
}

async function audit(extra: Partial<OpenAIQuery>, from: number, to: number, ctx = context()): Promise<DataFrame> {
  const frames = await runAuditLogs(ctx, { refId: 'A', queryType: QueryType.AuditLogs, ...extra }, range(from, to));
  expect(frames).toHaveLength(1);
  return frames[0];
}

function column(frame: DataFrame, name: string): unknown[] {
  return [...frame.fields.find((f) => f.name === name)!.values];
}

/** Ground truth: the simulator's events in [gte, lt), newest first as the API sends them. */
function expected(gte: number, lt: number, keep: (l: (typeof sim.org.auditLogs)[number]) => boolean = () => true) {
  return sim.org.auditLogs.filter(
    (l) => l.effective_at >= gte && l.effective_at < lt && l.effective_at <= NOW && keep(l)
  );
}

const auditRequests = () => sim.stats().log.filter((e) => e.path === PATH);

describe('audit logs query', () => {
  it('returns the events of the panel range as a logs frame', async () => {
    const from = NOW - 30 * DAY;
    const frame = await audit({}, from, NOW);
    const truth = expected(from, NOW + 1);
    expect(truth.length).toBeGreaterThan(10);
    expect(frame.meta?.preferredVisualisationType).toBe('logs');
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['body', FieldType.string],
      ['level', FieldType.string],
      ['type', FieldType.string],
      ['actor', FieldType.string],
      ['project', FieldType.string],
      ['id', FieldType.string],
    ]);
    expect(column(frame, 'id')).toEqual(truth.map((l) => l.id));
    expect(column(frame, 'time')).toEqual(truth.map((l) => l.effective_at * 1000));
    expect(column(frame, 'type')).toEqual(truth.map((l) => l.type));
    expect(column(frame, 'project')).toEqual(truth.map((l) => l.project?.name ?? null));
    expect(column(frame, 'actor')).toEqual(
      truth.map((l) => (l.actor.type === 'session' ? l.actor.session.user.email : l.actor.api_key.user.email))
    );
    expect(column(frame, 'level')).toEqual(truth.map((l) => levelOf(l.type)));

    const [req] = auditRequests();
    const params = new URLSearchParams(req.query);
    expect(params.get('effective_at[gte]')).toBe(String(from));
    expect(params.get('effective_at[lt]')).toBe(String(NOW + 1));
    expect(params.get('limit')).toBe('100');
  });

  it('reads every page of a long range', async () => {
    const from = NOW - 365 * DAY;
    const frame = await audit({}, from, NOW);
    const truth = expected(from, NOW + 1);
    expect(truth.length).toBeGreaterThan(200);
    expect(frame.length).toBe(truth.length);
    expect(new Set(column(frame, 'id')).size).toBe(truth.length);
    const pages = auditRequests();
    expect(pages).toHaveLength(Math.ceil(truth.length / 100));
    expect(pages.slice(1).every((e) => /(^|&)after=/.test(e.query))).toBe(true);
  });

  it('sends the event type, actor and project filters', async () => {
    const from = NOW - 200 * DAY;
    const project = sim.org.projects.find((p) => p.name === 'Customer Support Bot')!;
    const types = ['api_key.created', 'login.failed', 'user.added'];
    const emails = ['ada@example.com', 'ben@example.com'];
    const email = (l: AuditLog) => l.actor?.session?.user?.email ?? l.actor?.api_key?.user?.email;

    const byType = await audit({ auditEventTypes: types }, from, NOW);
    expect(column(byType, 'id')).toEqual(expected(from, NOW + 1, (l) => types.includes(l.type)).map((l) => l.id));

    const byActor = await audit({ auditActorEmails: emails }, from, NOW);
    expect(column(byActor, 'id')).toEqual(expected(from, NOW + 1, (l) => emails.includes(email(l)!)).map((l) => l.id));

    const all = await audit(
      { auditEventTypes: types, auditActorEmails: emails, auditProjectIds: [project.id] },
      from,
      NOW
    );
    const truth = expected(
      from,
      NOW + 1,
      (l) => types.includes(l.type) && emails.includes(email(l)!) && l.project?.id === project.id
    );
    expect(truth.length).toBeGreaterThan(0);
    expect(column(all, 'id')).toEqual(truth.map((l) => l.id));
    expect(new Set(column(all, 'project'))).toEqual(new Set([project.name]));

    const last = new URLSearchParams(auditRequests().at(-1)!.query);
    expect(last.getAll('event_types[]')).toEqual(types);
    expect(last.getAll('actor_emails[]')).toEqual(emails);
    expect(last.getAll('project_ids[]')).toEqual([project.id]);
  });

  it('says so when no event matches, instead of an unexplained empty panel', async () => {
    const frame = await audit({ auditEventTypes: ['scim.enabled'] }, NOW - 7 * DAY, NOW);
    expect(frame.length).toBe(0);
    expect(frame.meta?.notices).toEqual([
      expect.objectContaining({ text: expect.stringContaining('No audit log events') }),
    ]);
  });
});

describe('readable lines', () => {
  const from = NOW - 200 * DAY;
  let frame: DataFrame;
  let byId: Map<string, string>;
  beforeAll(async () => {
    frame = await audit({}, from, NOW);
    const ids = column(frame, 'id') as string[];
    const bodies = column(frame, 'body') as string[];
    byId = new Map(ids.map((id, i) => [id, bodies[i]]));
  });
  const first = (type: string) => expected(from, NOW + 1, (l) => l.type === type)[0];

  it('names the key, the project and who acted', () => {
    const log = first('api_key.created');
    const key = sim.org.projectApiKeys.find((k) => k.id === (log['api_key.created'] as { id: string }).id)!;
    const actor = log.actor.type === 'session' ? log.actor.session.user.email : log.actor.api_key.user.email;
    expect(byId.get(log.id)).toBe(
      // The key as every panel and picker names it.
      `${actor} created API key “${simDisplayNames(sim.org).apiKey.get(key.id)}” in ${log.project!.name}: scopes: api.model.request`
    );
  });

  it('reads project, user, login, invite, service account and rate limit events', () => {
    const archived = first('project.archived');
    expect(byId.get(archived.id)).toBe(`ada@example.com archived project “${archived.project!.name}”`);

    const failed = first('login.failed');
    expect(byId.get(failed.id)).toMatch(
      /^\S+@example\.com failed to log in from 203\.0\.113\.\d+: Wrong email or password\.$/
    );

    const removed = first('user.deleted');
    const target = sim.org.users.find((u) => u.id === (removed['user.deleted'] as { id: string }).id)!;
    expect(byId.get(removed.id)).toBe(
      `${removed.actor.type === 'session' ? removed.actor.session.user.email : removed.actor.api_key.user.email} removed ${target.email ?? target.name} from ${removed.project!.name}`
    );

    const invited = first('invite.sent');
    expect(byId.get(invited.id)).toContain(
      `invited ${(invited['invite.sent'] as { data: { email: string } }).data.email} as`
    );

    expect(byId.get(first('service_account.created').id)).toMatch(
      /created service account svc_acct_\w+ in .+ as member$/
    );
    expect(byId.get(first('rate_limit.updated').id)).toMatch(
      /updated a rate limit in .+: max requests per 1 minute: \d+; max tokens per 1 minute: \d+$/
    );
  });

  it('marks deletions, archives and failed logins as warnings', () => {
    const levels = new Map((column(frame, 'type') as string[]).map((t, i) => [t, column(frame, 'level')[i]]));
    expect(levels.get('api_key.deleted')).toBe('warning');
    expect(levels.get('login.failed')).toBe('warning');
    expect(levels.get('project.archived')).toBe('warning');
    expect(levels.get('login.succeeded')).toBe('info');
    expect(levels.get('api_key.created')).toBe('info');
  });

  it('lists the payload of an event type without its own sentence', () => {
    const log: AuditLog = {
      id: 'audit_log-1',
      type: 'certificate.created',
      effective_at: NOW,
      actor: { type: 'session', session: { user: { id: 'user-1', email: 'alice@example.com' } } },
      'certificate.created': { id: 'cert_1', name: 'Partner mTLS' },
    };
    expect(summarize(log)).toBe('certificate.created by alice@example.com (id: cert_1; name: Partner mTLS)');
    expect(
      summarize({
        id: 'audit_log-2',
        type: 'ip_allowlist.config.activated',
        effective_at: NOW,
        actor: null,
        'ip_allowlist.config.activated': { configs: [{ id: 'cfg_1' }] },
      })
    ).toBe('ip_allowlist.config.activated by someone (configs: {"id":"cfg_1"})');
  });
});

describe('annotations', () => {
  it('defaults an annotation to an audit logs query and keeps its filters', () => {
    const fresh = auditAnnotations.prepareAnnotation!({ name: 'Audit', enable: true, iconColor: 'red' });
    expect(fresh.target).toMatchObject({ queryType: QueryType.AuditLogs, refId: 'Anno' });
    const saved = auditAnnotations.prepareAnnotation!({
      name: 'Keys',
      enable: true,
      iconColor: 'red',
      target: { refId: 'Anno', auditEventTypes: ['api_key.created'] },
    });
    expect(auditAnnotations.prepareQuery!(saved)).toMatchObject({
      queryType: QueryType.AuditLogs,
      auditEventTypes: ['api_key.created'],
    });
  });

  it('turns each audit event into an annotation', async () => {
    const from = NOW - 30 * DAY;
    const anno = auditAnnotations.prepareAnnotation!({ name: 'Audit', enable: true, iconColor: 'red' });
    const frames = await runAuditLogs(context(), auditAnnotations.prepareQuery!(anno)!, range(from, NOW));
    const events = (await lastValueFrom(auditAnnotations.processEvents!(anno, frames)))!;
    const truth = expected(from, NOW + 1);
    expect(events).toHaveLength(truth.length);
    const bodies = column(frames[0], 'body');
    truth.forEach((l, i) => {
      expect(events[i]).toEqual({
        time: l.effective_at * 1000,
        title: l.type,
        text: bodies[i],
        tags: l.project ? [l.type, l.project.name] : [l.type],
      });
    });
    expect(annotationsFromFrames([{ fields: [], length: 0 }])).toEqual([]);
  });
});

describe('refusals', () => {
  it('fails with a clear message when audit logging is not enabled', async () => {
    await expect(audit({}, NOW - DAY, NOW, context('auditOff'))).rejects.toMatchObject({
      kind: 'auditDisabled',
      message: expect.stringMatching(/^Audit logging is not enabled for this organization\. An owner can enable it/),
    });
  });

  it('fails with the missing scope for a usage-only key, which still reads usage', async () => {
    await expect(audit({}, NOW - DAY, NOW, context('usageOnly'))).rejects.toMatchObject({
      kind: 'scope',
      message: expect.stringContaining('missing scope api.audit_logs.read'),
    });
    const usage: OpenAIQuery = { refId: 'B', queryType: QueryType.TimeSeries, source: 'costs', bucketWidth: '1d' };
    expect((await runTimeSeries(context('usageOnly'), usage, range(NOW - 3 * DAY, NOW))).length).toBeGreaterThan(0);
  });
});
