// Test support for the briefing (used by the *.test.ts files of this folder only): a hand-made bank
// of orgs, staff and kpi_progress rows for three as-of dates, and LibreOffice headless conversion.
//
// Season 2026-27 (S = 2026-11-15, end 2027-03-31). D = 2027-01-10 (NEW_YEAR, until 2027-02-20); the
// briefing compares with P = 2027-01-03, the latest as-of ≤ D − 7 — not 2027-01-05 (after D − 7) nor
// 2026-12-27 (older). kpi_progress's derived columns are worked out here as METRICS.md defines them,
// in floating point: test data only; the briefing itself never computes them.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../db/types.js';
import { daysBetweenInclusive } from '../domain/calendar.js';
import { KPIS, type KpiId } from '../kpis/catalogue.js';

export const D = '2027-01-10';
export const P = '2027-01-03';
export const AFTER_P = '2027-01-05';
export const OLDER = '2026-12-27';

export const ORGS: [id: string, name: string, level: string, parent: string | null][] = [
  ['H', '总行', 'HQ', null],
  ['B1', '北京分行', 'BRANCH', 'H'],
  ['B2', '上海分行', 'BRANCH', 'H'],
  ['B3', '广州分行', 'BRANCH', 'H'],
  ['B4', '深圳分行', 'BRANCH', 'H'],
  ['B5', '成都分行', 'BRANCH', 'H'],
  ['S1', '北京海淀支行', 'SUBBRANCH', 'B1'],
  ['S2', '上海浦东支行', 'SUBBRANCH', 'B2'],
  ['O1', '海淀中关村网点', 'OUTLET', 'S1'],
  ['O2', '海淀学院路网点', 'OUTLET', 'S1'],
  ['O3', '浦东陆家嘴网点', 'OUTLET', 'S2'],
];

export const STAFF: [id: string, org: string, name: string, role: string][] = [
  ['ST01', 'O1', '张伟', 'ACCOUNT_MANAGER'],
  ['ST02', 'O1', '李娜', 'ACCOUNT_MANAGER'],
  ['ST03', 'O2', '王芳', 'LOBBY'],
];

export const PERIODS = {
  SEASON: ['2026-11-15', '2027-03-31'],
  Q4: ['2026-11-15', '2026-12-31'],
  Q1: ['2027-01-01', '2027-03-31'],
} as const;

/** One scope's figures for a KPI and period: actual at D, at P (absent: no row at P), target. */
export type Entry = [scope: string, actualD: string, actualP: string | null, target: string | null];

export const ENTRIES: { kpi: KpiId; period: keyof typeof PERIODS; rows: Entry[] }[] = [
  {
    kpi: 'NEW_CUSTOMERS',
    period: 'SEASON',
    rows: [
      ['H', '2380', '2010', '6000'],
      // D: B2 56.0 %, B1 51.7 %, B4 41.7 %, B5 28.6 %, B3 25.0 % (ranks 1–5; time progress 41.6 %).
      // P: B2 56.0 %, B4 40.0 %, B1 33.3 %, B3 20.8 % (ranks 1–4): B1 ↑1, B4 ↓1, B3 ↓1, B2 =.
      ['B1', '620', '400', '1200'],
      ['B2', '560', '560', '1000'],
      ['B3', '300', '250', '1200'],
      ['B4', '500', '480', '1200'],
      ['B5', '400', null, '1400'], // no row a week before
      ['S1', '410', '350', '800'],
      ['S2', '330', '300', '700'],
      ['O1', '260', '220', '400'],
      ['O2', '150', '130', '400'],
      ['O3', '120', '100', null], // no target: listed, not ranked
      ['ST01', '140', '120', '200'],
      ['ST02', '120', '100', '200'],
      ['ST03', '90', '80', '150'],
    ],
  },
  {
    kpi: 'PAYROLL_AMOUNT',
    period: 'Q4',
    rows: [
      ['H', '98000000.00', '98000000.00', '120000000.00'],
      ['B1', '31000000.00', '31000000.00', null],
      ['B2', '27000000.00', '27000000.00', null],
      ['B3', '15000000.00', '15000000.00', null],
      ['B4', '15000000.00', '15000000.00', null],
      ['B5', '10000000.00', '10000000.00', null],
    ],
  },
  {
    kpi: 'SSC_GEN3_ISSUED',
    period: 'Q4',
    rows: [
      ['B1', '1300', '1300', '1200'],
      ['B2', '900', '900', '1000'],
      ['B3', '700', '700', '1000'],
      ['B4', '1000', '1000', '1000'],
      ['B5', '400', '400', '800'],
      ['O1', '330', '330', '300'],
      ['O2', '200', '200', '300'],
      ['O3', '280', '280', '300'],
      ['ST01', '120', '120', '100'],
      ['ST02', '60', '60', '100'],
    ],
  },
  {
    kpi: 'SSC_GEN3_ISSUED',
    period: 'Q1',
    rows: [
      ['B1', '210', '40', '1500'],
      ['B2', '150', '30', '1200'],
      ['B3', '80', '20', '1200'],
      ['B4', '160', '50', '1200'],
      ['B5', '30', '5', '900'],
      ['O1', '60', '10', '400'],
      ['O2', '20', '5', '400'],
      ['O3', '45', '10', '400'],
    ],
  },
  {
    kpi: 'SSC_GEN3_ISSUED',
    period: 'SEASON',
    rows: [
      ['B1', '1510', '1340', '3000'],
      ['B2', '1050', '930', '2500'],
    ],
  },
  {
    kpi: 'DEPOSIT_ADB_GROWTH',
    period: 'SEASON',
    rows: [
      ['H', '9734567.39', '7650000.85', '30000000.00'],
      ['B1', '1234567.89', '1000000.10', '5000000.00'], // Δ 234,567.79 exactly
      ['B2', '-20000.50', '10000.25', '1000000.00'], // fell: Δ −30,000.75
      ['B3', '2500000.00', '2000000.00', '2000000.00'],
      ['B4', '3120000.00', '2640000.50', '8000000.00'],
      ['B5', '2900000.00', '2000000.00', '6000000.00'],
    ],
  },
  {
    kpi: 'MERCHANTS_NEW', // no targets anywhere: not in the briefing
    period: 'SEASON',
    rows: [
      ['B1', '35', '30', null],
      ['B2', '28', '20', null],
    ],
  },
  {
    kpi: 'COUNTY_DEBIT_ISSUED',
    period: 'SEASON',
    rows: [
      ['B1', '210', '180', '600'],
      ['B2', '330', '300', '500'],
      ['B3', '480', '400', '900'],
    ],
  },
];

const orgOf = new Map(ORGS.map(([id, , level, parent]) => [id, { level, parent }]));
const staffOf = new Map(STAFF.map(([id, org]) => [id, org]));

interface Progress {
  asOf: string;
  kpi: KpiId;
  period: string;
  start: string;
  end: string;
  scopeKind: 'ORG' | 'STAFF';
  scope: string;
  level: string;
  parent: string | null;
  actual: string;
  target: string | null;
  completion: number | null;
  timeProgress: number;
  gap: number | null;
  rank: number | null;
  ranked: number | null;
  laggard: boolean;
  dailyNeeded: number | null;
}

/** kpi_progress rows of the entries as of `asOf` (the D or P figures), derived columns worked out. */
export function progressAt(asOf: string, entries = ENTRIES, useP = asOf !== D): Progress[] {
  const out: Progress[] = [];
  for (const e of entries) {
    const [start, end] = PERIODS[e.period];
    if (start > asOf) continue;
    const tp = daysBetweenInclusive(start, asOf < end ? asOf : end) / daysBetweenInclusive(start, end);
    for (const [scope, actualD, actualP, target] of e.rows) {
      const actual = useP ? actualP : actualD;
      if (actual === null) continue;
      const staff = staffOf.get(scope);
      const org = orgOf.get(scope);
      const completion =
        target !== null && Number(target) > 0 ? round(Number(actual) / Number(target), 6) : null;
      out.push({
        asOf,
        kpi: e.kpi,
        period: e.period,
        start,
        end,
        scopeKind: staff ? 'STAFF' : 'ORG',
        scope,
        level: staff ? 'STAFF' : (org?.level ?? 'BRANCH'),
        parent: staff ?? org?.parent ?? null,
        actual,
        target,
        completion,
        timeProgress: round(tp, 6),
        gap: completion === null ? null : round(completion - round(tp, 6), 6),
        rank: null,
        ranked: null,
        laggard: false,
        dailyNeeded:
          KPIS[e.kpi].balance && target !== null && asOf < end
            ? round((Number(target) - Number(actual)) / (daysBetweenInclusive(asOf, end) - 1), 2)
            : null,
      });
    }
  }
  // Rank among siblings (same KPI, period, level and parent) by completion: 1, 2, 2, 4.
  for (const p of out) {
    if (p.completion === null) continue;
    const sibs = out.filter(
      (q) =>
        q.kpi === p.kpi &&
        q.period === p.period &&
        q.level === p.level &&
        q.parent === p.parent &&
        q.completion !== null,
    );
    p.rank = 1 + sibs.filter((q) => (q.completion as number) > (p.completion as number)).length;
    p.ranked = sibs.length;
  }
  for (const p of out) {
    const n = p.ranked ?? 0;
    p.laggard =
      (p.gap !== null && p.gap < -0.1) || (n >= 5 && p.rank !== null && p.rank > n - Math.floor(0.2 * n));
  }
  return out;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const lit = (v: string | number | null, type = '') =>
  v === null ? 'NULL' : type ? `CAST('${v}' AS ${type})` : `'${String(v).replace(/'/g, "''")}'`;

export async function insertProgress(db: Db, rows: Progress[]): Promise<void> {
  if (rows.length === 0) return;
  const tuples = rows.map((p) =>
    [
      lit(p.asOf, 'DATE'),
      lit('2026-11-15', 'DATE'),
      lit(p.kpi),
      lit(KPIS[p.kpi].program),
      lit(p.scopeKind),
      lit(p.scope),
      lit(p.level),
      lit(p.parent),
      lit(p.period),
      lit(p.start, 'DATE'),
      lit(p.end, 'DATE'),
      lit(p.actual, 'DECIMAL(20,2)'),
      lit(p.target, 'DECIMAL(20,2)'),
      lit(p.completion === null ? null : p.completion.toFixed(10), 'DECIMAL(38,10)'),
      lit(p.timeProgress.toFixed(10), 'DECIMAL(38,10)'),
      lit(p.gap === null ? null : p.gap.toFixed(10), 'DECIMAL(38,10)'),
      p.rank ?? 'NULL',
      p.ranked ?? 'NULL',
      p.laggard ? 'TRUE' : 'FALSE',
      lit(p.dailyNeeded === null ? null : p.dailyNeeded.toFixed(2), 'DECIMAL(20,2)'),
    ].join(', '),
  );
  await db.exec(
    `INSERT INTO kpi_progress (as_of, season_start, kpi, program, scope_kind, scope_id, scope_level, parent_id,
       period, period_start, period_end, actual, target, completion, time_progress, gap, rank, ranked, laggard,
       daily_needed) VALUES ${tuples.map((t) => `(${t})`).join(',\n')}`,
  );
}

/** Orgs, staff and kpi_progress for D, P, AFTER_P and OLDER. */
export async function insertBriefingBank(db: Db, orgs = ORGS, entries = ENTRIES): Promise<void> {
  await db.exec(
    `INSERT INTO orgs (org_id, org_name, level, parent_id) VALUES ${orgs
      .map(([id, name, level, parent]) => `(${lit(id)}, ${lit(name)}, ${lit(level)}, ${lit(parent)})`)
      .join(', ')}`,
  );
  await db.exec(
    `INSERT INTO staff (staff_id, org_id, staff_name, role) VALUES ${STAFF.map(
      ([id, org, name, role]) => `(${lit(id)}, ${lit(org)}, ${lit(name)}, ${lit(role)})`,
    ).join(', ')}`,
  );
  await insertProgress(db, progressAt(D, entries));
  await insertProgress(db, progressAt(P, entries));
  // Decoys: a later date within the week, and an older one; neither may be compared with.
  const decoy = (asOf: string) =>
    progressAt(asOf, entries)
      .filter((p) => p.scope === 'B1')
      .map((p) => ({ ...p, actual: '1.00', rank: 5 }));
  await insertProgress(db, decoy(AFTER_P));
  await insertProgress(db, decoy(OLDER));
}

/** Is LibreOffice here (CI installs libreoffice-calc-nogui)? */
export const SOFFICE = await promisify(execFile)('soffice', ['--version']).then(
  () => true,
  () => false,
);
if (!SOFFICE)
  console.warn('SKIPPED the LibreOffice checks of the briefing: no soffice (install libreoffice-calc-nogui)');

/**
 * Convert a file with LibreOffice headless, each call with its own profile (parallel test files
 * would otherwise fight over the lock of the default one). Returns the output files' paths.
 */
export async function soffice(file: string, convertTo: string, infilter?: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'wangji-lo-'));
  const outdir = join(dir, 'out');
  const args = [
    `-env:UserInstallation=file://${join(dir, 'profile')}`,
    '--headless',
    ...(infilter ? [`--infilter=${infilter}`] : []),
    '--convert-to',
    convertTo,
    '--outdir',
    outdir,
    file,
  ];
  await promisify(execFile)('soffice', args, { timeout: 60_000 });
  const files = readdirSync(outdir).map((f) => join(outdir, f));
  // The profile is large; the converted files are small: keep only those (read them before cleanup).
  const kept = mkdtempSync(join(tmpdir(), 'wangji-lo-out-'));
  const moved = files.map((f) => {
    const to = join(kept, f.slice(outdir.length + 1));
    copyFileSync(f, to);
    return to;
  });
  rmSync(dir, { recursive: true, force: true });
  return moved;
}

/** LibreOffice's CSV export of every sheet, raw values (token 9 false), UTF-8, comma, quote ". */
export const CSV_ALL_SHEETS = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1';
/** The same, numbers as shown (with their formats). */
export const CSV_ALL_SHEETS_AS_SHOWN =
  'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1';
/** Import CSV as UTF-8 with formula evaluation ON (token 13): neutralised text must still stay text. */
export const CSV_IMPORT_EVALUATING = 'CSV:44,34,76,1,,0,false,true,false,false,false,-1,true';

/** RFC 4180 parser for the checks (quotes, doubled quotes, line breaks within quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\ufeff/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
