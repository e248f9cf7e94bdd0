import { KeyboardEvent, useState } from 'react';

/**
 * Local text for an input that commits on blur; it follows the saved value when that changes elsewhere
 * (undo, another editor), without an effect.
 */
export function useDraft(saved: string): [string, (text: string) => void] {
  const [text, setText] = useState(saved);
  const [seen, setSeen] = useState(saved);
  if (saved !== seen) {
    setSeen(saved);
    setText(saved);
  }
  return [text, setText];
}

/** A keydown handler for a draft input: Enter commits, as leaving the field does. */
export function commitOnEnter(commit: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key === 'Enter') {
      commit();
    }
  };
}
