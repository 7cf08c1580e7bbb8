// The weekly briefing (按周通报, METRICS.md "KPIs (X3)"): what kpi_progress published for D, shaped
// for people — every KPI with targets, per org (or staff member) at one level, with the change since
// the briefing a week before. Only reads and shapes; the writers (xlsx.ts, csv.ts, json.ts) format.

import type { BRIEFING_LEVELS, Program, SeasonConfig } from '../config/season.js';
import type { Db, SqlValue } from '../db/types.js';
import { Calendar, daysBetweenInclusive, PHASE_NAMES } from '../domain/calendar.js';
import { addDays } from '../domain/dates.js';
import { fromUnits, toUnits } from '../domain/money.js';
import { KPI_IDS, KPIS, type KpiDef, type KpiId } from '../kpis/catalogue.js';
import { resolvePeriod } from '../kpis/periods.js';

export type BriefingLevel = (typeof BRIEFING_LEVELS)[number];

export class BriefingError extends Error {}

export interface BriefingOptions {
  asOf: string;
  /** Default BRANCH, or every level of the view. */
  level?: BriefingLevel;
  program?: Program;
  /** A view of the season file's briefing_views. */
  view?: string;
  /** One period label (SEASON, a phase, Q1–Q4, a..b). */
  period?: string;
}

/** One org (or staff member) for one KPI and period. Decimals are exact text. */
export interface BriefingRow {
  scope_id: string;
  name: string | null;
  /** Whose children are ranked together: the parent org, or a staff member's org. */
  parent_id: string | null;
  parent_name: string | null;
  period: string;
  period_start: string;
  period_end: string;
  actual: string;
  target: string | null;
  completion: string | null;
  time_progress: string;
  gap: string | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  /** Balance KPIs only. */
  daily_needed: string | null;
  previous_actual: string | null;
  /** actual − previous_actual, exact. */
  delta_actual: string | null;
  previous_rank: number | null;
  /** Places moved up since the week before: previous_rank − rank (+2 is shown ↑2). */
  delta_rank: number | null;
}

export interface BriefingKpi {
  kpi: KpiId;
  def: KpiDef;
  level: BriefingLevel;
  rows: BriefingRow[];
}

export type HeadlineMeasures = {
  org_id: string;
  org_name: string | null;
  customers: number;
  aum_d: string;
  deposits_d: string;
  adb_mtd: string;
  value_season: string;
};

export interface Briefing {
  asOf: string;
  /** The as-of compared with: the latest published ≤ D − 7, or null. */
  previousAsOf: string | null;
  season: { label: string; start: string; end: string; daysLeft: number } | null;
  phase: {
    phase: string;
    zh: string;
    slogan: string;
    en: string;
    start: string;
    end: string;
    daysLeft: number;
  } | null;
  levels: BriefingLevel[];
  program: Program | null;
  view: { name: string; title: { zh: string; en: string } } | null;
  /** The HQ org's headline measures at D (org_measures_history), when a run published them. */
  headline: HeadlineMeasures | null;
  kpis: BriefingKpi[];
}

type ProgressRow = Omit<BriefingRow, 'delta_actual' | 'delta_rank'> & { kpi: string; scope_level: string };

/** Reads and shapes the briefing as of D; a BriefingError says what is missing or wrong. */
export async function buildBriefing(db: Db, config: SeasonConfig, o: BriefingOptions): Promise<Briefing> {
  const calendar = new Calendar(config);
  const view = o.view === undefined ? null : findView(config, o.view);
  const levels = chooseLevels(o.level, view);
  const kpiIds = (view?.kpis ?? [...KPI_IDS]).filter(
    (k) => o.program === undefined || KPIS[k].program === o.program || KPIS[k].program === 'ALL',
  );
  const periods = choosePeriods(calendar, o.asOf, view, o.period);

  const [published] = await db.query<{ n: number }>(
    'SELECT count(*) AS n FROM kpi_progress WHERE as_of = CAST($1 AS DATE)',
    [o.asOf],
  );
  if (!published || Number(published.n) === 0)
    throw new BriefingError(
      `no KPI progress published for ${o.asOf}: run \`wangji run --as-of ${o.asOf}\` first`,
    );
  const [prev] = await db.query<{ as_of: string | null }>(
    'SELECT max(as_of) AS as_of FROM kpi_progress WHERE as_of <= CAST($1 AS DATE)',
    [addDays(o.asOf, -7)],
  );
  const previousAsOf = prev?.as_of ?? null;

  const rows = await readProgress(db, o.asOf, previousAsOf, levels);
  const kpis: BriefingKpi[] = [];
  for (const level of levels) {
    for (const kpi of kpiIds) {
      const def = KPIS[kpi];
      const mine = rows
        .filter((r) => r.kpi === kpi && r.scope_level === level)
        .filter((r) => !periods || periods.some((p) => p.start === r.period_start && p.end === r.period_end))
        .map((r) => shapeRow(r, def))
        .sort(byPeriodParentRank);
      if (mine.length > 0) kpis.push({ kpi, def, level, rows: mine });
    }
  }
  return {
    asOf: o.asOf,
    previousAsOf,
    ...seasonAndPhase(calendar, o.asOf),
    levels,
    program: o.program ?? null,
    view: view && o.view ? { name: o.view, title: view.title } : null,
    headline: await readHeadline(db, o.asOf),
    kpis,
  };
}

type View = SeasonConfig['briefing_views'][string];

function findView(config: SeasonConfig, name: string): View {
  const view = config.briefing_views[name];
  if (!view) {
    const names = Object.keys(config.briefing_views);
    throw new BriefingError(
      `no briefing view "${name}" in the season file (${names.length ? `views: ${names.join(', ')}` : 'it defines none'})`,
    );
  }
  return view;
}

function chooseLevels(level: BriefingLevel | undefined, view: View | null): BriefingLevel[] {
  const allowed = view?.levels;
  if (!allowed) return [level ?? 'BRANCH'];
  if (level === undefined) return [...allowed];
  if (!allowed.includes(level))
    throw new BriefingError(`level ${level} is not in the view (levels: ${allowed.join(', ')})`);
  return [level];
}

/**
 * The periods to show as date pairs (null: all). Matched on dates, not labels: kpi_progress is keyed
 * by dates, and two labels may name the same dates (Q4 and YEAR_END both run from S to Dec 31).
 */
function choosePeriods(
  calendar: Calendar,
  asOf: string,
  view: View | null,
  period: string | undefined,
): { start: string; end: string }[] | null {
  const season = calendar.season(Number(calendar.seasonStartFor(asOf).slice(0, 4)));
  const resolve = (label: string) => {
    try {
      return resolvePeriod(label, season);
    } catch (e) {
      throw new BriefingError((e as Error).message);
    }
  };
  const fromView = view?.periods?.map(resolve) ?? null;
  if (period === undefined) return fromView;
  const one = resolve(period);
  if (fromView && !fromView.some((p) => p.start === one.start && p.end === one.end))
    throw new BriefingError(
      `period ${period} is not in the view (periods: ${view?.periods?.join(', ') ?? ''})`,
    );
  return [one];
}

async function readProgress(
  db: Db,
  asOf: string,
  previousAsOf: string | null,
  levels: BriefingLevel[],
): Promise<ProgressRow[]> {
  const params: SqlValue[] = [asOf, previousAsOf, ...levels];
  const inLevels = levels.map((_, i) => `$${i + 3}`).join(', ');
  // "With targets": some row of the KPI and period (at any level) has a target. Names are looked up
  // by scope kind: an org's own row in orgs, a staff member's in staff; the parent is always an org.
  return db.query<ProgressRow>(
    `SELECT p.kpi, p.scope_level, p.scope_id,
            CASE WHEN p.scope_kind = 'STAFF' THEN s.staff_name ELSE o.org_name END AS name,
            p.parent_id, po.org_name AS parent_name,
            p.period, p.period_start, p.period_end, p.actual, p.target, p.completion, p.time_progress,
            p.gap, p.rank, p.ranked, p.laggard, p.daily_needed,
            q.actual AS previous_actual, q.rank AS previous_rank
       FROM kpi_progress p
       LEFT JOIN orgs o ON p.scope_kind = 'ORG' AND o.org_id = p.scope_id
       LEFT JOIN staff s ON p.scope_kind = 'STAFF' AND s.staff_id = p.scope_id
       LEFT JOIN orgs po ON po.org_id = p.parent_id
       LEFT JOIN kpi_progress q
              ON q.as_of = CAST($2 AS DATE) AND q.kpi = p.kpi AND q.scope_kind = p.scope_kind
             AND q.scope_id = p.scope_id AND q.period_start = p.period_start AND q.period_end = p.period_end
      WHERE p.as_of = CAST($1 AS DATE) AND p.scope_level IN (${inLevels})
        AND EXISTS (SELECT 1 FROM kpi_progress t
                     WHERE t.as_of = p.as_of AND t.kpi = p.kpi AND t.period_start = p.period_start
                       AND t.period_end = p.period_end AND t.target IS NOT NULL)`,
    params,
  );
}

/** Counts are whole: "12.00" → "12"; money keeps its cents. */
const asUnit = (decimal: string | null, def: KpiDef) =>
  decimal !== null && def.unit === 'COUNT' ? decimal.replace(/\.0+$/, '') : decimal;

function shapeRow(r: ProgressRow, def: KpiDef): BriefingRow {
  const delta =
    r.previous_actual === null ? null : fromUnits(toUnits(r.actual, 2) - toUnits(r.previous_actual, 2), 2);
  return {
    scope_id: r.scope_id,
    name: r.name,
    parent_id: r.parent_id,
    parent_name: r.parent_name,
    period: r.period,
    period_start: r.period_start,
    period_end: r.period_end,
    actual: asUnit(r.actual, def) as string,
    target: asUnit(r.target, def),
    completion: r.completion,
    time_progress: r.time_progress,
    gap: r.gap,
    rank: r.rank,
    ranked: r.ranked,
    laggard: r.laggard,
    daily_needed: def.balance ? r.daily_needed : null,
    previous_actual: asUnit(r.previous_actual, def),
    delta_actual: asUnit(delta, def),
    previous_rank: r.previous_rank,
    delta_rank: r.rank !== null && r.previous_rank !== null ? r.previous_rank - r.rank : null,
  };
}

const cmp = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;

/** Period, then siblings together (by parent), best rank first, unranked last, then id. */
function byPeriodParentRank(a: BriefingRow, b: BriefingRow): number {
  return (
    cmp(a.period_start, b.period_start) ||
    cmp(a.period_end, b.period_end) ||
    cmp(a.parent_id, b.parent_id) ||
    (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
    cmp(a.scope_id, b.scope_id)
  );
}

/** The season and phase of D, with the days left after D (the briefing's header, the dashboard's). */
export function seasonAndPhase(calendar: Calendar, asOf: string): Pick<Briefing, 'season' | 'phase'> {
  const season = calendar.seasonOf(asOf);
  const phase = calendar.phaseOf(asOf);
  // Days left after D: D's data is in, so D itself is spent.
  const left = (end: string) => daysBetweenInclusive(asOf, end) - 1;
  return {
    season: season && {
      label: season.label,
      start: season.start,
      end: season.end,
      daysLeft: left(season.end),
    },
    phase: phase && {
      phase: phase.phase,
      ...PHASE_NAMES[phase.phase],
      start: phase.start,
      end: phase.end,
      daysLeft: left(phase.end),
    },
  };
}

/** The HQ org's G3 measures at D; null when the pipeline has not published org_measures_history. */
async function readHeadline(db: Db, asOf: string): Promise<HeadlineMeasures | null> {
  const [exists] = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM information_schema.tables
      WHERE table_name = 'org_measures_history' AND table_schema = $1`,
    [db.dialect.defaultSchema],
  );
  if (!exists || Number(exists.n) === 0) return null;
  const [row] = await db.query<HeadlineMeasures>(
    `SELECT h.org_id, o.org_name, h.customers, h.aum_d, h.deposits_d, h.adb_mtd, h.value_season
       FROM org_measures_history h JOIN orgs o ON o.org_id = h.org_id
      WHERE o.level = 'HQ' AND h.as_of = CAST($1 AS DATE)
      ORDER BY h.org_id LIMIT 1`,
    [asOf],
  );
  return row ?? null;
}

/** The best and worst three by completion at the level, per period (summary sheet). */
export interface Leaders {
  period: string;
  period_start: string;
  period_end: string;
  top: BriefingRow[];
  bottom: BriefingRow[];
}

/**
 * Across the whole level (not per parent): completion highest first, ties by id. The bottom never
 * repeats a row of the top, so with fewer than six rows it is shorter.
 */
export function leaders(k: BriefingKpi, n = 3): Leaders[] {
  const byPeriod = new Map<string, BriefingRow[]>();
  for (const r of k.rows) {
    if (r.completion === null) continue;
    const key = `${r.period_start}|${r.period_end}`;
    byPeriod.set(key, [...(byPeriod.get(key) ?? []), r]);
  }
  return [...byPeriod.values()].map((rows) => {
    const sorted = [...rows].sort(
      (a, b) =>
        Number(toUnits(b.completion as string, 6) - toUnits(a.completion as string, 6)) ||
        cmp(a.scope_id, b.scope_id),
    );
    const top = sorted.slice(0, n);
    const bottom = sorted.slice(top.length).slice(-n).reverse();
    const first = rows[0] as BriefingRow;
    return {
      period: first.period,
      period_start: first.period_start,
      period_end: first.period_end,
      top,
      bottom,
    };
  });
}
