// Backup and restore on DuckDB. The snapshot is a read-only transaction on a connection of its own
// in the process that owns the file (the server, or the CLI when no server holds it): DuckDB's
// transactions see the database as it was when they began, and the server's shared connection goes on
// answering meanwhile (DuckDbDb.ownConnection). Tables are written as Parquet (zstd) by DuckDB itself;
// types Parquet would not keep exactly (HUGEINT becomes DOUBLE) are written as their text and cast
// back on restore. A restore builds a new file beside the target and renames it over the target only
// once every table has been loaded and verified: a failed restore leaves the target as it was.
// Sequences have no setval here: they are created again at their next value.

import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { allTables } from '../db/checksum.js';
import { duckDbDialect, quoteIdent, quoteString } from '../db/dialect.js';
import { DuckDbDb } from '../db/duckdb/DuckDbDb.js';
import { type DbTarget, openDb } from '../db/open.js';
import type { Db, Row, SqlValue } from '../db/types.js';
import { notEmpty, RestoreRefused, sessionDb, tablesWithRows } from './common.js';
import type { BackupEngine, RestoreSession, Snapshot } from './engine.js';
import { type ColumnDef, type SequenceDef, STAGING_TABLE, type TableDef } from './manifest.js';

/** Types Parquet stores exactly as DuckDB has them; any other column travels as its text. */
const PARQUET_EXACT =
  /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DATE|TIMESTAMP|VARCHAR|BLOB|DECIMAL\(\d+,\d+\))$/;

const MAIN = `database_name = current_database() AND schema_name = 'main'`;

async function columnsOf(db: Db, table: string | null): Promise<Map<string, ColumnDef[]>> {
  const rows = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: boolean;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns()
      WHERE ${MAIN} ${table === null ? '' : 'AND table_name = $1'} ORDER BY table_name, column_index`,
    table === null ? [] : [table],
  );
  const out = new Map<string, ColumnDef[]>();
  for (const r of rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ name: r.column_name, type: r.data_type, nullable: Boolean(r.is_nullable) });
    out.set(r.table_name, list);
  }
  return out;
}

/** The Db interface over a connection of the snapshot's own (what the checksums and the dumps need). */
function connectionDb(conn: DuckDBConnection, location: string): Db {
  return sessionDb({
    kind: 'duckdb',
    dialect: duckDbDialect,
    location,
    async query<T extends Row = Row>(sql: string, params: SqlValue[] = []) {
      return (await conn.runAndReadAll(sql, params as never[])).getRowObjectsJson() as T[];
    },
    async execute(sql: string, params: SqlValue[] = []) {
      return Number((await conn.run(sql, params as never[])).rowsChanged);
    },
    async exec(sql: string) {
      await conn.run(sql);
    },
  });
}

function snapshotOf(tx: Db): Snapshot {
  return {
    db: tx,
    async tables() {
      const tables = await tx.query<{ name: string; sql: string }>(
        `SELECT table_name AS name, sql FROM duckdb_tables() WHERE ${MAIN} AND NOT temporary ORDER BY table_name`,
      );
      const columns = await columnsOf(tx, null);
      return tables
        .filter((t) => !STAGING_TABLE.test(t.name))
        .map((t) => ({ name: t.name, columns: columns.get(t.name) ?? [], ddl: t.sql, grants: [] }));
    },
    async sequences() {
      const rows = await tx.query<{ name: string; sql: string }>(
        `SELECT sequence_name AS name, sql FROM duckdb_sequences() WHERE ${MAIN} AND NOT temporary ORDER BY sequence_name`,
      );
      // The statement names the sequence's next value as its START (what nextval hands out next).
      return rows.map((r) => {
        const start = /\bSTART\s+(?:WITH\s+)?(-?\d+)/i.exec(r.sql);
        if (!start) throw new Error(`cannot read the next value of sequence ${r.name} from: ${r.sql}`);
        return { name: r.name, next: start[1] as string, ddl: r.sql };
      });
    },
    async dump(table, file) {
      const select = table.columns
        .map((c) =>
          PARQUET_EXACT.test(c.type)
            ? quoteIdent(c.name)
            : `CAST(${quoteIdent(c.name)} AS VARCHAR) AS ${quoteIdent(c.name)}`,
        )
        .join(', ');
      await tx.exec(
        `COPY (SELECT ${select} FROM main.${quoteIdent(table.name)}) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    },
  };
}

function sessionOf(db: Db): RestoreSession {
  return {
    db,
    async columns(table) {
      return (await columnsOf(db, table)).get(table) ?? [];
    },
    async load(table: TableDef, file: string) {
      const names = table.columns.map((c) => quoteIdent(c.name)).join(', ');
      const values = table.columns
        .map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type}) AS ${quoteIdent(c.name)}`)
        .join(', ');
      return db.execute(
        `INSERT INTO main.${quoteIdent(table.name)} (${names}) SELECT ${values} FROM read_parquet(${quoteString(file)})`,
      );
    },
    async setSequence(s: SequenceDef) {
      if (!s.ddl) throw new Error(`sequence ${s.name}: the backup has no statement to create it`);
      await db.exec(`DROP SEQUENCE IF EXISTS ${quoteIdent(s.name)}; ${s.ddl}`);
    },
    async grant() {
      return []; // no roles on DuckDB
    },
  };
}

const inUse = (e: unknown) => /in use by another process|lock/i.test((e as Error)?.message ?? '');

export const duckDbBackup: BackupEngine = {
  extension: '.parquet',

  async snapshot(db, _target, fn) {
    if (!(db instanceof DuckDbDb))
      throw new Error('a DuckDB backup is taken through the DuckDB database itself');
    const conn = await db.ownConnection();
    try {
      await conn.run('BEGIN TRANSACTION READ ONLY');
      try {
        const out = await fn(snapshotOf(connectionDb(conn, db.location)));
        await conn.run('COMMIT');
        return out;
      } catch (e) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      conn.closeSync();
    }
  },

  async restoreInto(target: DbTarget, o, fn) {
    const path = resolve(target.location);
    if (existsSync(path)) {
      // Opened for writing, so that closing it checkpoints its WAL into the file: nothing of it is
      // left beside the file to be mistaken for the new one's.
      let existing: Db | null = null;
      try {
        existing = await openDb({ kind: 'duckdb', location: path }, { migrate: false });
      } catch (e) {
        if (inUse(e))
          throw new RestoreRefused(
            `the database ${path} is in use by another process (a running wangji serve?): stop it before restoring over it`,
          );
        if (!o.force)
          throw new RestoreRefused(
            `${path} exists and is no database this Wangji can open (${(e as Error).message.split('\n')[0]}): give --force to replace it`,
          );
      }
      if (existing)
        try {
          const full = await tablesWithRows(existing, await allTables(existing));
          if (full.length && !o.force) throw notEmpty(path, full);
        } finally {
          await existing.close();
        }
    }
    // Built beside the target (same filesystem: the rename is atomic), hidden by its name.
    const temp = join(dirname(path), `.${basename(path)}.restoring-${process.pid}`);
    const removeTemp = () => {
      for (const f of [temp, `${temp}.wal`]) rmSync(f, { force: true });
    };
    removeTemp();
    const db = await openDb({ kind: 'duckdb', location: temp }, { migrate: false });
    let out: Awaited<ReturnType<typeof fn>>;
    try {
      out = await fn(sessionOf(db));
      await db.exec('CHECKPOINT');
    } catch (e) {
      await db.close().catch(() => undefined);
      removeTemp();
      throw e;
    }
    await db.close();
    rmSync(`${path}.wal`, { force: true });
    renameSync(temp, path);
    o.progress(`replaced ${path}`);
    return out;
  },
};
