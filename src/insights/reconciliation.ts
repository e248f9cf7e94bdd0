/**
 * Billed cost beside the part of it that usage explains, per project and day: the gap is what attribution
 * leaves unallocated (tool calls, storage, models without completions usage).
 */
import { DataFrameType, FieldType, createDataFrame } from '@grafana/data';

import { QueryRunner } from '../query/context';
import { costUnit } from '../query/values';
import { microsToUsd } from './allocate';
import { fetchAttribution, describeUnallocated } from './attributedSpend';
import { commonNotices, executed, nameOf } from './fetch';

export interface ReconciliationRow {
  day: number;
  projectName: string;
  projectId: string;
  billed: number;
  attributed: number;
  gap: number;
  gapPercent: number | null;
}

export const runReconciliation: QueryRunner = async (ctx, query, request) => {
  const nowMs = ctx.now();
  const [data, names] = await Promise.all([
    fetchAttribution(ctx, query, request, null),
    ctx.names.resolve(['project']),
  ]);

  const rows: ReconciliationRow[] = [];
  for (const d of data.days) {
    d.byProject.forEach((p, projectId) => {
      if (p.billed === 0 && p.attributed === 0) {
        return;
      }
      const gap = p.billed - p.attributed;
      rows.push({
        day: d.start * 1000,
        projectName: nameOf(names, 'project', projectId),
        projectId,
        billed: microsToUsd(p.billed),
        attributed: microsToUsd(p.attributed),
        gap: microsToUsd(gap),
        gapPercent: p.billed !== 0 ? (gap / p.billed) * 100 : null,
      });
    });
  }
  rows.sort(
    (a, b) => a.day - b.day || a.projectName.localeCompare(b.projectName) || a.projectId.localeCompare(b.projectId)
  );

  const unit = costUnit(data.costs.buckets);
  const notices = commonNotices(names, data.costs.plan.end, nowMs);
  notices.push({
    severity: 'info',
    text: 'Billed is exact (costs grouped by project). Attributed is the part of it that completions usage of the same model, project and day explains; the gap is the rest.',
  });
  const unallocated = describeUnallocated(data.days);
  if (unallocated) {
    notices.push({ severity: 'info', text: unallocated });
  }
  const col = <T>(pick: (r: ReconciliationRow) => T) => rows.map(pick);
  return [
    createDataFrame({
      refId: query.refId,
      name: 'Reconciliation',
      meta: {
        type: DataFrameType.TimeSeriesLong,
        preferredVisualisationType: 'table',
        notices,
        executedQueryString: executed(data.costs, data.usage),
        custom: { insight: 'reconciliation' },
      },
      fields: [
        { name: 'Day', type: FieldType.time, values: col((r) => r.day) },
        { name: 'Project', type: FieldType.string, values: col((r) => r.projectName) },
        { name: 'Project ID', type: FieldType.string, values: col((r) => r.projectId) },
        { name: 'Billed', type: FieldType.number, values: col((r) => r.billed), config: { unit } },
        { name: 'Attributed', type: FieldType.number, values: col((r) => r.attributed), config: { unit } },
        { name: 'Gap', type: FieldType.number, values: col((r) => r.gap), config: { unit } },
        {
          name: 'Gap %',
          type: FieldType.number,
          values: col((r) => r.gapPercent),
          config: { unit: 'percent', decimals: 1 },
        },
      ],
    }),
  ];
};
