// PostgreSQL engine: the shared deployment. Quirks handled here: int8 and numeric arrive as text
// (kept exact), DATE is kept as its text (never a local-midnight Date), COPY does bulk work, and
// files are parsed by an in-memory DuckDB so both engines read extracts identically.

import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import Cursor from 'pg-cursor';
import { postgresDialect, quoteIdent, quoteString } from '../dialect.js';
import { rawTableOf, stageWithDuckDb } from '../duckdb/stage.js';
import { exactInteger, isoTimestamp } from '../normalize.js';
import type { Db, Row, SqlValue, StageRequest, StageResult } from '../types.js';

const OID = { INT8: 20, DATE: 1082, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, NUMERIC: 1700 } as const;

const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    switch (oid) {
      case OID.INT8:
        return (s: string) => exactInteger(s);
      case OID.DATE:
      case OID.NUMERIC:
        return (s: string) => s;
      case OID.TIMESTAMP:
        return (s: string) => isoTimestamp(s);
      case OID.TIMESTAMPTZ:
        return (s: string) => new Date(s).toISOString();
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
};

/** Runs statements on the pool (autocommit) or on one client (inside a transaction). */
class PgSession implements Db {
  readonly kind = 'postgres' as const;
  readonly dialect = postgresDialect;

  constructor(
    readonly location: string,
    private readonly runner: pg.Pool | pg.PoolClient,
    private readonly shared: PgResources,
    private readonly inTransaction: boolean,
  ) {}

  async query<T extends Row = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    const res = await this.runner.query({ text: sql, values: params, types: typeParsers });
    return res.rows as T[];
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<number> {
    const res = await this.runner.query({ text: sql, values: params, types: typeParsers });
    return res.rowCount ?? 0;
  }

  async exec(sql: string): Promise<void> {
    await this.runner.query(sql);
  }

  async *stream<T extends Row = Row>(
    sql: string,
    params: SqlValue[] = [],
    batchSize = 10_000,
  ): AsyncIterable<T[]> {
    const client = this.inTransaction
      ? (this.runner as pg.PoolClient)
      : await (this.runner as pg.Pool).connect();
    const cursor = client.query(new Cursor(sql, params, { types: typeParsers }));
    try {
      for (;;) {
        const rows = await cursor.read(batchSize);
        if (rows.length === 0) break;
        yield rows as T[];
      }
    } finally {
      await cursor.close();
      if (!this.inTransaction) (client as pg.PoolClient).release();
    }
  }

  async bulkLoad(table: string, columns: string[], csvFile: string): Promise<number> {
    const client = this.inTransaction
      ? (this.runner as pg.PoolClient)
      : await (this.runner as pg.Pool).connect();
    try {
      const copy = client.query(
        copyFrom(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN (FORMAT csv)`),
      );
      await pipeline(createReadStream(csvFile), copy);
      return Number(copy.rowCount ?? 0);
    } finally {
      if (!this.inTransaction) (client as pg.PoolClient).release();
    }
  }

  async stageFile(req: StageRequest): Promise<StageResult> {
    if (!this.inTransaction)
      throw new Error('stageFile needs a transaction: temporary tables live on one connection');
    const helper = await this.shared.fileReader();
    const dir = await mkdtemp(join(tmpdir(), 'wangji-stage-'));
    try {
      const result = await stageWithDuckDb(helper, req, 'raw');
      const csv = join(dir, 'stage.csv');
      const staged = [...req.select, ...req.derived].map((s) => s.name);
      const names = staged.map(quoteIdent).join(', ');
      await helper.run(
        `COPY (SELECT rowid - ${BigInt(result.firstRowId)} + 1 AS _seq, ${names} FROM ${quoteIdent(rawTableOf(req.table))}) TO ${quoteString(csv)} (FORMAT csv, HEADER false)`,
      );
      await helper.run(`DROP TABLE ${quoteIdent(rawTableOf(req.table))}`);
      const cols = staged.map((n) => `${quoteIdent(n)} VARCHAR`).join(', ');
      await this.exec(`DROP TABLE IF EXISTS ${quoteIdent(req.table)}`);
      await this.exec(`CREATE TEMP TABLE ${quoteIdent(req.table)} (_seq BIGINT, ${cols})`);
      await this.bulkLoad(req.table, ['_seq', ...staged], csv);
      await this.exec(`ANALYZE ${quoteIdent(req.table)}`);
      return result;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async dropStaged(table: string): Promise<void> {
    await this.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    const client = await (this.runner as pg.Pool).connect();
    try {
      await client.query('BEGIN');
      const out = await fn(new PgSession(this.location, client, this.shared, true));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.shared.close();
  }
}

/** What every session of one PostgreSQL database shares: the pool and the file reader. */
class PgResources {
  private readerConn: Promise<DuckDBConnection> | null = null;
  private closed = false;
  constructor(readonly pool: pg.Pool) {}

  /** The in-memory DuckDB used to parse extract files (no database file, no persistence). */
  fileReader(): Promise<DuckDBConnection> {
    this.readerConn ??= DuckDBInstance.create(':memory:').then((i) => i.connect());
    return this.readerConn;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.readerConn) (await this.readerConn).closeSync();
    await this.pool.end();
  }
}

export const PostgresDb = {
  async open(url: string, options: { readOnly?: boolean } = {}): Promise<Db> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 4,
      // No JIT: on this class of machine compiling a pipeline query's plan took 3–5 s (measured on a
      // 336-row KPI insert), longer than running it. A read-only console refuses writes at the server.
      options: `-c jit=off${options.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
    });
    pool.on('error', () => undefined); // idle-client errors surface on the next query instead
    const db = new PgSession(redact(url), pool, new PgResources(pool), false);
    try {
      await db.query('SELECT 1'); // fail early with the server's own message
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw e;
    }
    return db;
  },
};

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
