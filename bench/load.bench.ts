// Load benchmark: `wangji load` on DuckDB and PostgreSQL beside DuckDB's bare read_csv of the same
// files (CREATE TABLE AS SELECT * FROM read_csv, typed by its sniffer, then CHECKPOINT) and a bare
// PostgreSQL COPY into text tables. Each measurement runs in its own process (wall time, peak RSS).
//   npx tsx bench/load.bench.ts [--customers 100000] [--engines duckdb,postgres] [--pg postgres://…]
// Writes bench/out/load-<customers>.json and prints a Markdown table for docs/performance.md.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBank, measure, type Step } from './measure.js';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    engines: { type: 'string', default: 'duckdb,postgres' },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const customers = Number(values.customers);
const root = resolve(import.meta.dirname, '..');
const out = join(root, 'bench', 'out');
const sample = join(out, `sample-${customers}`);
mkdirSync(out, { recursive: true });

type Run = Omit<Step, 'stdout'>;

const node = process.execPath;
const wangji = join(root, 'bin', 'wangji.js');
ensureBank(customers, '2026-11-28', sample);
const files = readdirSync(sample).filter((f) => f.endsWith('.csv'));
const bytes = files.reduce((a, f) => a + statSync(join(sample, f)).size, 0);
const rowsOut = spawnSync(
  node,
  [
    '-e',
    `const m=require(${JSON.stringify(join(sample, 'manifest.json'))});console.log(Object.values(m.files).reduce((a,f)=>a+f.rows,0))`,
  ],
  { encoding: 'utf8' },
);
const rows = Number(rowsOut.stdout.trim());

const runs: Run[] = [];
const engines = String(values.engines).split(',');

// DuckDB bare read_csv, same files, a fresh database file.
const bareDb = join(out, 'bare.duckdb');
rmSync(bareDb, { force: true });
rmSync(`${bareDb}.wal`, { force: true });
const bareScript = `
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const i = await DuckDBInstance.create(${JSON.stringify(bareDb)}); const c = await i.connect();
  for (const f of ${JSON.stringify(files)}) await c.run("CREATE TABLE " + f.slice(0, -4) + " AS SELECT * FROM read_csv('" + ${JSON.stringify(sample)} + "/" + f + "')");
  await c.run('CHECKPOINT');`;
runs.push(measure('DuckDB bare read_csv', [node, '--input-type=module', '-e', bareScript]));

if (engines.includes('duckdb')) {
  const db = join(out, 'load.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  runs.push(measure('wangji load (DuckDB)', [node, wangji, 'load', sample, '--db', db, '--json']));
  runs.push(
    measure('wangji load again, unchanged (DuckDB)', [node, wangji, 'load', sample, '--db', db, '--json']),
  );
}

if (engines.includes('postgres')) {
  const admin = new URL(String(values.pg));
  const name = `wangji_bench_${process.pid}`;
  const psql = (sql: string, db = admin.pathname.slice(1)) =>
    spawnSync(
      'psql',
      [
        '-h',
        admin.hostname,
        '-p',
        admin.port || '5432',
        '-U',
        admin.username || 'postgres',
        '-d',
        db,
        '-qc',
        sql,
      ],
      { encoding: 'utf8' },
    );
  psql(`DROP DATABASE IF EXISTS ${name}`);
  psql(`CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  runs.push(
    measure('wangji load (PostgreSQL)', [node, wangji, 'load', sample, '--db', url.toString(), '--json']),
  );
  runs.push(
    measure('wangji load again, unchanged (PostgreSQL)', [
      node,
      wangji,
      'load',
      sample,
      '--db',
      url.toString(),
      '--json',
    ]),
  );
  // Bare COPY into text tables (no validation), for scale.
  const copyScript = files
    .map((f) => {
      const header = spawnSync('head', ['-1', join(sample, f)], { encoding: 'utf8' }).stdout.trim();
      const t = `bare_${f.slice(0, -4)}`;
      return `CREATE TABLE ${t} (${header
        .split(',')
        .map((c) => `${c} text`)
        .join(', ')}); \\copy ${t} FROM '${join(sample, f)}' WITH (FORMAT csv, HEADER true)`;
    })
    .join('\n');
  writeFileSync(join(out, 'copy.sql'), copyScript);
  runs.push(
    measure('PostgreSQL bare COPY (text columns)', [
      'psql',
      '-h',
      admin.hostname,
      '-U',
      admin.username || 'postgres',
      '-d',
      name,
      '-q',
      '-f',
      join(out, 'copy.sql'),
    ]),
  );
  psql(`DROP DATABASE IF EXISTS ${name}`);
}

const bare = runs[0] as Run;
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const table = [
  `Load of a sample bank of ${customers.toLocaleString('en-US')} customers: ${files.length} CSV files, ${rows.toLocaleString('en-US')} rows, ${(bytes / 2 ** 20).toFixed(0)} MiB. Machine: ${machine}.`,
  '',
  '| run | wall s | rows/s | vs bare read_csv | peak RSS MiB |',
  '|---|---:|---:|---:|---:|',
  ...runs.map(
    (r) =>
      `| ${r.label} | ${r.seconds.toFixed(1)} | ${Math.round(rows / r.seconds).toLocaleString('en-US')} | ${(bare.seconds / r.seconds).toFixed(2)}× | ${r.peakRssMiB} |`,
  ),
];
writeFileSync(
  join(out, `load-${customers}.json`),
  JSON.stringify({ customers, rows, bytes, machine, runs }, null, 2),
);
console.log(table.join('\n'));
