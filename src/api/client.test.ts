import { encodeQuery } from './client';
import { RequestCache } from './cache';

describe('encodeQuery', () => {
  it('sends arrays and objects in the bracket form of the official SDKs, percent-encoded', () => {
    expect(
      encodeQuery({
        start_time: 1730419200,
        bucket_width: '1h',
        group_by: ['model', 'project_id'],
        batch: false,
        page: 'page_AAAAAGdGxdEiJdKOAAAAAGcqsYA=',
        models: [],
        user_ids: undefined,
      })
    ).toBe(
      'start_time=1730419200&bucket_width=1h&group_by%5B%5D=model&group_by%5B%5D=project_id&batch=false&page=page_AAAAAGdGxdEiJdKOAAAAAGcqsYA%3D'
    );
    expect(encodeQuery({ effective_at: { gte: 1722000000 }, event_types: ['api_key.created'] })).toBe(
      'effective_at%5Bgte%5D=1722000000&event_types%5B%5D=api_key.created'
    );
  });
});

describe('RequestCache', () => {
  it('sends identical requests in flight once and keeps only settled answers', async () => {
    const cache = new RequestCache(10_000);
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    await cache.get('k', load);
    expect(loads).toBe(2); // not settled: not kept
    await cache.get('s', load, () => 100);
    await cache.get('s', load, () => 100);
    expect(loads).toBe(3);
  });

  it('evicts the least recently used answers beyond its memory bound', async () => {
    const cache = new RequestCache(250);
    for (const key of ['a', 'b', 'c']) {
      await cache.get(
        key,
        () => Promise.resolve(key),
        () => 100
      );
    }
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
  });
});
