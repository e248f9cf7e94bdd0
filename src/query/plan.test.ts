import { ENDPOINTS } from '../api/catalog';
import { autoBucketWidth, countBuckets, planWindows } from './plan';

const DAY = 86400;
const T0 = Date.UTC(2026, 0, 1) / 1000;

describe('planWindows', () => {
  it('splits 90 days of hourly buckets into windows of at most 168 buckets that join up', () => {
    const windows = planWindows(T0, T0 + 90 * DAY, '1h', 168);
    expect(windows).toHaveLength(Math.ceil((90 * 24) / 168));
    expect(windows.reduce((n, w) => n + w.buckets, 0)).toBe(90 * 24);
    windows.forEach((w, i) => {
      expect(w.buckets).toBeLessThanOrEqual(168);
      if (i > 0) {
        expect(w.start).toBe(windows[i - 1].end);
      }
    });
  });

  it('counts a partial first and last bucket when the range is not aligned', () => {
    const start = T0 + 90; // 00:01:30
    const end = T0 + 2 * DAY + 600;
    expect(countBuckets(start, end, '1d')).toBe(3);
    const windows = planWindows(start, end, '1d', 2);
    expect(windows).toEqual([
      { start, end: T0 + 2 * DAY, buckets: 2 },
      { start: T0 + 2 * DAY, end, buckets: 1 },
    ]);
  });

  it('needs a single request when the range fits one page', () => {
    expect(planWindows(T0, T0 + 30 * DAY, '1d', 31)).toHaveLength(1);
    expect(planWindows(T0, T0 + 180 * DAY, '1d', 180)).toHaveLength(1);
  });
});

describe('autoBucketWidth', () => {
  it('picks the finest width that fits the panel, and only what the endpoint allows', () => {
    expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + 6 * 3600, 1000)).toBe('1m');
    expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + 7 * DAY, 1000)).toBe('1h');
    expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + 90 * DAY, 1000)).toBe('1d');
    expect(autoBucketWidth(ENDPOINTS.costs, T0, T0 + 6 * 3600, 1000)).toBe('1d');
  });

  it('gives day-scale ranges the same width in a full-width and a half-width panel', () => {
    for (const maxDataPoints of [1900, 940, 300]) {
      expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + 30 * DAY, maxDataPoints)).toBe('1d');
      expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + 2 * DAY, maxDataPoints)).toBe('1h');
    }
    // Within a day the panel decides: minutes where it can draw them.
    expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + DAY, 1900)).toBe('1m');
    expect(autoBucketWidth(ENDPOINTS.completions, T0, T0 + DAY, 940)).toBe('1h');
  });
});
