import React, { ReactNode } from 'react';
import { useTheme2 } from '@grafana/ui';

interface Props {
  /** Grid units, as the `width` of Grafana's inputs. */
  width?: number;
  children: ReactNode;
}

/**
 * Fixed room for a MultiCombobox, which then fills it. Sized `auto`, the picker measures its own collapsed width
 * and keeps a saved query's chips collapsed ("Model … 1") with room to spare, and cuts its placeholder.
 */
export function PickerRoom({ width = 48, children }: Props) {
  const theme = useTheme2();
  return <div style={{ width: theme.spacing(width), maxWidth: '100%' }}>{children}</div>;
}
