// `wangji backup` and the server's BACKUP job: the database at one point in time, written to a folder
// (src/backup/manifest.ts). Every table is dumped and checksummed inside one snapshot
// (src/backup/engine.ts), so a backup never holds half of a load or of a publish; on the server the job
// queue also keeps loads and runs from starting meanwhile. The folder is written under a hidden name
// and renamed into place once its manifest is written: a folder with a manifest is a whole backup.
// The backup is audited (BACKUP) after it ends — its own entry is not in it.

import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { appendAudit } from '../audit/log.js';
import { allTables, tableChecksum } from '../db/checksum.js';
import type { DbTarget } from '../db/open.js';
import type { Db } from '../db/types.js';
import { backupEngine } from './engine.js';
import {
  BACKUP_CONTENTS,
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  fileDigest,
  MANIFEST_FILE,
  TABLES_DIR,
  type TableEntry,
  WANGJI_VERSION,
} from './manifest.js';

export interface BackupOptions {
  /** The folder to write: it must not exist yet (or be empty). */
  out: string;
  onProgress?: (line: string) => void;
  now?: () => Date;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
  seconds: number;
}

/** A backup that cannot be written where asked (the folder exists …), said in words. */
export class BackupRefused extends Error {}

/** Check that `out` can receive a backup; returns its absolute path. */
export function backupFolder(out: string): string {
  const dir = resolve(out);
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new BackupRefused(`${dir} exists and is not empty: a backup goes to a new folder`);
  return dir;
}

/**
 * Back up the database `db` is open on (`target` names it: the PostgreSQL snapshot takes a connection
 * of its own) into the folder o.out.
 */
export async function backupDatabase(db: Db, target: DbTarget, o: BackupOptions): Promise<BackupResult> {
  if (db.kind !== target.kind) throw new Error(`the database is ${db.kind}, the target ${target.kind}`);
  const t0 = Date.now();
  const now = o.now ?? (() => new Date());
  const progress = o.onProgress ?? (() => undefined);
  const dir = backupFolder(o.out);
  const partial = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  // Only its owner may read it: it holds personal data and password hashes.
  mkdirSync(join(partial, TABLES_DIR), { recursive: true, mode: 0o700 });
  chmodSync(partial, 0o700);
  try {
    const engine = backupEngine(db.kind);
    const taken = await engine.snapshot(db, target, async (s) => {
      const createdAt = now().toISOString();
      progress(`snapshot of ${db.location} taken at ${createdAt}`);
      const migrations = (
        await s.db.query<{ version: number; name: string; checksum: string }>(
          'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
        )
      ).map((m) => ({ version: Number(m.version), name: String(m.name), checksum: String(m.checksum) }));
      const tables = await s.tables();
      const sequences = await s.sequences();
      const entries: Omit<TableEntry, 'bytes' | 'sha256'>[] = [];
      for (const [i, t] of tables.entries()) {
        if (!/^[A-Za-z0-9_]+$/.test(t.name))
          throw new BackupRefused(
            `table "${t.name}": a backup names its files after its tables (letters, digits, _)`,
          );
        const t1 = Date.now();
        const file = `${TABLES_DIR}/${t.name}${engine.extension}`;
        await s.dump(t, join(partial, file));
        const sum = await tableChecksum(s.db, t.name, { ignore: [] });
        entries.push({ ...t, file, rows: sum.rows, digest: sum.digest });
        progress(
          `[${i + 1}/${tables.length}] ${t.name}: ${sum.rows.toLocaleString('en-US')} rows (${((Date.now() - t1) / 1000).toFixed(1)}s)`,
        );
      }
      return { createdAt, migrations, sequences, entries };
    });
    // The files are hashed after the snapshot has ended: it is held no longer than the reads need.
    const tables: TableEntry[] = [];
    for (const e of taken.entries) {
      const path = join(partial, e.file);
      chmodSync(path, 0o600);
      tables.push({ ...e, ...(await fileDigest(path)) });
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      engine: db.kind,
      wangjiVersion: WANGJI_VERSION,
      createdAt: taken.createdAt,
      finishedAt: now().toISOString(),
      source: db.kind === 'duckdb' ? resolve(db.location) : db.location,
      schema: {
        version: Math.max(0, ...taken.migrations.map((m) => m.version)),
        migrations: taken.migrations,
      },
      sequences: taken.sequences,
      tables,
      totals: {
        tables: tables.length,
        rows: tables.reduce((n, t) => n + t.rows, 0),
        bytes: tables.reduce((n, t) => n + t.bytes, 0),
      },
      contents: BACKUP_CONTENTS,
    };
    writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    if (existsSync(dir)) rmdirSync(dir); // empty (backupFolder checked it)
    renameSync(partial, dir);
    const seconds = (Date.now() - t0) / 1000;
    progress(
      `backup written to ${dir}: ${tables.length} tables, ${manifest.totals.rows.toLocaleString('en-US')} rows, ${mib(manifest.totals.bytes)} (${seconds.toFixed(1)}s)`,
    );
    return { dir, manifest, seconds };
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export interface AuditedBackupOptions extends BackupOptions {
  /** Who asked: a username, `cli:<os user>`. */
  actor: string;
}

/** backupDatabase, audited as BACKUP (done or failed) once it has ended. */
export async function auditedBackup(
  db: Db,
  target: DbTarget,
  o: AuditedBackupOptions,
): Promise<BackupResult> {
  const subject = `backup:${basename(resolve(o.out))}`;
  // A database older than the audit log (migration 012) is backed up unaudited.
  const audited = (await allTables(db)).includes('audit_log');
  let result: BackupResult;
  try {
    result = await backupDatabase(db, target, o);
  } catch (e) {
    if (audited)
      await appendAudit(db, {
        actor: o.actor,
        action: 'BACKUP',
        subject,
        detail: {
          status: 'FAILED',
          dir: resolve(o.out),
          message: String((e as Error).message).split('\n')[0],
        },
      });
    throw e;
  }
  const m = result.manifest;
  if (audited)
    await appendAudit(db, {
      actor: o.actor,
      action: 'BACKUP',
      subject,
      detail: {
        status: 'DONE',
        dir: result.dir,
        engine: m.engine,
        created_at: m.createdAt,
        schema_version: m.schema.version,
        tables: m.totals.tables,
        rows: m.totals.rows,
        bytes: m.totals.bytes,
      },
    });
  return result;
}
