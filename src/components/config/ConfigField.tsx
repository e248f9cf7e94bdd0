import React from 'react';
import { Field, Icon, Label, PopoverContent, Stack, Tooltip } from '@grafana/ui';

interface Props {
  label: string;
  htmlFor: string;
  tooltip: PopoverContent;
  description?: React.ReactNode;
  required?: boolean;
  invalid?: boolean;
  error?: React.ReactNode;
  children: React.ReactElement<Record<string, unknown>>;
}

/** A `Field` whose label carries an info tooltip, keeping the label bound to its input. */
export function ConfigField({ label, htmlFor, tooltip, description, required, invalid, error, children }: Props) {
  return (
    <Field
      label={
        <Label htmlFor={htmlFor} description={description}>
          <Stack gap={0.5} alignItems="center">
            <span>
              {label}
              {required ? ' *' : ''}
            </span>
            <Tooltip content={tooltip} interactive>
              {/* A focusable wrapper, so keyboard users can open the tooltip too. */}
              <span tabIndex={0} aria-label={`About ${label}`}>
                <Icon name="info-circle" size="sm" />
              </span>
            </Tooltip>
          </Stack>
        </Label>
      }
      invalid={invalid}
      error={error}
    >
      {children}
    </Field>
  );
}
