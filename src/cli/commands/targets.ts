// wangji targets load | split | export | list: the season's targets (任务到个人, docs/targets.md).
// The season defaults to that of the latest published run, else today's (the next one between seasons).
// A load or a split and its audit entry (TARGETS_LOAD / TARGETS_SPLIT, actor `cli:<os user>`) commit
// together, as the targets API's upload does.

import { withAudit } from '../../audit/log.js';
import { loadSeasonConfig, type SeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import { bankDate } from '../../domain/bankTime.js';
import { KPIS } from '../../kpis/catalogue.js';
import { PeriodError } from '../../kpis/periods.js';
import {
  exportTargets,
  listTargets,
  loadTargets,
  type SeasonRef,
  type SplitMeasure,
  splitTarget,
  TargetError,
  TargetFileError,
} from '../../kpis/targets.js';
import { type Output, renderTable } from '../output.js';
import { cliActor } from './users.js';

interface SeasonOption {
  /** The season's start year. */
  season?: number;
  /** A date: its season. */
  asOf?: string;
  config?: string;
  /** Today in bank time (tests set it). */
  today?: string;
}

/** The latest published run's data date, or null. */
async function latestPublished(db: Db): Promise<string | null> {
  const [r] = await db.query<{ as_of: string | null }>(
    "SELECT max(as_of) AS as_of FROM runs WHERE status = 'PUBLISHED'",
  );
  return r?.as_of ?? null;
}

async function seasonOf(db: Db, o: SeasonOption): Promise<SeasonRef> {
  if (o.season !== undefined) return o.season;
  return o.asOf ?? (await latestPublished(db)) ?? o.today ?? bankDate(new Date());
}

/** Run a targets command; refusals print their messages and give exit code 1. */
async function withTargets(
  target: DbTarget,
  o: { config?: string },
  out: Output,
  fn: (db: Db, config: SeasonConfig) => Promise<void>,
): Promise<number> {
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    await fn(db, config);
    return 0;
  } catch (e) {
    if (e instanceof TargetFileError) {
      out.error(`${e.summary}:`);
      for (const m of e.errors) out.error(`  ${m}`);
      if (e.total > e.errors.length) out.error(`  … and ${e.total - e.errors.length} more`);
      return 1;
    }
    if (e instanceof TargetError || e instanceof PeriodError) {
      out.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}

export function targetsLoadCommand(
  target: DbTarget,
  file: string,
  o: SeasonOption,
  out: Output,
): Promise<number> {
  return withTargets(target, o, out, async (db, config) => {
    const season = await seasonOf(db, o);
    const r = await withAudit(db, async (tx, audit) => {
      const res = await loadTargets(tx, { file, config, season, inTransaction: true });
      await audit({
        actor: cliActor(),
        action: 'TARGETS_LOAD',
        subject: `season:${res.season_start}`,
        detail: {
          format: res.format,
          rows: res.rows,
          inserted: res.inserted,
          replaced: res.replaced,
          unchanged: res.unchanged,
        },
      });
      return res;
    });
    out.result(r, () => [
      `已载入 Loaded ${r.rows} targets for season ${r.season} from ${r.file}: 新增 new ${r.inserted}, 替换 replaced ${r.replaced}, 未变 unchanged ${r.unchanged}`,
      ...(r.encoding === 'GBK' ? ['编码 The file was read as GBK (save it as "CSV UTF-8" next time)'] : []),
      ...(r.ignored_columns.length ? [`未读取的列 Columns not read: ${r.ignored_columns.join(', ')}`] : []),
    ]);
  });
}

export function targetsSplitCommand(
  target: DbTarget,
  o: {
    kpi: string;
    period: string;
    from: string;
    by: SplitMeasure;
    toStaff?: boolean;
    asOf?: string;
    config?: string;
    today?: string;
  },
  out: Output,
): Promise<number> {
  return withTargets(target, o, out, async (db, config) => {
    const asOf = o.asOf ?? (await latestPublished(db)) ?? o.today ?? bankDate(new Date());
    const r = await withAudit(db, async (tx, audit) => {
      const res = await splitTarget(tx, { ...o, asOf, config, inTransaction: true });
      await audit({
        actor: cliActor(),
        action: 'TARGETS_SPLIT',
        subject: `season:${res.season_start}`,
        detail: {
          kpi: res.kpi,
          period: res.period.label,
          from: res.from,
          by: res.by,
          to: res.rows[0]?.scope_kind ?? null,
          rows: res.rows.length,
          parent_target: res.parent_target,
        },
      });
      return res;
    });
    const measure = { CUSTOMERS: 'customers', EQUAL: 'equal', LAST_SEASON: `actual ${r.basis_as_of ?? ''}` }[
      r.by
    ];
    out.result(r, () => [
      `已分解 Split ${r.kpi} ${KPIS[r.kpi].zh} ${r.period.label} (${r.period.start}..${r.period.end}), season ${r.season}: ${r.from} ${r.from_name ?? ''} target ${r.parent_target} by ${r.by} → ${r.rows.length} ${r.rows[0]?.scope_kind === 'STAFF' ? 'staff' : 'orgs'}`,
      '',
      ...renderTable(
        ['scope', 'id', 'name', measure, 'target'],
        r.rows.map((c) => [c.scope_kind, c.scope_id, c.name ?? '', c.measure, c.target]),
        ['left', 'left', 'left', 'right', 'right'],
      ),
      ...r.notes.map((n) => `注意 Note: ${n}`),
      '',
      '调整 To adjust: wangji targets export --out FILE, edit, wangji targets load FILE',
    ]);
  });
}

export function targetsExportCommand(
  target: DbTarget,
  o: SeasonOption & { out: string },
  out: Output,
): Promise<number> {
  return withTargets(target, o, out, async (db, config) => {
    const r = await exportTargets(db, { season: await seasonOf(db, o), config, out: o.out });
    out.result(r, () => [
      r.rows === 0
        ? `season ${r.season} has no targets: wrote the header only to ${r.file}`
        : `已导出 Exported ${r.rows} targets of season ${r.season} to ${r.file}`,
    ]);
  });
}

export function targetsListCommand(
  target: DbTarget,
  o: SeasonOption & { kpi?: string; scope?: string },
  out: Output,
): Promise<number> {
  return withTargets(target, o, out, async (db, config) => {
    const season = await seasonOf(db, o);
    const rows = await listTargets(db, { season, config, kpi: o.kpi, scope: o.scope });
    out.result(rows, () =>
      rows.length === 0
        ? ['(no targets for this season: wangji targets load FILE)']
        : renderTable(
            ['kpi', 'scope', 'id', 'name', 'period', 'dates', 'target', 'source'],
            rows.map((r) => [
              r.kpi,
              r.scope_kind,
              r.scope_id,
              r.scope_name ?? '',
              r.period,
              `${r.period_start}..${r.period_end}`,
              r.target,
              r.source === 'SPLIT' ? (r.source_ref ?? 'SPLIT') : `FILE ${r.source_ref ?? ''}`,
            ]),
            ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'left'],
          ),
    );
  });
}
