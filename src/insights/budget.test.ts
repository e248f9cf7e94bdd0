/** Projection arithmetic of the budget insight, on daily spend given directly (the simulator test covers fetching). */
import { QueryError } from '../query/context';
import { budgetFigures, budgetFetchStart, budgetOf, utcMonth } from './budget';

const DAY = 86400;
const NOV_1 = Date.UTC(2025, 10, 1) / 1000;
const DEC_1 = Date.UTC(2025, 11, 1) / 1000;
// 2025-11-20 12:00 UTC: 19 complete days, 10.5 days left.
const NOW = NOV_1 + 19 * DAY + DAY / 2;

/** $100 a day for the complete days, $50 so far today. */
function flat(from: number) {
  const days = [];
  for (let t = from; t < NOW; t += DAY) {
    days.push({ start: t, micros: t + DAY <= NOW ? 100_000_000 : 50_000_000 });
  }
  return days;
}

describe('budgetFigures', () => {
  it('projects the month end from the mean of the last 7 complete days', () => {
    const f = budgetFigures(flat(budgetFetchStart(NOW)), NOW, 5000);
    expect(f.mtd).toBe(1950);
    expect(f.runRate).toBe(100);
    expect(f.rateDays).toBe(7);
    expect(f.projected).toBeCloseTo(1950 + 100 * 10.5, 9);
    expect(f.usedPercent).toBeCloseTo(39, 9);
    expect(f.projectedPercent).toBeCloseTo(60, 9);
    expect(f.crossing).toBeNull();
    expect(f.method).toContain('2025-11-13 to 2025-11-19');
  });

  it('gives the moment the projection crosses the budget', () => {
    const f = budgetFigures(flat(budgetFetchStart(NOW)), NOW, 2500);
    // $550 to go at $100 a day.
    expect(f.crossing).toBeCloseTo(NOW + 5.5 * DAY, 6);
  });

  it('finds the day a budget was already crossed, within the day', () => {
    const f = budgetFigures(flat(budgetFetchStart(NOW)), NOW, 250);
    expect(f.crossing).toBe(NOV_1 + 2.5 * DAY);
  });

  it('uses days before the month for the run rate early in a month', () => {
    const now = NOV_1 + DAY + 3600;
    const start = budgetFetchStart(now);
    expect(start).toBe(NOV_1 + DAY - 7 * DAY);
    const days = [];
    for (let t = start; t < now; t += DAY) {
      days.push({ start: t, micros: t < NOV_1 ? 70_000_000 : 10_000_000 });
    }
    const f = budgetFigures(days, now, 1000);
    expect(f.mtd).toBe(20);
    expect(f.runRate).toBeCloseTo((6 * 70 + 10) / 7, 9);
  });

  it('knows UTC month bounds', () => {
    expect(utcMonth(NOW)).toEqual({ start: NOV_1, end: DEC_1 });
    expect(utcMonth(DEC_1 - 1)).toEqual({ start: NOV_1, end: DEC_1 });
  });
});

describe('budgetOf', () => {
  it('prefers the query’s budget, falls back to the data source’s, and explains where to set one', () => {
    expect(budgetOf({ refId: 'A', monthlyBudget: 10 }, { monthlyBudget: 20 })).toBe(10);
    expect(budgetOf({ refId: 'A' }, { monthlyBudget: 20 })).toBe(20);
    expect(() => budgetOf({ refId: 'A' }, {})).toThrow(QueryError);
    expect(() => budgetOf({ refId: 'A' }, {})).toThrow(/data source in its settings/);
    expect(() => budgetOf({ refId: 'A', monthlyBudget: -3 }, {})).toThrow(/positive amount/);
  });
});
