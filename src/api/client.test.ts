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

describe('RequestCache, values kept later', () => {
  const later = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('hands the value to readers at once and keeps its settled form a macrotask later, settled once', async () => {
    const cache = new RequestCache(10_000);
    const parsed = ['parsed'];
    const settle = jest.fn((value: string[]) => ({ value: { compact: value.length }, bytes: 100 }));
    cache.keepLater('w', parsed, settle);
    const load = jest.fn(() => Promise.resolve(['loaded']));
    expect(await cache.get('w', load)).toBe(parsed);
    expect(cache.peek('w')).toBe(parsed);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    await later();
    expect(cache.peek('w')).toEqual({ compact: 1 });
    expect(await cache.get('w', load)).toEqual({ compact: 1 });
    expect(cache.size).toEqual({ entries: 1, bytes: 100 });
    expect(settle).toHaveBeenCalledTimes(1);
    expect(load).not.toHaveBeenCalled();
  });

  it('counts settled values against its memory bound, and drops a value replaced or cleared before it settles', async () => {
    const cache = new RequestCache(250);
    const settle = jest.fn((value: string) => ({ value, bytes: 100 }));
    ['a', 'b', 'c', 'd'].forEach((key) => cache.keepLater(key, key, settle));
    cache.put('b', 'newer', 10);
    await later();
    // b was replaced before it settled; the least recently kept go first beyond 250 bytes (b, then a).
    expect(settle.mock.calls.map(([key]) => key)).toEqual(['a', 'c', 'd']);
    expect(cache.size).toEqual({ entries: 2, bytes: 200 });
    expect([cache.peek('a'), cache.peek('b'), cache.peek('c'), cache.peek('d')]).toEqual([
      undefined,
      undefined,
      'c',
      'd',
    ]);

    cache.keepLater('e', 'e', settle);
    cache.clear();
    await later();
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    expect(cache.peek('e')).toBeUndefined();
    expect(settle).toHaveBeenCalledTimes(3);
  });

  it('keeps nothing when settling fails, without losing what readers were given; the next reader loads again', async () => {
    const cache = new RequestCache(10_000);
    const parsed = ['parsed'];
    cache.keepLater('w', parsed, () => {
      throw new Error('cannot compact');
    });
    expect(await cache.get('w', () => Promise.resolve(['loaded']))).toBe(parsed);
    await later();
    expect(parsed).toEqual(['parsed']);
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
    expect(await cache.get('w', () => Promise.resolve(['loaded']))).toEqual(['loaded']);
  });
});
