// Targets (任务到个人, METRICS.md "KPIs (X3)", docs/targets.md): what an org or a staff member is asked
// to reach for a KPI over a period of a season. Loaded from a workbook or CSV (every row checked
// before anything is written, then one transaction), split down the org tree from a parent's target
// (largest remainder, exact to the KPI's unit), exported in the loader's own format, and listed.
// Targets are exact decimals from file to table: text and bigint units, never floats.

import { basename } from 'node:path';
import { loadSeasonConfig, type SeasonConfig } from '../config/season.js';
import { quoteString } from '../db/dialect.js';
import type { Db, SqlValue } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';
import { Calendar, type ResolvedSeason } from '../domain/calendar.js';
import { isRealDate } from '../domain/dates.js';
import { fromUnits, toUnits } from '../domain/money.js';
import { isKpiId, KPI_IDS, KPIS, type KpiId } from './catalogue.js';
import { type KpiPeriod, PeriodError, resolvePeriod } from './periods.js';
import { type ExportRow, readTargetFile, TargetFileError, writeTargetFile } from './targetFile.js';

export { TargetFileError } from './targetFile.js';

/** A target operation refused (unknown org, no parent target, nothing to split by …). */
export class TargetError extends Error {}

export type ScopeKind = 'ORG' | 'STAFF';
export const SPLIT_MEASURES = ['CUSTOMERS', 'EQUAL', 'LAST_SEASON'] as const;
export type SplitMeasure = (typeof SPLIT_MEASURES)[number];

/** A season: its start year (2026 for 2026-27), a date (the season it falls in, or the next), or resolved. */
export type SeasonRef = number | string | ResolvedSeason;

/** At most this many problems of a file are reported. */
export const MAX_FILE_ERRORS = 50;

export interface TargetRow {
  season_start: string;
  kpi: string;
  scope_kind: ScopeKind;
  scope_id: string;
  /** The org's name, or the staff member's. */
  scope_name: string | null;
  period: string;
  period_start: string;
  period_end: string;
  /** Exact decimal text: whole for COUNT KPIs, to the fen for YUAN ones. */
  target: string;
  source: 'FILE' | 'SPLIT';
  source_ref: string | null;
  loaded_at: string;
}

/** Resolve a season reference against the season calendar. */
export function targetSeason(season: SeasonRef, config?: SeasonConfig): ResolvedSeason {
  if (typeof season === 'object') return season;
  const calendar = new Calendar(config ?? loadSeasonConfig());
  if (typeof season === 'number' || /^\d{4}$/.test(season)) return calendar.season(Number(season));
  if (!isRealDate(season)) throw new TargetError(`not a season start year or a date: ${season}`);
  return calendar.season(Number(calendar.seasonStartFor(season).slice(0, 4)));
}

const places = (kpi: KpiId) => (KPIS[kpi].unit === 'COUNT' ? 0 : 2);

/** A target as stored text in its KPI's unit: "120" for a count, "1234.50" for money. */
export const formatTarget = (kpi: KpiId, value: string) =>
  fromUnits(toUnits(value, places(kpi)), places(kpi));

/** Byte order of UTF-8 text (the tie rule of splits, and listing order). */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// ---------------------------------------------------------------------------------------------
// Loading

export interface LoadTargetsOptions {
  file: string;
  config?: SeasonConfig;
  /** The season the file's periods belong to: start year or a date in it (e.g. the as-of date). */
  season: SeasonRef;
  loadedAt?: Date;
  /** `db` is a transaction the caller holds (and commits with its own writes, e.g. an audit row). */
  inTransaction?: boolean;
}

export interface LoadTargetsResult {
  file: string;
  season: string;
  season_start: string;
  format: 'csv' | 'xlsx';
  encoding?: string;
  /** Header columns the loader does not know (not read). */
  ignored_columns: string[];
  /** Target rows in the file. */
  rows: number;
  /** New keys. */
  inserted: number;
  /** Keys that were there with another target or period label (replaced). */
  replaced: number;
  /** Keys already there with the same target and label (kept as they were, with their source). */
  unchanged: number;
}

interface NewTarget {
  row: number;
  kpi: KpiId;
  scope_kind: ScopeKind;
  scope_id: string;
  period: KpiPeriod;
  target: string;
}

/**
 * Check a target cell against its KPI's unit; the canonical text, or why not. Thousands separators
 * ("1,200") are accepted; trailing zeros of the decimals do not count ("12.50" has 1 decimal).
 */
export function parseTargetValue(text: string, kpi: KpiId | null): { value: string } | { error: string } {
  const t = text.trim();
  if (t === '') return { error: 'empty — give the target' };
  const plain = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t) ? t.replaceAll(',', '') : t;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(plain)) return { error: `"${t}" is not a number` };
  const negative = plain.startsWith('-');
  const [intRaw = '', fracRaw = ''] = plain.replace(/^[+-]/, '').split('.');
  const int = intRaw.replace(/^0+(?=\d)/, '') || '0';
  const frac = fracRaw.replace(/0+$/, '');
  if (negative && (int !== '0' || frac !== '')) return { error: `${t} is negative` };
  if (kpi && KPIS[kpi].unit === 'COUNT' && frac !== '')
    return { error: `${t} is not a whole number (${kpi} counts whole things)` };
  if (frac.length > 2) return { error: `${t} has more than 2 decimals` };
  if (int.length > 18) return { error: `${t} is too large (at most 18 digits before the decimal point)` };
  const value = `${int}${frac ? `.${frac}` : ''}`;
  return { value: kpi ? formatTarget(kpi, value) : value };
}

/**
 * Load a target file for a season: every row is checked first (each problem names its row and
 * column); with any problem nothing is written (TargetFileError). Otherwise, in one transaction,
 * each key (kpi, org or staff member, period dates) of the file replaces the table's row for it.
 */
export async function loadTargets(db: Db, o: LoadTargetsOptions): Promise<LoadTargetsResult> {
  const season = targetSeason(o.season, o.config);
  const f = await readTargetFile(o.file);
  const name = basename(o.file);
  if (f.rows.length === 0) throw new TargetFileError(o.file, [`${name}: no targets below the header row`]);
  const orgs = new Set((await db.query<{ id: string }>('SELECT org_id AS id FROM orgs')).map((r) => r.id));
  const staff = new Set(
    (await db.query<{ id: string }>('SELECT staff_id AS id FROM staff')).map((r) => r.id),
  );
  const errors: string[] = [];
  const valid: NewTarget[] = [];
  const seen = new Map<string, number>();
  for (const { row, cells } of f.rows) {
    const problems: string[] = [];
    const problem = (column: string, message: string) =>
      problems.push(`row ${row}, column ${column}: ${message}`);
    const kpiText = cells.kpi.toUpperCase();
    let kpi: KpiId | null = null;
    if (kpiText === '') problem('kpi', 'empty — give a KPI id, e.g. NEW_CUSTOMERS');
    else if (!isKpiId(kpiText))
      problem('kpi', `"${cells.kpi}" is not a KPI (the KPIs are listed in docs/targets.md)`);
    else kpi = kpiText;
    let scope: { kind: ScopeKind; id: string } | null = null;
    if (cells.org_id && cells.staff_id) problem('staff_id', 'give org_id or staff_id, not both');
    else if (!cells.org_id && !cells.staff_id) problem('org_id', 'empty — give org_id or staff_id');
    else if (cells.org_id) {
      if (orgs.has(cells.org_id)) scope = { kind: 'ORG', id: cells.org_id };
      else problem('org_id', `"${cells.org_id}" is not an org (not in the orgs extract)`);
    } else if (!staff.has(cells.staff_id))
      problem('staff_id', `"${cells.staff_id}" is not a staff member (not in the staff extract)`);
    else if (kpi && !KPIS[kpi].staffCredited)
      problem('staff_id', `${kpi} has no staff targets (it credits orgs only)`);
    else scope = { kind: 'STAFF', id: cells.staff_id };
    let period: KpiPeriod | null = null;
    if (cells.period === '')
      problem('period', 'empty — give SEASON, a phase, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD');
    else {
      try {
        period = resolvePeriod(cells.period, season);
      } catch (e) {
        if (!(e instanceof PeriodError)) throw e;
        problem('period', e.message);
      }
    }
    const value = parseTargetValue(cells.target, kpi);
    if ('error' in value) problem('target', value.error);
    if (problems.length === 0 && kpi && scope && period && 'value' in value) {
      const key = targetKey(kpi, scope.kind, scope.id, period.start, period.end);
      const first = seen.get(key);
      if (first !== undefined)
        problem(
          'period',
          `${period.label} (${period.start}..${period.end}) repeats row ${first}: same kpi, ${scope.kind === 'ORG' ? 'org' : 'staff member'} ${scope.id} and period`,
        );
      else {
        seen.set(key, row);
        valid.push({ row, kpi, scope_kind: scope.kind, scope_id: scope.id, period, target: value.value });
      }
    }
    errors.push(...problems);
  }
  if (errors.length) throw new TargetFileError(o.file, errors.slice(0, MAX_FILE_ERRORS), errors.length);
  const write = (tx: Db) =>
    writeTargets(tx, season, valid, { source: 'FILE', ref: () => name, loadedAt: o.loadedAt });
  const written = o.inTransaction ? await write(db) : await db.transaction(write);
  return {
    file: o.file,
    season: season.label,
    season_start: season.start,
    format: f.format,
    ...(f.encoding ? { encoding: f.encoding } : {}),
    ignored_columns: f.ignoredColumns,
    rows: valid.length,
    ...written,
  };
}

const targetKey = (kpi: string, kind: string, id: string, start: string, end: string) =>
  [kpi, kind, id, start, end].join('\u0000');

/**
 * Replace the table's rows for the keys of `rows` (DELETE the keys, INSERT the rows), within the
 * caller's transaction. A key already holding the same target and label is left as it is when
 * `keepSame` says so (a loaded file that changes nothing changes nothing, provenance included).
 */
async function writeTargets(
  tx: Db,
  season: ResolvedSeason,
  rows: Omit<NewTarget, 'row'>[],
  o: {
    source: 'FILE' | 'SPLIT';
    ref: (r: Omit<NewTarget, 'row'>) => string;
    loadedAt?: Date;
    keepSame?: (existing: { source: string; source_ref: string | null }) => boolean;
  },
): Promise<{ inserted: number; replaced: number; unchanged: number }> {
  const existing = new Map(
    (
      await tx.query<{
        kpi: string;
        scope_kind: string;
        scope_id: string;
        period: string;
        period_start: string;
        period_end: string;
        target: string;
        source: string;
        source_ref: string | null;
      }>(
        `SELECT kpi, scope_kind, scope_id, period, period_start, period_end, target, source, source_ref
           FROM targets WHERE season_start = CAST($1 AS DATE)`,
        [season.start],
      )
    ).map((r) => [targetKey(r.kpi, r.scope_kind, r.scope_id, r.period_start, r.period_end), r]),
  );
  const keepSame = o.keepSame ?? (() => true);
  let inserted = 0;
  let replaced = 0;
  let unchanged = 0;
  const changed: Omit<NewTarget, 'row'>[] = [];
  for (const r of rows) {
    const old = existing.get(targetKey(r.kpi, r.scope_kind, r.scope_id, r.period.start, r.period.end));
    if (!old) inserted++;
    else if (
      old.period === r.period.label &&
      toUnits(old.target, 2) === toUnits(r.target, 2) &&
      keepSame(old)
    ) {
      unchanged++;
      continue;
    } else replaced++;
    changed.push(r);
  }
  const date = (d: string) => `CAST(${quoteString(d)} AS DATE)`;
  const loadedAt = utcTimestamp(o.loadedAt ?? new Date());
  for (let i = 0; i < changed.length; i += 500) {
    const chunk = changed.slice(i, i + 500);
    await tx.execute(
      `DELETE FROM targets WHERE season_start = ${date(season.start)} AND EXISTS (
         SELECT 1 FROM (VALUES ${chunk
           .map(
             (r) =>
               `(${[r.kpi, r.scope_kind, r.scope_id].map(quoteString).join(', ')}, ${date(r.period.start)}, ${date(r.period.end)})`,
           )
           .join(', ')}) AS k (kpi, scope_kind, scope_id, period_start, period_end)
          WHERE k.kpi = targets.kpi AND k.scope_kind = targets.scope_kind AND k.scope_id = targets.scope_id
            AND k.period_start = targets.period_start AND k.period_end = targets.period_end)`,
    );
    const values: SqlValue[][] = chunk.map((r) => [
      season.start,
      r.kpi,
      r.scope_kind,
      r.scope_id,
      r.period.label,
      r.period.start,
      r.period.end,
      r.target,
      o.source,
      o.ref(r),
      loadedAt,
    ]);
    await tx.exec(
      `INSERT INTO targets (season_start, kpi, scope_kind, scope_id, period, period_start, period_end, target, source, source_ref, loaded_at)
       VALUES ${values.map((v) => `(${v.map((x) => (x === null ? 'NULL' : quoteString(String(x)))).join(', ')})`).join(', ')}`,
    );
  }
  return { inserted, replaced, unchanged };
}

// ---------------------------------------------------------------------------------------------
// Splitting

export interface SplitTargetOptions {
  kpi: string;
  period: string;
  /** The parent org whose target is split. */
  from: string;
  by?: SplitMeasure;
  /** Customers are counted as of this date; it also names the season. */
  asOf: string;
  config: SeasonConfig;
  /** Split over the org's staff rather than its child orgs (always so for an OUTLET). */
  toStaff?: boolean;
  loadedAt?: Date;
  /** `db` is a transaction the caller holds (and commits with its own writes, e.g. an audit row). */
  inTransaction?: boolean;
}

export interface SplitChild {
  scope_kind: ScopeKind;
  scope_id: string;
  name: string | null;
  /** What the share was proportional to: customers, 1, or last season's actual. */
  measure: string;
  target: string;
}

export interface SplitTargetResult {
  season: string;
  season_start: string;
  kpi: KpiId;
  period: KpiPeriod;
  from: string;
  from_name: string | null;
  /** The parent's target and where it came from. */
  parent_target: string;
  parent_source: 'TARGETS' | 'SEASON_FILE';
  by: SplitMeasure;
  /** LAST_SEASON: the as-of date of the progress the shares came from. */
  basis_as_of?: string;
  source_ref: string;
  rows: SplitChild[];
  /** What the reader should know (children without last season's figures, negative actuals). */
  notes: string[];
}

interface OrgRow {
  org_id: string;
  org_name: string | null;
  level: string | null;
  parent_id: string | null;
}

/**
 * Apportion `total` units over weights by the largest-remainder method: each part gets
 * ⌊total × w / Σw⌋, and the units left over go one each to the parts with the largest remainders,
 * ties to the lower id in byte order. The parts sum to `total` exactly.
 */
export function apportion(total: bigint, parts: { id: string; weight: bigint }[]): bigint[] {
  const sum = parts.reduce((a, p) => a + p.weight, 0n);
  if (sum <= 0n) throw new TargetError('nothing to apportion by: every weight is 0');
  const shares = parts.map((p) => (total * p.weight) / sum);
  const remainders = parts.map((p) => (total * p.weight) % sum);
  let left = total - shares.reduce((a, s) => a + s, 0n);
  const order = parts
    .map((_p, i) => i)
    .sort((a, b) => {
      const ra = remainders[a] as bigint;
      const rb = remainders[b] as bigint;
      return ra === rb
        ? byBytes((parts[a] as { id: string }).id, (parts[b] as { id: string }).id)
        : ra > rb
          ? -1
          : 1;
    });
  for (const i of order) {
    if (left <= 0n) break;
    shares[i] = (shares[i] as bigint) + 1n;
    left--;
  }
  return shares;
}

/** The same period a season earlier: the same label, or an explicit range a year back (Feb 29 → 28). */
function previousLabel(period: KpiPeriod): string {
  const m = /^(\d{4})-(\d{2}-\d{2})\.\.(\d{4})-(\d{2}-\d{2})$/.exec(period.label);
  if (!m) return period.label;
  const back = (y: string, md: string) => `${Number(y) - 1}-${md === '02-29' ? '02-28' : md}`;
  return `${back(m[1] as string, m[2] as string)}..${back(m[3] as string, m[4] as string)}`;
}

/**
 * Split a parent org's target over its direct child orgs (not the remote-banking centre) or, with
 * toStaff or for an outlet, over its staff — proportionally to customers, equally, or to last
 * season's actuals — and write the children's targets (source SPLIT) in one transaction.
 */
export async function splitTarget(db: Db, o: SplitTargetOptions): Promise<SplitTargetResult> {
  const kpi = o.kpi.trim().toUpperCase();
  if (!isKpiId(kpi)) throw new TargetError(`unknown KPI "${o.kpi}": one of ${KPI_IDS.join(', ')}`);
  const by = o.by ?? 'CUSTOMERS';
  if (!SPLIT_MEASURES.includes(by)) throw new TargetError(`--by: one of ${SPLIT_MEASURES.join(', ')}`);
  if (!isRealDate(o.asOf)) throw new TargetError(`as-of: not a date: ${o.asOf}`);
  const calendar = new Calendar(o.config);
  const season = targetSeason(o.asOf, o.config);
  const period = resolvePeriod(o.period, season);
  const orgs = await db.query<OrgRow & Record<string, SqlValue>>(
    'SELECT org_id, org_name, level, parent_id FROM orgs',
  );
  const parent = orgs.find((r) => r.org_id === o.from);
  if (!parent) throw new TargetError(`no org "${o.from}" in the orgs extract`);

  // The parent's target: the table's, else the season file's for the org (or for its level).
  const [stored] = await db.query<{ target: string }>(
    `SELECT target FROM targets WHERE season_start = CAST($1 AS DATE) AND kpi = $2 AND scope_kind = 'ORG'
        AND scope_id = $3 AND period_start = CAST($4 AS DATE) AND period_end = CAST($5 AS DATE)`,
    [season.start, kpi, o.from, period.start, period.end],
  );
  let parentTarget = stored?.target ?? null;
  const parentSource: SplitTargetResult['parent_source'] = stored ? 'TARGETS' : 'SEASON_FILE';
  if (parentTarget === null) {
    const samePeriod = (label: string) => {
      try {
        const p = resolvePeriod(label, season);
        return p.start === period.start && p.end === period.end;
      } catch {
        return false;
      }
    };
    // As kpi_targets reads the file: the first entry naming the org (itself or by its level) wins.
    parentTarget =
      o.config.targets.find(
        (t) =>
          t.kpi === kpi &&
          (t.org === o.from || (t.level && t.level === parent.level)) &&
          samePeriod(t.period),
      )?.target ?? null;
  }
  if (parentTarget === null)
    throw new TargetError(
      `no target for ${kpi} of org ${o.from} over ${period.label} (${period.start}..${period.end}) in season ${season.label} — load one (wangji targets load) or set it in the season file's targets:, then split`,
    );
  const unitPlaces = places(kpi);
  if (unitPlaces === 0 && toUnits(parentTarget, 2) % 100n !== 0n)
    throw new TargetError(
      `the target of ${o.from}, ${parentTarget}, is not a whole number: ${kpi} counts whole things`,
    );
  const total = toUnits(parentTarget, unitPlaces);

  // The children.
  const toStaff = Boolean(o.toStaff) || parent.level === 'OUTLET';
  let children: { id: string; name: string | null }[];
  if (toStaff) {
    if (!KPIS[kpi].staffCredited)
      throw new TargetError(
        `${kpi} has no staff targets (it credits orgs only): split over child orgs instead`,
      );
    children = (
      await db.query<{ staff_id: string; staff_name: string | null }>(
        'SELECT staff_id, staff_name FROM staff WHERE org_id = $1',
        [o.from],
      )
    ).map((r) => ({ id: r.staff_id, name: r.staff_name }));
    if (children.length === 0) throw new TargetError(`org ${o.from} has no staff in the staff extract`);
  } else {
    children = orgs
      .filter((r) => r.parent_id === o.from && r.level !== 'REMOTE_CENTER')
      .map((r) => ({ id: r.org_id, name: r.org_name }));
    if (children.length === 0)
      throw new TargetError(
        `org ${o.from} has no child orgs (the remote-banking centre is never one): split over its staff with --to-staff`,
      );
  }
  children.sort((a, b) => byBytes(a.id, b.id));

  // The measure of each child.
  const notes: string[] = [];
  let basisAsOf: string | undefined;
  let weights: bigint[];
  if (by === 'EQUAL') {
    weights = children.map(() => 1n);
  } else if (by === 'CUSTOMERS') {
    const column = toStaff ? 'manager_id' : 'home_org_id';
    const counts = new Map(
      (
        await db.query<{ id: string; n: number | string }>(
          `SELECT ${column} AS id, count(*) AS n FROM customers
            WHERE ${column} IS NOT NULL AND (customer_since IS NULL OR customer_since <= CAST($1 AS DATE))
            GROUP BY ${column}`,
          [o.asOf],
        )
      ).map((r) => [r.id, BigInt(r.n)]),
    );
    if (toStaff) weights = children.map((c) => counts.get(c.id) ?? 0n);
    else {
      const below = new Map<string, string[]>();
      for (const r of orgs)
        if (r.parent_id !== null) below.set(r.parent_id, [...(below.get(r.parent_id) ?? []), r.org_id]);
      const subtreeCount = (root: string) => {
        const seen = new Set<string>();
        const stack = [root];
        let n = 0n;
        while (stack.length) {
          const id = stack.pop() as string;
          if (seen.has(id)) continue; // a cycle in a delivered tree must not run away
          seen.add(id);
          n += counts.get(id) ?? 0n;
          stack.push(...(below.get(id) ?? []));
        }
        return n;
      };
      weights = children.map((c) => subtreeCount(c.id));
    }
  } else {
    const previous = calendar.season(season.year - 1);
    let label: string;
    try {
      label = resolvePeriod(previousLabel(period), previous).label;
    } catch (e) {
      throw new TargetError(`--by LAST_SEASON: ${(e as Error).message}`);
    }
    const [latest] = await db.query<{ as_of: string | null }>(
      `SELECT max(as_of) AS as_of FROM kpi_progress WHERE season_start = CAST($1 AS DATE) AND kpi = $2 AND period = $3`,
      [previous.start, kpi, label],
    );
    if (!latest?.as_of)
      throw new TargetError(
        `--by LAST_SEASON: no published progress of ${kpi} over ${label} in season ${previous.label} (runs of that season publish it) — split --by CUSTOMERS or EQUAL`,
      );
    basisAsOf = latest.as_of;
    const actuals = new Map(
      (
        await db.query<{ scope_id: string; actual: string }>(
          `SELECT scope_id, actual FROM kpi_progress
            WHERE as_of = CAST($1 AS DATE) AND kpi = $2 AND period = $3 AND scope_kind = $4`,
          [latest.as_of, kpi, label, toStaff ? 'STAFF' : 'ORG'],
        )
      ).map((r) => [r.scope_id, toUnits(r.actual, 2)]),
    );
    const missing = children.filter((c) => !actuals.has(c.id)).map((c) => c.id);
    if (missing.length)
      notes.push(`no progress as of ${latest.as_of} for ${missing.join(', ')}: counted as 0`);
    const negative = children.filter((c) => (actuals.get(c.id) ?? 0n) < 0n).map((c) => c.id);
    if (negative.length) notes.push(`a negative actual counts as 0: ${negative.join(', ')}`);
    weights = children.map((c) => {
      const a = actuals.get(c.id) ?? 0n;
      return a > 0n ? a : 0n;
    });
  }
  if (weights.every((w) => w === 0n))
    throw new TargetError(
      `every ${toStaff ? 'staff member' : 'child org'} of ${o.from} measures 0 by ${by}${by === 'CUSTOMERS' ? ` (customers as of ${o.asOf})` : ''}: split with --by EQUAL`,
    );
  const shares = apportion(
    total,
    children.map((c, i) => ({ id: c.id, weight: weights[i] as bigint })),
  );
  const sourceRef = `split of ${o.from} by ${by}`;
  const rows: SplitChild[] = children.map((c, i) => ({
    scope_kind: toStaff ? 'STAFF' : 'ORG',
    scope_id: c.id,
    name: c.name,
    measure: by === 'LAST_SEASON' ? fromUnits(weights[i] as bigint, 2) : String(weights[i]),
    target: fromUnits(shares[i] as bigint, unitPlaces),
  }));
  const write = (tx: Db) =>
    writeTargets(
      tx,
      season,
      rows.map((r) => ({ kpi, scope_kind: r.scope_kind, scope_id: r.scope_id, period, target: r.target })),
      {
        source: 'SPLIT',
        ref: () => sourceRef,
        loadedAt: o.loadedAt,
        keepSame: (old) => old.source === 'SPLIT' && old.source_ref === sourceRef,
      },
    );
  await (o.inTransaction ? write(db) : db.transaction(write));
  return {
    season: season.label,
    season_start: season.start,
    kpi,
    period,
    from: o.from,
    from_name: parent.org_name,
    parent_target: formatTarget(kpi, parentTarget),
    parent_source: parentSource,
    by,
    ...(basisAsOf ? { basis_as_of: basisAsOf } : {}),
    source_ref: sourceRef,
    rows,
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Listing and exporting

export interface ListTargetsOptions {
  season: SeasonRef;
  config?: SeasonConfig;
  kpi?: string;
  /** An org or staff id: that scope's targets only. */
  scope?: string;
  scopeKind?: ScopeKind;
}

const KPI_ORDER = new Map<string, number>(KPI_IDS.map((k, i) => [k, i]));

/** A season's targets: by KPI (catalogue order), orgs before staff, id (byte order), period. */
export async function listTargets(db: Db, o: ListTargetsOptions): Promise<TargetRow[]> {
  const season = targetSeason(o.season, o.config);
  const where = ['t.season_start = CAST($1 AS DATE)'];
  const params: SqlValue[] = [season.start];
  if (o.kpi) {
    params.push(o.kpi.trim().toUpperCase());
    where.push(`t.kpi = $${params.length}`);
  }
  if (o.scope) {
    params.push(o.scope);
    where.push(`t.scope_id = $${params.length}`);
  }
  if (o.scopeKind) {
    params.push(o.scopeKind);
    where.push(`t.scope_kind = $${params.length}`);
  }
  const rows = await db.query<TargetRow & Record<string, SqlValue>>(
    `SELECT t.season_start, t.kpi, t.scope_kind, t.scope_id,
            CASE WHEN t.scope_kind = 'ORG' THEN (SELECT min(o.org_name) FROM orgs o WHERE o.org_id = t.scope_id)
                 ELSE (SELECT min(s.staff_name) FROM staff s WHERE s.staff_id = t.scope_id) END AS scope_name,
            t.period, t.period_start, t.period_end, t.target, t.source, t.source_ref, t.loaded_at
       FROM targets t WHERE ${where.join(' AND ')}`,
    params,
  );
  return rows
    .map((r) => ({ ...r, target: isKpiId(r.kpi) ? formatTarget(r.kpi, r.target) : r.target }))
    .sort(
      (a, b) =>
        (KPI_ORDER.get(a.kpi) ?? 99) - (KPI_ORDER.get(b.kpi) ?? 99) ||
        byBytes(a.kpi, b.kpi) ||
        byBytes(a.scope_kind, b.scope_kind) ||
        byBytes(a.scope_id, b.scope_id) ||
        byBytes(a.period_start, b.period_start) ||
        byBytes(a.period_end, b.period_end),
    );
}

export interface ExportTargetsOptions {
  season: SeasonRef;
  config?: SeasonConfig;
  /** A .csv or .xlsx file to write. */
  out: string;
}

/**
 * Write a season's targets in the loader's columns (kpi, org_id, staff_id, period, target) plus the
 * read-only org_name and staff_name: edit, then load again. Text cells that a spreadsheet could run
 * as a formula are prefixed with ' (the loader takes it off again).
 */
export async function exportTargets(
  db: Db,
  o: ExportTargetsOptions,
): Promise<{ file: string; season: string; rows: number }> {
  const season = targetSeason(o.season, o.config);
  const rows = await listTargets(db, { season });
  const out: ExportRow[] = rows.map((r) => ({
    kpi: r.kpi,
    org_id: r.scope_kind === 'ORG' ? r.scope_id : '',
    staff_id: r.scope_kind === 'STAFF' ? r.scope_id : '',
    period: r.period,
    target: r.target,
    org_name: r.scope_kind === 'ORG' ? (r.scope_name ?? '') : '',
    staff_name: r.scope_kind === 'STAFF' ? (r.scope_name ?? '') : '',
  }));
  await writeTargetFile(o.out, out);
  return { file: o.out, season: season.label, rows: out.length };
}
