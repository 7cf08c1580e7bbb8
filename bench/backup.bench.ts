// Backup and restore benchmark (issue #9, point 5): `wangji backup` of a database and `wangji restore`
// of that backup into a fresh one, each in its own process under /usr/bin/time (wall and CPU time, peak RSS),
// with the sizes of the database, the backup and the restored copy.
//   npx tsx bench/backup.bench.ts --db <file.duckdb | postgres://…/db> [--work DIR] [--keep]
// The source is only read — but `wangji backup` audits itself (one BACKUP entry in its audit log).
// The backup goes to DIR/backup (default a new folder under the system's temp folder), the restore to
// DIR/restored.duckdb or the database <name>_restored on the same server; both are removed afterwards
// unless --keep. Writes bench/out/backup-<database>.json and prints a Markdown table.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ROOT } from './measure.js';

interface Measured {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  stdout: string;
}

/** A command in its own process under /usr/bin/time: wall, CPU (user + system, every thread) and peak RSS. */
function measure(label: string, cmd: string[]): Measured {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M %U %S', ...cmd], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (res.status !== 0) throw new Error(`${label} failed (${res.status}):\n${res.stderr.slice(-2000)}`);
  const [kib, user, sys] = (res.stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
  const m = {
    seconds: Math.round(seconds * 10) / 10,
    cpuSeconds: Math.round(((user ?? 0) + (sys ?? 0)) * 10) / 10,
    peakRssMiB: Math.round((kib ?? 0) / 1024),
    stdout: res.stdout,
  };
  console.error(`${label}: ${m.seconds} s wall, ${m.cpuSeconds} s CPU, ${m.peakRssMiB} MiB`);
  return m;
}

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    work: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
if (!values.db) throw new Error('usage: npx tsx bench/backup.bench.ts --db <file.duckdb | postgres://…/db>');
const source = values.db;
const isPg = /^postgres(ql)?:\/\//i.test(source);
const work = resolve(values.work ?? mkdtempSync(join(tmpdir(), 'wangji-backup-bench-')));
mkdirSync(work, { recursive: true });
const backupDir = join(work, 'backup');
if (existsSync(backupDir)) throw new Error(`${backupDir} exists: give another --work`);

const sourceName = isPg ? new URL(source).pathname.slice(1) : basename(source).replace(/\.duckdb$/, '');
const restoredTarget = (() => {
  if (!isPg) return join(work, 'restored.duckdb');
  const u = new URL(source);
  u.pathname = `/${sourceName}_restored`;
  return u.toString();
})();

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(source);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function databaseBytes(target: string): Promise<number> {
  if (!isPg)
    return statSync(target).size + (existsSync(`${target}.wal`) ? statSync(`${target}.wal`).size : 0);
  const name = new URL(target).pathname.slice(1);
  return pgAdmin(async (c) => Number((await c.query('SELECT pg_database_size($1) AS n', [name])).rows[0].n));
}

const restoredName = isPg ? new URL(restoredTarget).pathname.slice(1) : '';
const dropRestored = async () => {
  if (isPg) await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${restoredName}" WITH (FORCE)`));
  else for (const f of [restoredTarget, `${restoredTarget}.wal`]) rmSync(f, { force: true });
};
await dropRestored();

const cli = [process.execPath, '--import', 'tsx', join(ROOT, 'test', 'run-cli.ts')];
const sourceBytes = await databaseBytes(source);
const backup = measure('backup', [...cli, 'backup', backupDir, '--db', source, '--json']);
const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as {
  totals: { tables: number; rows: number; bytes: number };
};
const restore = measure('restore', [...cli, 'restore', backupDir, '--db', restoredTarget, '--json']);
const restored = JSON.parse(restore.stdout) as { verified: number; tables: number };
if (restored.verified !== manifest.totals.tables)
  throw new Error(`restore verified ${restored.verified} of ${manifest.totals.tables} tables`);
const restoredBytes = await databaseBytes(restoredTarget);

const mib = (b: number) => Math.round(b / 1024 / 1024);
const result = {
  at: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
  engine: isPg ? 'postgres' : 'duckdb',
  source: isPg ? sourceName : resolve(source),
  tables: manifest.totals.tables,
  rows: manifest.totals.rows,
  sourceMiB: mib(sourceBytes),
  backupMiB: mib(manifest.totals.bytes),
  restoredMiB: mib(restoredBytes),
  backup: { seconds: backup.seconds, cpuSeconds: backup.cpuSeconds, peakRssMiB: backup.peakRssMiB },
  restore: { seconds: restore.seconds, cpuSeconds: restore.cpuSeconds, peakRssMiB: restore.peakRssMiB },
};
mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
const file = join(ROOT, 'bench', 'out', `backup-${result.engine}-${sourceName}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `\n${result.engine} ${result.source}: ${result.tables} tables, ${result.rows.toLocaleString('en-US')} rows`,
);
console.log('| step | wall | CPU | peak RSS | size |');
console.log('|---|---:|---:|---:|---:|');
console.log(`| database | | | | ${result.sourceMiB} MiB |`);
for (const [step, m, size] of [
  ['backup', result.backup, result.backupMiB],
  ['restore (verified)', result.restore, result.restoredMiB],
] as const)
  console.log(`| ${step} | ${m.seconds} s | ${m.cpuSeconds} s | ${m.peakRssMiB} MiB | ${size} MiB |`);
console.log(`\n${file}`);
if (!values.keep) {
  rmSync(backupDir, { recursive: true, force: true });
  await dropRestored();
  if (!values.work) rmSync(work, { recursive: true, force: true });
}
