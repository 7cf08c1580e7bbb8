// Schema migrations: numbered .sql files written once for both engines, applied in order inside a
// transaction each, recorded with a checksum so that an edited, already-applied migration is caught.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR } from '../paths.js';
import type { Db, EngineKind } from './types.js';

export interface Migration {
  version: number;
  /** An engine-only migration (file `NNN_name.postgres.sql`), or undefined for both. */
  engine?: EngineKind;
  name: string;
  sql: string;
  checksum: string;
}

const FILE = /^(\d{3})_([a-z0-9_]+)(?:\.(duckdb|postgres))?\.sql$/;

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((f) => {
      const [, version, name, engine] = FILE.exec(f) as RegExpExecArray;
      const sql = readFileSync(join(dir, f), 'utf8');
      return {
        version: Number(version),
        engine: engine as EngineKind | undefined,
        name: name as string,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** Apply every pending migration; returns the versions applied now. */
export async function migrate(db: Db, migrations = listMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`);
  const applied: number[] = [];
  for (const m of migrations.filter((x) => !x.engine || x.engine === db.kind)) {
    const done = await db.transaction(async (tx) => {
      const lock = tx.dialect.exclusiveLock('migrate');
      if (lock) await tx.exec(lock);
      const rows = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [m.version],
      );
      if (rows[0]) {
        if (rows[0].checksum !== m.checksum) {
          throw new Error(
            `migration ${m.version} (${m.name}) was changed after it was applied: add a new migration instead`,
          );
        }
        return false;
      }
      await tx.exec(m.sql.replaceAll('{{schema}}', tx.dialect.defaultSchema));
      await tx.execute(
        'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)',
        [m.version, m.name, m.checksum, new Date().toISOString().replace('T', ' ').replace('Z', '')],
      );
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}
