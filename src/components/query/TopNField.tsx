import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Input } from '@grafana/ui';

import { DEFAULT_TOP_N, MAX_TOP_N } from '../../query/topN';
import { selectors } from '../selectors';
import { commitOnEnter, useDraft } from './useDraft';

interface Props {
  value?: number;
  onCommit: (topN: number | undefined) => void;
}

/** Committed on blur (or Enter); empty is unset. Text that is not a number is kept so validation names it. */
export function TopNField({ value, onCommit }: Props) {
  const [text, setText] = useDraft(value === undefined || value === null ? '' : String(value));

  const commit = () => {
    const trimmed = text.trim();
    const next = trimmed === '' ? undefined : Number(trimmed);
    const parsed = next === undefined || Number.isFinite(next) ? next : (trimmed as unknown as number);
    if (parsed !== value) {
      onCommit(parsed);
    }
  };

  return (
    <EditorField
      label="Top"
      htmlFor="openai-query-top-n"
      optional
      tooltip={`Keep the N series with the largest total over the time range (per metric) and sum the others into one "Other" series, so totals still add up. Empty: every series, except groupings by user or API key, which keep the top ${DEFAULT_TOP_N}. 0: every series. At most ${MAX_TOP_N}.`}
    >
      <Input
        id="openai-query-top-n"
        data-testid={selectors.query.topN}
        value={text}
        placeholder="all"
        inputMode="numeric"
        width={10}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={commitOnEnter(commit)}
      />
    </EditorField>
  );
}
