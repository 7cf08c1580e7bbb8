// `wangji restore IN --db TARGET`: a backup folder (src/backup/manifest.ts) made into a database again.
// Refused before anything is touched: a backup of the other engine, of a newer schema than this code
// knows (or whose migrations differ from this code's), a file that is missing or whose SHA-256 differs
// from the manifest's, a target that holds data (unless force). Then, in a database nobody sees until
// the end (src/backup/engine.ts): the backup's own migrations, the definitions of the tables the
// pipeline made, every table's rows, the sequences at their next values, the grants, and the check —
// every table's checksum over every column equal to the manifest's, or the restore fails naming the
// tables that differ and the target stays as it was. Then the migrations this code has beyond the
// backup's are applied, and the restore is audited (RESTORE) in the restored database's own log.

import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { appendAudit } from '../audit/log.js';
import { tableChecksum } from '../db/checksum.js';
import { listMigrations, migrate } from '../db/migrate.js';
import { type DbTarget, openDb } from '../db/open.js';
import { mib } from './backup.js';
import { RestoreRefused } from './common.js';
import { backupEngine } from './engine.js';
import { type BackupManifest, BackupUnusable, type ColumnDef, fileDigest, readManifest } from './manifest.js';
import { redactUrl } from './postgres.js';

export interface RestoreOptions {
  /** Replace a target that holds data. */
  force?: boolean;
  /** Who restores (audit): `cli:<os user>`. */
  actor: string;
  onProgress?: (line: string) => void;
}

export interface TableDifference {
  table: string;
  backup: { rows: number; digest: string };
  restored: { rows: number; digest: string };
}

/** Restored, but a table's checksum differs from the backup's: nothing was kept. */
export class RestoreVerifyFailed extends Error {
  constructor(readonly differences: TableDifference[]) {
    super(
      `the restored tables differ from the backup, so nothing was restored: ${differences
        .map(
          (d) => `${d.table} (backup ${d.backup.rows} rows, restored ${d.restored.rows}; checksums differ)`,
        )
        .join(', ')}`,
    );
  }
}

export interface RestoreReport {
  from: string;
  target: string;
  engine: BackupManifest['engine'];
  /** When the backup's snapshot was taken. */
  createdAt: string;
  tables: number;
  rows: number;
  bytes: number;
  /** Tables whose checksum was checked against the manifest (every table). */
  verified: number;
  schemaVersion: number;
  /** Migrations applied after the restore (this code's, newer than the backup's). */
  upgraded: number[];
  seconds: number;
}

const sameColumns = (a: ColumnDef[], b: ColumnDef[]) =>
  a.length === b.length &&
  a.every((c, i) => c.name === b[i]?.name && c.type === b[i]?.type && c.nullable === b[i]?.nullable);

const columnList = (cs: ColumnDef[]) => cs.map((c) => `${c.name} ${c.type}`).join(', ');

/** The refusals that need no database: engine, schema, files. Returns the manifest. */
export async function checkBackup(
  dir: string,
  target: DbTarget,
  progress: (line: string) => void = () => undefined,
): Promise<BackupManifest> {
  const m = readManifest(dir);
  if (m.engine !== target.kind)
    throw new RestoreRefused(
      `${dir} is a ${m.engine} backup: it restores into ${m.engine === 'duckdb' ? 'a DuckDB file' : 'a postgres:// database'} only`,
    );
  const known = new Map(
    listMigrations()
      .filter((x) => !x.engine || x.engine === target.kind)
      .map((x) => [x.version, x]),
  );
  const newest = Math.max(0, ...known.keys());
  const unknown = m.schema.migrations.filter((x) => !known.has(x.version));
  if (unknown.length)
    throw new RestoreRefused(
      `the backup's schema is newer than this Wangji knows: it has migration ${unknown
        .map((x) => `${x.version} (${x.name})`)
        .join(', ')}, this Wangji ${newest} at most — restore it with Wangji ${m.wangjiVersion} or later`,
    );
  const changed = m.schema.migrations.filter((x) => known.get(x.version)?.checksum !== x.checksum);
  if (changed.length)
    throw new RestoreRefused(
      `the backup's migration ${changed.map((x) => `${x.version} (${x.name})`).join(', ')} differs from this Wangji's: restore it with Wangji ${m.wangjiVersion}`,
    );
  progress(`checking ${m.tables.length} files (${mib(m.totals.bytes)}) against the manifest`);
  for (const t of m.tables) {
    const file = join(dir, t.file);
    if (!existsSync(file)) throw new BackupUnusable(`${dir} is incomplete: ${t.file} is missing`);
    const d = await fileDigest(file);
    if (d.bytes !== t.bytes || d.sha256 !== t.sha256)
      throw new BackupUnusable(
        `${dir} is corrupt: ${t.file} ${d.bytes !== t.bytes ? `has ${d.bytes} bytes, the manifest says ${t.bytes}` : 'has another SHA-256 than the manifest says'}`,
      );
  }
  return m;
}

export async function restoreDatabase(
  target: DbTarget,
  dir: string,
  o: RestoreOptions,
): Promise<RestoreReport> {
  const t0 = Date.now();
  const progress = o.onProgress ?? (() => undefined);
  const from = resolve(dir);
  const m = await checkBackup(from, target, progress);
  const shown = target.kind === 'duckdb' ? resolve(target.location) : redactUrl(target.location);
  progress(
    `restoring the ${m.engine} backup of ${m.source} taken at ${m.createdAt} (schema ${m.schema.version}) into ${shown}`,
  );
  const versions = new Set(m.schema.migrations.map((x) => x.version));
  const migrations = listMigrations().filter((x) => versions.has(x.version));
  await backupEngine(target.kind).restoreInto(target, { force: o.force ?? false, progress }, async (s) => {
    await migrate(s.db, migrations);
    progress(`schema: ${migrations.length} migrations applied (up to ${m.schema.version})`);
    // The ledger of migrations comes from the backup, with the times they were first applied.
    await s.db.exec('DELETE FROM schema_migrations');
    for (const [i, t] of m.tables.entries()) {
      const t1 = Date.now();
      const have = await s.columns(t.name);
      if (have.length === 0) await s.db.exec(t.ddl);
      else if (!sameColumns(have, t.columns))
        throw new RestoreRefused(
          `table ${t.name}: the backup has the columns (${columnList(t.columns)}), its schema's migrations make (${columnList(have)})`,
        );
      if (t.rows >= 1_000_000)
        progress(`[${i + 1}/${m.tables.length}] ${t.name}: loading ${t.rows.toLocaleString('en-US')} rows…`);
      // An empty table has nothing to load (its file holds none); its checksum is verified all the same.
      const rows = t.rows === 0 ? 0 : await s.load(t, join(from, t.file));
      progress(
        `[${i + 1}/${m.tables.length}] ${t.name}: ${rows.toLocaleString('en-US')} rows (${((Date.now() - t1) / 1000).toFixed(1)}s)`,
      );
    }
    for (const q of m.sequences) await s.setSequence(q);
    for (const t of m.tables) {
      const missing = await s.grant(t);
      if (missing.length)
        progress(`warning: ${t.name}: not granted to ${missing.join(', ')} (no such role on this server)`);
    }
    progress(`verifying: the checksums of ${m.tables.length} tables`);
    const differences: TableDifference[] = [];
    for (const t of m.tables) {
      const c = await tableChecksum(s.db, t.name, { ignore: [] });
      if (c.rows !== t.rows || c.digest !== t.digest)
        differences.push({
          table: t.name,
          backup: { rows: t.rows, digest: t.digest },
          restored: { rows: c.rows, digest: c.digest },
        });
    }
    if (differences.length) throw new RestoreVerifyFailed(differences);
    progress(`verified: every table equals the backup (${m.totals.rows.toLocaleString('en-US')} rows)`);
  });
  // Now the database is the backup's: bring its schema up to this code's, and audit the restore.
  const db = await openDb(target, { migrate: false });
  let upgraded: number[];
  try {
    upgraded = await migrate(db);
    if (upgraded.length) progress(`schema upgraded: migrations ${upgraded.join(', ')} applied`);
    await appendAudit(db, {
      actor: o.actor,
      action: 'RESTORE',
      subject: `backup:${basename(from)}`,
      detail: {
        dir: from,
        source: m.source,
        created_at: m.createdAt,
        schema_version: m.schema.version,
        upgraded,
        tables: m.totals.tables,
        rows: m.totals.rows,
      },
    });
  } finally {
    await db.close();
  }
  const seconds = (Date.now() - t0) / 1000;
  progress(`restored in ${seconds.toFixed(1)}s`);
  return {
    from,
    target: shown,
    engine: m.engine,
    createdAt: m.createdAt,
    tables: m.totals.tables,
    rows: m.totals.rows,
    bytes: m.totals.bytes,
    verified: m.tables.length,
    schemaVersion: m.schema.version,
    upgraded,
    seconds,
  };
}
