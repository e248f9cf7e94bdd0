import { useEffect, useState } from 'react';

import { Choice, ChoiceKind, ChoiceOptions, ChoiceSource, loadChoices } from '../../org/choices';

export interface ChoicesState {
  choices: Choice[];
  loading: boolean;
  error?: unknown;
}

interface Loaded {
  ds?: ChoiceSource;
  key?: string;
  choices: Choice[];
  error?: unknown;
}

/** Loads choices of one kind; `kind` undefined loads nothing (for filters with fixed options). */
export function useChoices(
  ds: ChoiceSource | undefined,
  kind: ChoiceKind | undefined,
  options: ChoiceOptions = {}
): ChoicesState {
  const key = ds?.client && kind ? JSON.stringify([kind, options]) : undefined;
  const [loaded, setLoaded] = useState<Loaded>({ choices: [] });

  useEffect(() => {
    if (!key || !ds || !kind) {
      return;
    }
    let live = true;
    const [, opts] = JSON.parse(key) as [ChoiceKind, ChoiceOptions];
    loadChoices(ds, kind, opts).then(
      (choices) => live && setLoaded({ ds, key, choices }),
      (error) => live && setLoaded({ ds, key, choices: [], error })
    );
    return () => {
      live = false;
    };
  }, [ds, kind, key]);

  if (!key) {
    return { choices: [], loading: false };
  }
  // Until the answer for this very request arrives, show it as loading.
  const current = loaded.key === key && loaded.ds === ds;
  return current ? { choices: loaded.choices, loading: false, error: loaded.error } : { choices: [], loading: true };
}
