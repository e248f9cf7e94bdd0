/** Template variable queries against the simulator: values are IDs, texts are readable names. */
import { lastValueFrom } from 'rxjs';
import { DataQueryRequest } from '@grafana/data';

import { clearChoices } from './org/choices';
import { choiceOptionsOf, OpenAIVariableSupport, VariableQuery } from './variables';
import { Harness, simDisplayNames, startHarness } from '../tests/harness';

const NOW = 1763900000;
const DAY = 86400;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: NOW });
});
afterAll(() => h.close());
beforeEach(() => clearChoices(h.ds));

async function run(query: Partial<VariableQuery>) {
  const support = h.ds.variables as OpenAIVariableSupport;
  const request = { targets: [{ refId: 'A', ...query }], scopedVars: {} } as unknown as DataQueryRequest<VariableQuery>;
  const res = await lastValueFrom(support.query(request));
  const field = (name: string) => res.data[0].fields.find((f: { name: string }) => f.name === name).values as string[];
  return { text: field('text'), value: field('value') };
}

describe('OpenAIVariableSupport', () => {
  it('lists projects by name with IDs as values, archived only when asked', async () => {
    const active = h.sim.org.projects.filter((p) => p.status !== 'archived');
    expect(await run({ kind: 'projects' })).toEqual({
      text: active.map((p) => simDisplayNames(h.sim.org).project.get(p.id)),
      value: active.map((p) => p.id),
    });
    expect((await run({ kind: 'projects', includeArchived: true })).value).toEqual(h.sim.org.projects.map((p) => p.id));
  });

  it('defaults to projects', async () => {
    expect((await run({})).value.length).toBeGreaterThan(0);
  });

  it('lists users by email, else name, else ID', async () => {
    const { text, value } = await run({ kind: 'users' });
    expect(value).toEqual(h.sim.org.users.map((u) => u.id));
    expect(text).toEqual(h.sim.org.users.map((u) => u.email || u.name || u.id));
  });

  it('lists API keys with their project, limited to the projects of a multi-value variable', async () => {
    const [a, b] = h.sim.org.projects;
    h.setVariables([{ name: 'project', value: [a.id, b.id] }]);
    const { text, value } = await run({ kind: 'apiKeys', projectIds: ['$project'] });
    const keys = h.sim.org.projectApiKeys.filter((k) => k.project_id === a.id || k.project_id === b.id);
    expect(new Set(value)).toEqual(new Set(keys.map((k) => k.id)));
    const first = keys[0];
    expect(text[value.indexOf(first.id)]).toBe(
      `${first.name} (${h.sim.org.projects.find((p) => p.id === first.project_id)!.name})`
    );
    h.setVariables([]);
  });

  it('lists models seen in usage and line items seen in costs', async () => {
    const models = await run({ kind: 'models', source: 'embeddings', lookbackDays: 7 });
    const seen = new Set(h.sim.org.events('embeddings', NOW - 7 * DAY, NOW).map((e) => e.dims.model));
    expect(new Set(models.value)).toEqual(seen);
    const items = await run({ kind: 'lineItems', lookbackDays: 30 });
    expect(items.value.length).toBeGreaterThan(5);
    expect(items.value.every((li) => h.sim.org.costLineItems.includes(li))).toBe(true);
  });
});

describe('choiceOptionsOf', () => {
  it('keeps only the options that apply to the kind', () => {
    const replace = (s: string) => s;
    expect(choiceOptionsOf({ refId: 'A', kind: 'users', source: 'images', lookbackDays: 3 }, replace)).toEqual({});
    expect(choiceOptionsOf({ refId: 'A', kind: 'apiKeys', projectIds: ['$__all'] }, () => '$__all')).toEqual({});
  });
});
