/**
 * Which completions tokens each billed token type of a model pays for. This is what ties a cost line item
 * (`gpt-4o-2024-08-06, cached input`) to usage, for attribution and for effective prices per token.
 */
import { UsageResult } from '../api/types';

interface TokenTypeDef {
  /** Batch API traffic is billed on its own line items. */
  batch: boolean;
  tokens: (r: UsageResult) => number;
}

function field(r: UsageResult, name: string): number {
  const v = r[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0;
  return Number.isFinite(n) ? n : 0;
}

/** `input_tokens` includes cached tokens; the `input` line item bills only the rest. */
function uncachedInput(r: UsageResult): number {
  return Math.max(0, field(r, 'input_tokens') - field(r, 'input_cached_tokens'));
}

export const TOKEN_TYPES: Record<string, TokenTypeDef> = {
  input: { batch: false, tokens: uncachedInput },
  'cached input': { batch: false, tokens: (r) => field(r, 'input_cached_tokens') },
  output: { batch: false, tokens: (r) => field(r, 'output_tokens') },
  'audio input': { batch: false, tokens: (r) => field(r, 'input_audio_tokens') },
  'audio output': { batch: false, tokens: (r) => field(r, 'output_audio_tokens') },
  'batch input': { batch: true, tokens: (r) => field(r, 'input_tokens') },
  'batch output': { batch: true, tokens: (r) => field(r, 'output_tokens') },
};

/** Tokens of one completions result that a line item of this token type bills; null for types not billed per token. */
export function tokensFor(tokenType: string, r: UsageResult): number | null {
  const def = TOKEN_TYPES[tokenType.trim().toLowerCase()];
  if (!def) {
    return null;
  }
  return (r.batch === true) === def.batch ? def.tokens(r) : 0;
}

export function isTokenType(tokenType: string): boolean {
  return Boolean(TOKEN_TYPES[tokenType.trim().toLowerCase()]);
}
