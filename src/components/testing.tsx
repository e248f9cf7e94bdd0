/**
 * Helpers for the editor tests. Not a test file itself: Jest only runs `*.test.*` files, and the plugin bundle
 * never imports this.
 */
import React, { ComponentType, useState } from 'react';
import { act, render } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';

import { OpenAIQuery } from '../types';
import type { OpenAIQueryEditorProps } from './query/editorProps';

// The editors are large trees; skipping the per-event CSS pointer-events walk keeps tests fast.
export const userEvent = userEventLib.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });

/**
 * Renders a query editor that keeps the query in state like Grafana does, and records what the editor sent;
 * `last()` is the latest query passed to onChange.
 */
export function renderQueryEditor(
  Editor: ComponentType<OpenAIQueryEditorProps>,
  initial: Partial<OpenAIQuery>,
  datasource: unknown
) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  function Harness() {
    const [query, setQuery] = useState({ refId: 'A', ...initial } as OpenAIQuery);
    return (
      <Editor
        query={query}
        datasource={datasource as never}
        onChange={(q) => {
          onChange(q);
          setQuery(q);
        }}
        onRunQuery={onRunQuery}
      />
    );
  }
  render(<Harness />);
  const last = (): OpenAIQuery => onChange.mock.calls[onChange.mock.calls.length - 1][0];
  return { onChange, onRunQuery, last };
}

/** Lets what the editor started on mount settle, such as loading a picker's options. */
export async function settle(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 0));
  });
}
