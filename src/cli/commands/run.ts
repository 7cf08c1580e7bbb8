// wangji run --as-of D: compute and publish the season pipeline (audited as `cli:<os user>`);
// wangji runs: the run ledger.

import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { LifecycleSummary } from '../../leads/lifecycle.js';
import { auditedRun } from '../../ops/audited.js';
import { readSeasonFile } from '../../ops/season.js';
import type { Stage } from '../../pipeline/models.js';
import type { RunReport } from '../../pipeline/runner.js';
import { type Output, renderTable } from '../output.js';
import { cliActor } from './users.js';

export async function runCommand(
  target: DbTarget,
  o: { asOf: string; stage?: Stage; config?: string; full?: boolean },
  out: Output,
): Promise<number> {
  const season = readSeasonFile(o.config);
  const db = await openDb(target);
  try {
    // Audited as RUN (and CONFIG_CHANGED when the season file's hash differs from the previous run's).
    const r = await auditedRun(db, {
      actor: cliActor(),
      asOf: o.asOf,
      stage: o.stage,
      full: o.full,
      season,
      onProgress: (m) => out.progress(m),
    });
    out.result(r, () => describeRun(r));
    return r.status === 'PUBLISHED' ? 0 : 1;
  } finally {
    await db.close();
  }
}

export function describeRun(r: RunReport): string[] {
  return [
    `运行 Run #${r.runId} ${r.status === 'PUBLISHED' ? '已发布 PUBLISHED' : '失败 FAILED'} — as of ${r.asOf}${r.stage ? `, stage ${r.stage}` : ''}${r.full ? ', --full' : ''} (${r.seconds.toFixed(1)}s)`,
    ...(r.message ? [`原因 Reason: ${r.message}`, '未发布任何表 Nothing was published.'] : []),
    '',
    ...renderTable(
      ['stage', 'model', 'rows', 'seconds'],
      r.models.map((m) => [m.stage, m.model, m.rows, m.seconds.toFixed(2)]),
      ['left', 'left', 'right', 'right'],
    ),
    ...r.models.flatMap((m) =>
      (m.warnings ?? []).map((w) => `数据质量 Data-quality warning: ${m.model}: ${w}`),
    ),
    ...(r.leads ? ['', describeLeads(r.leads)] : []),
  ];
}

/** One line on what the lead lifecycle did in a run. */
export function describeLeads(l: LifecycleSummary): string {
  if (l.skipped) return `线索 Leads: ${l.skipped}`;
  const conversions = Object.values(l.conversions).reduce((a, b) => a + b, 0);
  return [
    `线索 Leads: 在办 open ${l.leads.open}`,
    `新建 new ${l.leads.created} (对照组 control ${l.leads.control})`,
    `转化 converted ${conversions}`,
    `终止 dropped ${l.leads.dropped}, 过期 expired ${l.leads.expired}`,
    `任务 tasks +${l.tasks.created}, 排队 queued ${l.tasks.queued}`,
    `激励 grants ${l.incentives.granted}${l.incentives.refused ? `, 超预算等拒绝 refused ${l.incentives.refused}` : ''}`,
  ].join(' · ');
}

export async function runsCommand(target: DbTarget, out: Output): Promise<number> {
  const db = await openDb(target);
  try {
    const rows = await db.query<{
      run_id: number;
      as_of: string;
      stage: string | null;
      status: string;
      started_at: string;
      finished_at: string;
      message: string | null;
    }>(
      'SELECT run_id, as_of, stage, status, started_at, finished_at, message FROM runs ORDER BY run_id DESC LIMIT 50',
    );
    out.result(rows, () =>
      rows.length === 0
        ? ['(no runs yet: wangji run --as-of YYYY-MM-DD)']
        : renderTable(
            ['run', 'as of', 'stage', 'status', 'started (UTC)', 'seconds', 'message'],
            rows.map((r) => [
              r.run_id,
              r.as_of,
              r.stage ?? 'all',
              r.status,
              r.started_at.slice(0, 19),
              ((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000).toFixed(1),
              r.message ?? '',
            ]),
          ),
    );
    return 0;
  } finally {
    await db.close();
  }
}
