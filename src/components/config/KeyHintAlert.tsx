import React from 'react';
import { Alert, TextLink } from '@grafana/ui';

import { selectors } from '../selectors';
import { ADMIN_KEYS_URL } from '../../api/urls';
import { KeyHint, REQUIRED_SCOPES } from './settings';

/** Explains, before saving, why a pasted key will not work and how to get the right one. */
export function KeyHintAlert({ hint }: { hint: KeyHint }) {
  return (
    <Alert severity="warning" title={hint.title} data-testid={selectors.config.keyHint}>
      <p>{hint.message}</p>
      <p>
        An organization owner can create an admin key under{' '}
        <TextLink href={ADMIN_KEYS_URL} external>
          Organization settings › Admin keys
        </TextLink>
        . Give it read access to:
      </p>
      <ScopeList />
    </Alert>
  );
}

export function ScopeList() {
  return (
    <ul style={{ paddingLeft: 16 }}>
      {REQUIRED_SCOPES.map((s) => (
        <li key={s.label}>
          {s.label}
          {s.scope ? ` (${s.scope})` : ''}: {s.unlocks}
        </li>
      ))}
    </ul>
  );
}
