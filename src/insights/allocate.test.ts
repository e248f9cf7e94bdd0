/** @jest-environment node */
import { microsToUsd, splitLargestRemainder, toMicros } from './allocate';
import { TOKEN_TYPES, isTokenType, tokensFor } from './tokenTypes';

/** Seeded generator so a failing case can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('splitLargestRemainder', () => {
  it('gives parts that sum exactly to the total, each within one unit of its quota, in many random cases', () => {
    const random = rng(7);
    for (let c = 0; c < 5000; c++) {
      const total = Math.floor((random() - 0.1) * 10 ** Math.floor(random() * 12));
      const n = 1 + Math.floor(random() * 12);
      const weights = Array.from({ length: n }, () =>
        random() < 0.2 ? 0 : Math.floor(random() * 10 ** Math.floor(random() * 11))
      );
      const parts = splitLargestRemainder(total, weights);
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum === 0) {
        expect(parts.every((p) => p === 0)).toBe(true);
        continue;
      }
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => {
        expect(Number.isInteger(p)).toBe(true);
        expect(Math.abs(p - (total * weights[i]) / sum)).toBeLessThan(1 + 1e-6);
        if (weights[i] === 0) {
          expect(p).toBe(0);
        }
      });
    }
  });

  it('stays exact where total × weight passes 2^53', () => {
    const total = 987_654_321_987;
    const weights = [3_000_000_001, 5_000_000_003, 7_000_000_007];
    const parts = splitLargestRemainder(total, weights);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
    // Floors of the exact quotas, the one leftover unit to the largest remainder (the third).
    expect(parts).toEqual([197530864318, 329218107285, 460905350384]);
  });

  it('hands leftover units to the largest remainders, ties to the first', () => {
    expect(splitLargestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitLargestRemainder(100, [1, 2, 3, 4])).toEqual([10, 20, 30, 40]);
    expect(splitLargestRemainder(7, [1, 2])).toEqual([2, 5]);
    expect(splitLargestRemainder(-10, [1, 1, 1])).toEqual([-4, -3, -3]);
    expect(splitLargestRemainder(5, [0, 0])).toEqual([0, 0]);
  });

  it('refuses fractional totals and negative weights rather than miscount', () => {
    expect(() => splitLargestRemainder(1.5, [1])).toThrow();
    expect(() => splitLargestRemainder(1, [-1, 2])).toThrow();
    expect(() => splitLargestRemainder(1, [NaN])).toThrow();
  });
});

describe('micro-dollars', () => {
  it('round-trips amounts with six decimals and drops sub-micro noise', () => {
    expect(toMicros(0.06)).toBe(60000);
    expect(toMicros(0.13080438340307526)).toBe(130804);
    expect(toMicros(-1.25)).toBe(-1250000);
    expect(microsToUsd(toMicros(123.456789))).toBe(123.456789);
  });
});

describe('line item token types', () => {
  const standard = {
    object: 'organization.usage.completions.result',
    batch: false,
    input_tokens: 1000,
    input_cached_tokens: 300,
    output_tokens: 200,
    input_audio_tokens: 40,
    output_audio_tokens: 10,
  };
  const batch = { ...standard, batch: true };

  it('maps each billed token type to the tokens it bills, standard and batch traffic apart', () => {
    expect(tokensFor('input', standard)).toBe(700);
    expect(tokensFor('cached input', standard)).toBe(300);
    expect(tokensFor('output', standard)).toBe(200);
    expect(tokensFor('audio input', standard)).toBe(40);
    expect(tokensFor('audio output', standard)).toBe(10);
    expect(tokensFor('batch input', standard)).toBe(0);
    expect(tokensFor('batch output', standard)).toBe(0);

    expect(tokensFor('input', batch)).toBe(0);
    expect(tokensFor('cached input', batch)).toBe(0);
    expect(tokensFor('batch input', batch)).toBe(1000);
    expect(tokensFor('batch output', batch)).toBe(200);
  });

  it('treats a missing batch flag as standard traffic and missing fields as zero', () => {
    expect(tokensFor('input', { object: 'x', input_tokens: 5 })).toBe(5);
    expect(tokensFor('cached input', { object: 'x', input_tokens: 5, input_cached_tokens: null })).toBe(0);
  });

  it('knows which line items are billed per token', () => {
    expect(Object.keys(TOKEN_TYPES)).toEqual(
      expect.arrayContaining(['input', 'cached input', 'output', 'batch input', 'batch output'])
    );
    expect(isTokenType(' Cached Input ')).toBe(true);
    expect(isTokenType('image')).toBe(false);
    expect(tokensFor('characters', standard)).toBeNull();
  });
});
