/**
 * Money held as integer micro-dollars, and an exact split of an amount by weights. Floating-point shares of a
 * bill never add back up to the bill; largest-remainder shares of an integer always do.
 */

const MICROS_PER_USD = 1_000_000;

/** USD to integer micro-dollars. OpenAI's amounts carry sub-micro noise (0.1308043834030…), which is dropped. */
export function toMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: number): number {
  return micros / MICROS_PER_USD;
}

/**
 * Splits `total` (an integer, may be negative for credits) into parts proportional to `weights` (non-negative)
 * that sum to `total` exactly: each part gets the floor of its quota, and the units left over go to the largest
 * remainders, ties to the earlier weight so the result is repeatable. BigInt keeps `total × weight` exact
 * beyond 2^53 (a large bill times billions of tokens). Returns all zeros when no weight is positive.
 */
export function splitLargestRemainder(total: number, weights: number[]): number[] {
  if (!Number.isSafeInteger(total)) {
    throw new Error(`Only whole micro-dollars can be split exactly, got ${total}.`);
  }
  const w = weights.map((x) => {
    if (!(x >= 0) || !Number.isFinite(x)) {
      throw new Error(`Weights must be finite and non-negative, got ${x}.`);
    }
    return BigInt(Math.round(x));
  });
  const sum = w.reduce((a, b) => a + b, BigInt(0));
  if (sum === BigInt(0)) {
    return weights.map(() => 0);
  }
  const sign = total < 0 ? BigInt(-1) : BigInt(1);
  const amount = BigInt(total) * sign;
  const parts = w.map((x) => (amount * x) / sum);
  const remainders = w.map((x, i) => ({ i, r: (amount * x) % sum }));
  let left = amount - parts.reduce((a, b) => a + b, BigInt(0));
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === BigInt(0)) {
      break;
    }
    parts[i] += BigInt(1);
    left -= BigInt(1);
  }
  return parts.map((p) => Number(p * sign));
}
