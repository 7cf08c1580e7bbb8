// Pipeline models: one table each. A SQL model is a file models/<stage>/<table>.sql that starts with
// a header — `-- <table>: what it is`, `-- reads: a, b`, `-- key: col, col`, optionally `-- rows: <SQL
// giving the expected row count>`, `-- history: as_of` (the table keeps every as-of: a run replaces
// only its own date's rows) and `-- warn: <SQL giving a count> :: <message>` (a data-quality warning
// in the run report when the count is not 0) — followed by one query made of small named CTE steps. A model
// that SQL expresses badly is TypeScript (registered in TS_MODELS) and fills its staging table in bulk.
//
// Templates: {{as_of}} and the other dates of the run, {{<threshold>}} from the season config,
// {{ref:<model>}} for another model's table of this run, {{ratio: a ;; b}} for an exact ratio,
// {{money: a ;; b}} for money divided once and rounded to cents, {{spread: account_type}} for the
// value spread of an account type,
// {{tier_rate: x}} for the acquiring fee tier rate of an ADB.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity, Phase, SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { PACKAGE_ROOT } from '../paths.js';
import { balanceLiveModel } from './models/features/balance_live.js';
import { divisionsModel } from './models/features/divisions.js';
import { kpiCreditsModel } from './models/kpis/kpi_credits.js';
import { kpiPeriodsModel } from './models/kpis/kpi_periods.js';
import { kpiTargetsModel } from './models/kpis/kpi_targets.js';
import { leadCandidatesModel } from './models/leads/lead_candidates.js';
import { remittanceMatchesModel } from './models/matching/remittance_matches.js';

export const MODELS_DIR = join(PACKAGE_ROOT, 'src', 'pipeline', 'models');
export const STAGES = [
  'features',
  'segments',
  'monitoring',
  'merchants',
  'matching',
  'leads',
  'kpis',
] as const;
export type Stage = (typeof STAGES)[number];

export interface RunContext {
  asOf: string;
  /** The season config of the run. */
  config: SeasonConfig;
  /** Acquiring fee tiers of the season config, lowest floor first. */
  feeTiers: { min_adb: string; rate: string }[];
  /** Value-contribution spreads by account_type (decimal text). */
  spreads: Record<string, string>;
  /** Utility payee keywords of the season config (AUTO_DEBIT). */
  billerKeywords: string[];
  /** The season's key counties (GB/T 2260 codes). */
  keyCounties: string[];
  /** A text expression that orders byte by byte on this engine ({{bytes: x}}). */
  binaryText(expr: string): string;
  /** The season's activities, and the phase D is in (null outside the season). */
  activities: Activity[];
  phase: Phase | null;
  /** Date literals and thresholds the templates may use. */
  params: Record<string, string>;
  /** The staging table of a model in this run. */
  tableOf(model: string): string;
  /** S for D (the coming season's start between seasons). */
  seasonStart: string;
  /** `run --full`: rebuild caches of completed periods from scratch. */
  full: boolean;
  /** A line for the run's progress output. */
  note(message: string): void;
}

export interface Model {
  name: string;
  stage: Stage;
  description: string;
  reads: string[];
  key: string[];
  /** SQL computing the number of rows the model must have (a reconciliation check). */
  expectedRows?: string;
  /** A history table keeps every as-of (column as_of): publishing replaces only the run's date. */
  history?: boolean;
  /** Data-quality warnings: SQL giving a count, and what a count above 0 means. */
  warnings?: { sql: string; message: string }[];
  /** A SQL model's query template. */
  sql?: string;
  /** A TypeScript model: creates and fills `target`. */
  build?: (db: Db, ctx: RunContext, target: string) => Promise<void>;
}

const TS_MODELS: Model[] = [
  balanceLiveModel,
  divisionsModel,
  leadCandidatesModel,
  remittanceMatchesModel,
  kpiTargetsModel,
  kpiPeriodsModel,
  kpiCreditsModel,
];

export function parseSqlModel(stage: Stage, file: string, text: string): Model {
  const header: Record<string, string> = {};
  const warnings: { sql: string; message: string }[] = [];
  let description = '';
  const lines = text.split('\n');
  let i = 0;
  for (; i < lines.length && (lines[i] as string).startsWith('--'); i++) {
    const line = (lines[i] as string).replace(/^--\s?/, '');
    const m = /^(reads|key|rows|history|warn):\s*(.*)$/.exec(line);
    if (m?.[1] === 'warn') {
      const [sql, message] = (m[2] as string).split('::');
      if (!sql || !message) throw new Error(`model ${stage}/${file}: "-- warn:" needs "<SQL> :: <message>"`);
      warnings.push({ sql: sql.trim(), message: message.trim() });
    } else if (m) header[m[1] as string] = m[2] as string;
    else if (i === 0) description = line.replace(/^[a-z_0-9]+:\s*/, '');
    else if (!header.reads) description += ` ${line}`;
  }
  const name = file.replace(/\.sql$/, '');
  if (!header.key) throw new Error(`model ${stage}/${file}: the header has no "-- key:" line`);
  if (header.history !== undefined && header.history !== 'as_of')
    throw new Error(`model ${stage}/${file}: "-- history:" names the as_of column ("-- history: as_of")`);
  return {
    name,
    stage,
    description: description.trim(),
    reads: (header.reads ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    key: header.key.split(',').map((s) => s.trim()),
    expectedRows: header.rows,
    history: header.history === 'as_of',
    warnings,
    sql: lines.slice(i).join('\n').trim().replace(/;\s*$/, ''),
  };
}

export function loadModels(dir = MODELS_DIR): Model[] {
  const models: Model[] = [...TS_MODELS];
  for (const stage of STAGES) {
    let files: string[] = [];
    try {
      files = readdirSync(join(dir, stage)).filter((f) => f.endsWith('.sql'));
    } catch {
      continue;
    }
    for (const f of files.sort())
      models.push(parseSqlModel(stage, f, readFileSync(join(dir, stage, f), 'utf8')));
  }
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name)) throw new Error(`two models produce the table ${m.name}`);
    names.add(m.name);
  }
  return models;
}

/** Models in an order where every model comes after the models it reads. */
export function orderModels(models: Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: Model[] = [];
  const visit = (m: Model) => {
    if (done.has(m.name)) return;
    if (visiting.has(m.name)) throw new Error(`models read each other in a cycle through ${m.name}`);
    visiting.add(m.name);
    for (const r of m.reads) {
      const dep = byName.get(r);
      if (dep) visit(dep);
    }
    visiting.delete(m.name);
    done.add(m.name);
    out.push(m);
  };
  for (const m of [...models].sort(
    (a, b) => STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage) || a.name.localeCompare(b.name),
  )) {
    visit(m);
  }
  return out;
}

export { renderSql } from './templates.js';
