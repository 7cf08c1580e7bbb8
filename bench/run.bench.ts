// Daily-run benchmark (ARCHITECTURE.md performance budget): a bank generated as of D is split into the
// drop of D − 1 and the drop of D (bench/daily-drops.ts). The database is brought to D − 1 (load +
// run, not the measured part); then the daily run is measured — `wangji load` of D's drop and `wangji
// run --as-of D` (every model, publish) — beside the expert baseline: bench/baseline.sql, one
// hand-written DuckDB script computing the same tables from the raw extract tables, from scratch.
// Each step runs in its own process (wall time, peak RSS).
//   npx tsx bench/run.bench.ts [--customers 100000] [--engines duckdb,postgres] [--lean-disk]
//                              [--phase all|setup|measure]
// --phase setup brings the databases to D − 1 and keeps them (bench/out/run-<customers>.duckdb, the
// PostgreSQL database wangji_bench_run_<customers>); --phase measure then measures on them. The set-up
// is long at 5 M and not measured, so it can run while the machine is busy with other work, and the
// measured steps later on a quiet machine.
// Writes bench/out/run-<customers>.json and prints a Markdown table for docs/performance.md.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadSeasonConfig, PHASES } from '../src/config/season.js';
import { addDays } from '../src/domain/dates.js';
import { KPI_IDS } from '../src/kpis/catalogue.js';
import { splitDailyDrops } from './daily-drops.js';
import { ensureBank, measure, type Step } from './measure.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    engines: { type: 'string', default: 'duckdb,postgres' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'as-of': { type: 'string', default: '2027-01-20' },
    // At 5 M the bank (≈ 20 GB of CSV) and its two drops (≈ 22 GB) do not both fit beside the
    // database and the baseline's copy on the 67 GB this machine has free: once the drops are split,
    // keep only what the bench still reads (manifest.json, staff.csv).
    'lean-disk': { type: 'boolean', default: false },
    phase: { type: 'string', default: 'all' },
  },
});
const phase = String(values.phase);
if (!['all', 'setup', 'measure'].includes(phase)) throw new Error(`--phase all|setup|measure, not ${phase}`);
const customers = Number(values.customers);
const D = String(values['as-of']);
const root = resolve(import.meta.dirname, '..');
const out = join(root, 'bench', 'out');
const bank = join(out, `bank-${customers}`);
const drops = join(out, `daily-${customers}`);
mkdirSync(out, { recursive: true });

const node = process.execPath;
const wangji = join(root, 'bin', 'wangji.js');
ensureBank(customers, D, bank);
if (!existsSync(join(drops, 'day1', 'manifest.json'))) await splitDailyDrops(bank, drops);
if (values['lean-disk'])
  for (const f of readdirSync(bank))
    if (f !== 'manifest.json' && f !== 'staff.csv') rmSync(join(bank, f), { recursive: true, force: true });
// The season file of the runs: the default one with targets, so that the KPI stage tracks the periods
// a bank would (every KPI for every outlet over the season, branches per phase, gen-3 cards per
// quarter) and publishes staff rows (every staff member's new customers and gen-3 cards).
const seasonFile = join(out, 'season-with-targets.yaml');
writeFileSync(seasonFile, stringify(benchSeason(bank)));
const day0 = join(drops, 'day0');
const day1 = join(drops, 'day1');

interface EngineResult {
  engine: string;
  steps: Step[];
  stages: Record<string, number>;
  models: { model: string; stage: string; seconds: number; rows: number }[];
}
const results: EngineResult[] = [];
const engines = String(values.engines).split(',');

function setup(engine: string, db: string): void {
  measure(`${engine}: load D − 1 (setup)`, [node, wangji, 'load', day0, '--db', db, '--json']);
  measure(`${engine}: run D − 1 (setup)`, [
    node,
    wangji,
    'run',
    '--as-of',
    addDays(D, -1),
    '--db',
    db,
    '--json',
    '--config',
    seasonFile,
  ]);
}

function daily(engine: string, db: string): EngineResult {
  const steps: Step[] = [];
  const cfg = ['--config', seasonFile];
  steps.push(measure(`${engine}: load D's drop`, [node, wangji, 'load', day1, '--db', db, '--json']));
  const run = measure(`${engine}: run --as-of D`, [
    node,
    wangji,
    'run',
    '--as-of',
    D,
    '--db',
    db,
    '--json',
    ...cfg,
  ]);
  steps.push(run);
  const report = JSON.parse(run.stdout) as { status: string; models: EngineResult['models'] };
  if (report.status !== 'PUBLISHED') throw new Error(`${engine}: the run did not publish`);
  // The same date again with --full: completed months recomputed instead of taken from the cache.
  steps.push(
    measure(`${engine}: run --as-of D --full`, [
      node,
      wangji,
      'run',
      '--as-of',
      D,
      '--full',
      '--db',
      db,
      '--json',
      ...cfg,
    ]),
  );
  const stages: Record<string, number> = {};
  for (const m of report.models) stages[m.stage] = (stages[m.stage] ?? 0) + m.seconds;
  return { engine, steps, stages, models: report.models };
}

let baseline: Step | null = null;
let mismatches: Record<string, number> = {};
if (engines.includes('duckdb')) {
  const db = join(out, `run-${customers}.duckdb`);
  if (phase !== 'measure') {
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
    setup('DuckDB', db);
  } else if (!existsSync(db)) throw new Error(`${db} is not there: run --phase setup first`);
}
if (engines.includes('duckdb') && phase !== 'setup') {
  const db = join(out, `run-${customers}.duckdb`);
  const r = daily('DuckDB', db);
  results.push(r);
  // The baseline works on a copy of the loaded database, so that it reads exactly the same raw tables.
  const copy = join(out, `baseline-${customers}.duckdb`);
  copyFileSync(db, copy);
  const script = measure('DuckDB expert baseline script', [
    node,
    '--import',
    'tsx',
    join(root, 'bench', 'baseline.ts'),
    copy,
    D,
  ]);
  rmSync(copy, { force: true });
  // The script's own time (its process also compares the tables afterwards).
  const printed = JSON.parse(script.stdout) as { seconds: number; mismatches: Record<string, number> };
  baseline = { ...script, seconds: printed.seconds };
  mismatches = printed.mismatches;
}
if (engines.includes('postgres')) {
  const admin = new URL(String(values.pg));
  const name = `wangji_bench_run_${customers}`;
  const psql = (sql: string) =>
    spawnSync('psql', [
      '-h',
      admin.hostname,
      '-U',
      admin.username || 'postgres',
      '-d',
      'postgres',
      '-qc',
      sql,
    ]);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (phase !== 'measure') {
    psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    psql(`CREATE DATABASE ${name}`);
  }
  // Kept after the set-up for the measured phase; dropped once measured, or when the set-up failed.
  const drop = () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  if (phase !== 'measure') {
    try {
      setup('PostgreSQL', url.toString());
    } catch (e) {
      drop();
      throw e;
    }
  }
  if (phase !== 'setup') {
    try {
      results.push(daily('PostgreSQL', url.toString()));
    } finally {
      drop();
    }
  }
}
if (phase === 'setup') {
  console.log(
    `set up at D − 1: measure with --phase measure --customers ${customers} --engines ${engines.join(',')}`,
  );
  process.exit(0);
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const vs = (x: Step) => (baseline ? `${(x.seconds / baseline.seconds).toFixed(2)}×` : '');
const lines = [
  `Daily run at ${customers.toLocaleString('en-US')} customers, D = ${D}. Machine: ${machine}.`,
  '',
  "| engine | load D's drop s | run s | daily total s | peak RSS MiB | run per stage s | run vs baseline | run --full s (MiB) | --full vs baseline |",
  '|---|---:|---:|---:|---:|---|---:|---:|---:|',
  ...results.map((r) => {
    const [load, run, full] = r.steps as [Step, Step, Step];
    const total = load.seconds + run.seconds;
    const stages = Object.entries(r.stages)
      .map(([s, t]) => `${s} ${t.toFixed(1)}`)
      .join(', ');
    return `| ${r.engine} | ${load.seconds.toFixed(1)} | ${run.seconds.toFixed(1)} | ${total.toFixed(1)} | ${Math.max(load.peakRssMiB, run.peakRssMiB)} | ${stages} | ${vs(run)} | ${full.seconds.toFixed(1)} (${full.peakRssMiB}) | ${vs(full)} |`;
  }),
  ...(baseline
    ? [
        `| DuckDB expert baseline script | | ${baseline.seconds.toFixed(1)} | | ${baseline.peakRssMiB} | | 1.00× | | |`,
      ]
    : []),
  '',
  `Baseline tables that differ from the published ones: ${
    Object.entries(mismatches)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${t} (${n} rows)`)
      .join(', ') || `none (${Object.keys(mismatches).length} tables compared)`
  }.`,
];
writeFileSync(
  join(out, `run-${customers}.json`),
  JSON.stringify({ customers, asOf: D, machine, results, baseline, mismatches }, null, 2),
);
console.log(lines.join('\n'));

function benchSeason(bankDir: string): Record<string, unknown> {
  const season = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
  const staffIds = readFileSync(join(bankDir, 'staff.csv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(',')[0] as string);
  const targets: Record<string, unknown>[] = [];
  for (const kpi of KPI_IDS) {
    targets.push({ kpi, level: 'OUTLET', period: 'SEASON', target: 100 });
    for (const period of PHASES) targets.push({ kpi, level: 'BRANCH', period, target: 1000 });
  }
  for (const period of ['Q4', 'Q1'])
    targets.push({ kpi: 'SSC_GEN3_ISSUED', level: 'OUTLET', period, target: 50 });
  for (const staff of staffIds)
    for (const kpi of ['NEW_CUSTOMERS', 'SSC_GEN3_ISSUED'])
      targets.push({ kpi, staff, period: 'SEASON', target: 10 });
  season.targets = targets;
  return season;
}
