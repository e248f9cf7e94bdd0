import { DataQueryRequest, dateTime } from '@grafana/data';

import { OpenAIQuery } from '../../src/types';

/** One panel's request over [from, to) (Unix seconds), shaped as a Grafana dashboard sends it. */
export function panelRequest(
  targets: OpenAIQuery[],
  from: number,
  to: number,
  maxDataPoints: number,
  requestId = 'panel'
): DataQueryRequest<OpenAIQuery> {
  return {
    requestId,
    interval: '1m',
    intervalMs: 60_000,
    maxDataPoints,
    range: { from: dateTime(from * 1000), to: dateTime(to * 1000), raw: { from: '', to: '' } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as unknown as DataQueryRequest<OpenAIQuery>;
}
