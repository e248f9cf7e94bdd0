import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Input } from '@grafana/ui';

import { selectors } from '../selectors';
import { commitOnEnter, useDraft } from './useDraft';

interface Props {
  value?: string;
  onCommit: (legendFormat: string) => void;
}

/** Text is committed on blur (or Enter) so typing does not run a query per keystroke. */
export function LegendFormatField({ value, onCommit }: Props) {
  const [text, setText] = useDraft(value ?? '');

  const commit = () => {
    if (text !== (value ?? '')) {
      onCommit(text);
    }
  };

  return (
    <EditorField
      label="Legend"
      htmlFor="openai-query-legend-format"
      optional
      tooltip="Series name template. Use {{project}}, {{user}}, {{api_key}}, {{model}}, {{line_item}} and the other group-by keys (names), or {{project_id}} etc. for raw IDs. Empty = automatic."
    >
      <Input
        id="openai-query-legend-format"
        data-testid={selectors.query.legendFormat}
        value={text}
        placeholder="{{model}} · {{project}}"
        width={30}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={commitOnEnter(commit)}
      />
    </EditorField>
  );
}
