import React, { ReactNode } from 'react';
import { ComboboxOption, useTheme2 } from '@grafana/ui';

interface Props {
  /** Grid units, as the `width` of Grafana's inputs. */
  width?: number;
  /** What the picker shows whole: its placeholder when empty, or its chosen values as chips. */
  fits?: { placeholder?: string; chips?: string[] };
  children: ReactNode;
}

/** Room for the picker's own padding, clear button and chevron beside its text. */
const CONTROLS_PX = 64;
/** A chip's own room beside its text (its padding and remove button), as the picker measures it. */
const CHIP_PX = 50;

/**
 * Fixed room for a MultiCombobox, which then fills it. Sized `auto`, the picker measures its own collapsed width
 * and keeps a saved query's chips collapsed ("Model … 1") with room to spare, and cuts its placeholder. The room
 * grows to fit the placeholder or the chips, up to the width of the row.
 */
export function PickerRoom({ width = 48, fits, children }: Props) {
  const theme = useTheme2();
  const chips = fits?.chips ?? [];
  const chars = Math.max(fits?.placeholder?.length ?? 0, chips.join('').length);
  // `ch` is the width of a digit, wider than most letters: text of that many characters fits.
  const room = chars
    ? `max(${theme.spacing(width)}, calc(${chars}ch + ${CONTROLS_PX + chips.length * CHIP_PX}px))`
    : theme.spacing(width);
  return <div style={{ width: room, maxWidth: '100%' }}>{children}</div>;
}

/** The chips a picker shows for its chosen values: their options' labels, or the values themselves. */
export function chipLabels<T extends string | number>(options: Array<ComboboxOption<T>>, value: T[]): string[] {
  return value.map((v) => options.find((o) => o.value === v)?.label ?? String(v));
}
