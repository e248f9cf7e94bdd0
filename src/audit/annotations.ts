/**
 * Audit log events as dashboard annotations: an annotation query is an audit logs query, and each event
 * becomes one annotation (title = event type, text = the readable line, tags = event type and project).
 * Its editor, a component, is attached in module.ts so that this logic never imports the UI.
 */
import { AnnotationEvent, AnnotationQuery, AnnotationSupport, DataFrame } from '@grafana/data';
import { of } from 'rxjs';

import { OpenAIQuery, QueryType } from '../types';
import { AUDIT_FIELDS } from './runAuditLogs';

const DEFAULT_TARGET: Partial<OpenAIQuery> = { queryType: QueryType.AuditLogs };

/** An annotation's target, defaulting to an audit logs query (a saved target keeps its filters). */
function auditTarget(target: Partial<OpenAIQuery> | undefined): OpenAIQuery {
  return { refId: 'Anno', ...DEFAULT_TARGET, ...target, queryType: QueryType.AuditLogs } as OpenAIQuery;
}

function fieldValues(frame: DataFrame, name: string): unknown[] | undefined {
  return frame.fields.find((f) => f.name === name)?.values;
}

/** Rows of audit logs frames become annotation events; other frames are ignored. */
export function annotationsFromFrames(frames: DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = fieldValues(frame, AUDIT_FIELDS.time);
    const type = fieldValues(frame, AUDIT_FIELDS.type);
    if (!time || !type) {
      continue;
    }
    const body = fieldValues(frame, AUDIT_FIELDS.body) ?? [];
    const project = fieldValues(frame, AUDIT_FIELDS.project) ?? [];
    for (let i = 0; i < frame.length; i++) {
      const eventType = String(type[i]);
      events.push({
        time: Number(time[i]),
        title: eventType,
        text: typeof body[i] === 'string' ? (body[i] as string) : eventType,
        tags: [eventType, project[i]].filter((t): t is string => typeof t === 'string' && t !== ''),
      });
    }
  }
  return events;
}

export const auditAnnotations: AnnotationSupport<OpenAIQuery> = {
  getDefaultQuery: () => DEFAULT_TARGET,
  prepareAnnotation: (json: AnnotationQuery<OpenAIQuery>) => ({ ...json, target: auditTarget(json.target) }),
  prepareQuery: (anno) => auditTarget(anno.target),
  processEvents: (_anno, frames) => of(annotationsFromFrames(frames)),
};
