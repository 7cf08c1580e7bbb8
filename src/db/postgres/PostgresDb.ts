// PostgreSQL engine: the shared deployment. Quirks handled here: int8 and numeric arrive as text
// (kept exact), DATE is kept as its text (never a local-midnight Date), COPY does bulk work, and
// files are parsed by an in-memory DuckDB so both engines read extracts identically.
// Faults (src/db/faults.ts): a full disk or a lost connection is thrown as a DbFault in words; a
// connection that drops while checked out for several statements (a transaction, a stream, a COPY)
// fails those statements and is discarded — it never crashes the process; a read outside a
// transaction whose connection was lost is retried once on a fresh one (a write is not: whether it
// committed cannot be known, so it fails and its caller decides).

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
import { classifyFault, DbFault, dbFault } from '../faults.js';
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
    const run = () => this.runner.query({ text: sql, values: params, types: typeParsers });
    try {
      return (await run()).rows as T[];
    } catch (e) {
      // A connection the server dropped while idle in the pool (a restart, pg_terminate_backend)
      // fails the next statement sent on it before the pool has noticed: a read is safely sent again.
      if (this.inTransaction || !isRead(sql) || classifyFault(e, 'postgres') !== 'connection-lost')
        throw this.fault(e);
      try {
        return (await run()).rows as T[];
      } catch (again) {
        throw this.fault(again);
      }
    }
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<number> {
    try {
      const res = await this.runner.query({ text: sql, values: params, types: typeParsers });
      return res.rowCount ?? 0;
    } catch (e) {
      throw this.fault(e);
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.runner.query(sql);
    } catch (e) {
      throw this.fault(e);
    }
  }

  /** A resource fault in words; on a transaction's dropped connection, the server's own reason. */
  private fault(e: unknown): unknown {
    return pgFault(e, this.inTransaction ? (this.runner as pg.PoolClient) : undefined);
  }

  /** The transaction's client, or a pool client checked out (with its error listener) for several statements. */
  private async client(): Promise<Checkout> {
    if (this.inTransaction) return { client: this.runner as pg.PoolClient, release: () => undefined };
    return checkout(this.runner as pg.Pool);
  }

  async *stream<T extends Row = Row>(
    sql: string,
    params: SqlValue[] = [],
    batchSize = 10_000,
  ): AsyncIterable<T[]> {
    const { client, release } = await this.client();
    const cursor = client.query(new Cursor(sql, params, { types: typeParsers }));
    let failed = false;
    try {
      for (;;) {
        let rows: Row[];
        try {
          rows = await cursor.read(batchSize);
        } catch (e) {
          failed = true;
          throw pgFault(e, client);
        }
        if (rows.length === 0) break;
        yield rows as T[];
      }
    } finally {
      // A failed cursor is not closed: on a lost connection its close would wait for ever.
      if (!failed) await cursor.close();
      release(failed);
    }
  }

  async bulkLoad(table: string, columns: string[], csvFile: string): Promise<number> {
    const { client, release } = await this.client();
    let failed = false;
    try {
      const copy = client.query(
        copyFrom(`COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN (FORMAT csv)`),
      );
      await pipeline(createReadStream(csvFile), copy);
      return Number(copy.rowCount ?? 0);
    } catch (e) {
      failed = true;
      throw pgFault(e, client);
    } finally {
      release(failed);
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
    } catch (e) {
      throw dbFault(e, 'duckdb'); // the file reader's temp copy can meet a full disk too
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async dropStaged(table: string): Promise<void> {
    await this.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.inTransaction) throw new Error('nested transactions are not supported');
    const { client, release } = await checkout(this.runner as pg.Pool);
    let broken = false;
    try {
      await client.query('BEGIN');
      const out = await fn(new PgSession(this.location, client, this.shared, true));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw pgFault(e, client);
    } finally {
      release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.shared.close();
  }
}

interface Checkout {
  client: pg.PoolClient;
  /** Back to the pool; a client whose connection failed (or `discard`) is ended instead. */
  release(discard?: boolean): void;
}

/**
 * A pool client for several statements. The pool listens for errors only on its idle clients: a
 * checked-out one whose connection drops between two statements (while the loader parses a file, say)
 * would emit 'error' with no listener and end the process. Here the error is kept, the next statement
 * fails with it, and the client is discarded when released.
 */
async function checkout(pool: pg.Pool): Promise<Checkout> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw dbFault(e, 'postgres');
  }
  let lost: Error | undefined;
  const onError = (e: Error) => {
    lost ??= e; // the first: the server's reason, not the socket's end after it
    if (!lostConnection.has(client)) lostConnection.set(client, e);
  };
  client.on('error', onError);
  return {
    client,
    release(discard = false) {
      client.removeListener('error', onError);
      client.release(lost ?? (discard ? new Error('discarded after a failure') : undefined));
    },
  };
}

/** Why the connection of a checked-out client dropped (the server's words), kept by checkout(). */
const lostConnection = new WeakMap<pg.PoolClient, Error>();

/**
 * A fault in words. Statements sent after a connection dropped fail with pg's "not queryable": the
 * reason the connection dropped ("terminating connection due to administrator command") is said instead.
 */
function pgFault(e: unknown, client?: pg.PoolClient): unknown {
  if (e instanceof DbFault) return e; // said already, maybe with what it stopped
  const lost = client ? lostConnection.get(client) : undefined;
  return dbFault(lost && classifyFault(e, 'postgres') === 'connection-lost' ? lost : e, 'postgres');
}

/** A statement that only reads: safe to send again when its connection was lost. */
function isRead(sql: string): boolean {
  return (
    /^\s*(SELECT|WITH|SHOW|VALUES|TABLE)\b/i.test(sql) &&
    !/\b(INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|TRUNCATE|GRANT|COPY|CALL|nextval|setval|pg_advisory\w*|set_config|FOR\s+UPDATE)\b/i.test(
      sql,
    )
  );
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
    // An idle client whose connection drops (a server restart, pg_terminate_backend) is removed from
    // the pool, which emits 'error': without this listener that would end the process.
    pool.on('error', () => undefined);
    const db = new PgSession(redact(url), pool, new PgResources(pool), false);
    try {
      await pool.query('SELECT 1'); // fail early with the server's own message
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
