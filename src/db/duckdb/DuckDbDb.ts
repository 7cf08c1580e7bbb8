// DuckDB engine: an embedded file (default ./data/wangji.duckdb). One process owns a file; the
// connection is serialised through a promise chain so statements never interleave. A transaction is
// the connection's until it ends: statements from its own async context (AsyncLocalStorage) run in
// it; any other caller — another request of the server — waits until it commits or rolls back, so
// that nobody reads its uncommitted rows or writes into it, and transactions queue one after another.
// The server's request handlers read through reads(): plain SELECTs on read connections of their own
// (readers.ts), which see the last committed state and wait neither for this queue nor for a transaction.
// Quirks handled here: DECIMAL and BIGINT are read in their exact JSON forms; `rowid` gives the
// file order of a freshly created staging table, so staging costs no window function.
// A full disk (the database file, its WAL or the temp directory beside it) is thrown as a DbFault
// in words (src/db/faults.ts); a commit that fails leaves the database as it was before the transaction.

import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBResult, DuckDBTypeId } from '@duckdb/node-api';
import { duckDbDialect, quoteIdent } from '../dialect.js';
import { dbFault } from '../faults.js';
import { exactInteger, isoTimestamp } from '../normalize.js';
import type { Db, Row, SqlValue, StageRequest, StageResult } from '../types.js';
import { isPlainSelect, ReadConnections } from './readers.js';
import { rawTableOf, stageWithDuckDb } from './stage.js';

export interface DuckDbOptions {
  readOnly?: boolean;
  /** Forbid reading or writing files from SQL (read_csv, COPY … TO): the analysts' console. */
  noExternalAccess?: boolean;
  memoryLimit?: string;
  /** Read connections of reads() (default $WANGJI_DUCKDB_READERS or 2). */
  readers?: number;
}

export class DuckDbDb implements Db {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckDbDialect;
  private queue: Promise<unknown> = Promise.resolve();
  /** The open transaction: its token (the async context it runs in) and when it ends. */
  private open: { token: symbol; ended: Promise<void> } | null = null;
  private readonly context = new AsyncLocalStorage<symbol>();
  private readonly readers: ReadConnections;

  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readers: number,
  ) {
    this.readers = new ReadConnections(instance, readers);
  }

  static async open(path: string, options: DuckDbOptions = {}): Promise<DuckDbDb> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.noExternalAccess) config.enable_external_access = 'false';
    // Bounded so a whole bank's load stays within the 4 GiB budget (DuckDB spills to disk beyond it).
    config.memory_limit = options.memoryLimit ?? process.env.WANGJI_DUCKDB_MEMORY ?? '3GB';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new Error(
          `the database ${path} is in use by another process (DuckDB allows one writer per file): stop it or use that process`,
        );
      }
      throw e;
    }
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`).catch(() => undefined);
    const readers = Math.max(1, Number(options.readers ?? process.env.WANGJI_DUCKDB_READERS ?? 2) || 2);
    return new DuckDbDb(path, instance, conn, readers);
  }

  /** Wait while a transaction of another async context holds the connection. */
  private async outsideOthers(): Promise<void> {
    while (this.open && this.context.getStore() !== this.open.token) await this.open.ended;
  }

  /** Serialise every use of the single connection. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next.catch((e: unknown) => {
      throw dbFault(e, 'duckdb');
    });
  }

  async query<T extends Row = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    await this.outsideOthers();
    return this.serial(() => readAll<T>(this.conn, sql, params));
  }

  /**
   * This database for the server's request handlers: plain SELECTs on the read connections
   * (src/db/duckdb/readers.ts), everything else — and anything inside the caller's own transaction —
   * on the shared connection, as query() would.
   */
  reads(): Db {
    const read = async <T extends Row = Row>(sql: string, params: SqlValue[] = []): Promise<T[]> => {
      const own = this.open !== null && this.context.getStore() === this.open.token;
      if (own || !isPlainSelect(sql)) return this.query<T>(sql, params);
      return this.readers.use((c) => readAll<T>(c, sql, params));
    };
    return {
      kind: this.kind,
      dialect: this.dialect,
      location: this.location,
      query: read,
      execute: (sql, params) => this.execute(sql, params),
      exec: (sql) => this.exec(sql),
      stream: (sql, params, batchSize) => this.stream(sql, params, batchSize),
      bulkLoad: (table, columns, csvFile) => this.bulkLoad(table, columns, csvFile),
      stageFile: (req) => this.stageFile(req),
      dropStaged: (table) => this.dropStaged(table),
      transaction: (fn) => this.transaction(fn),
      close: () => this.close(),
    };
  }

  async execute(sql: string, params: SqlValue[] = []): Promise<number> {
    await this.outsideOthers();
    return this.serial(async () => {
      const result = await this.conn.run(sql, params as never[]);
      return Number(result.rowsChanged);
    });
  }

  async exec(sql: string): Promise<void> {
    await this.outsideOthers();
    await this.serial(() => this.conn.run(sql));
  }

  async *stream<T extends Row = Row>(
    sql: string,
    params: SqlValue[] = [],
    batchSize = 10_000,
  ): AsyncIterable<T[]> {
    // The streaming result holds the connection until it is read to the end or closed: a statement run
    // on the connection meanwhile ends it quietly (a server's PAD index got 4,096 of 200,000 ID numbers
    // while requests were answered, #9's soak). Other callers wait, as for a transaction; inside a
    // transaction the stream is the transaction's. Do not query the same Db while iterating: it waits.
    const own = this.open !== null && this.context.getStore() === this.open.token;
    let release: (() => void) | null = null;
    if (!own) {
      while (this.open) await this.open.ended;
      let end: () => void = () => {};
      const held = {
        token: Symbol('stream'),
        ended: new Promise<void>((resolve) => {
          end = resolve;
        }),
      };
      this.open = held;
      release = () => {
        if (this.open === held) this.open = null;
        end();
      };
    }
    try {
      yield* this.streamHeld<T>(sql, params, batchSize);
    } finally {
      release?.();
    }
  }

  /** stream() with the connection held. */
  private async *streamHeld<T extends Row>(
    sql: string,
    params: SqlValue[],
    batchSize: number,
  ): AsyncIterable<T[]> {
    const result: DuckDBResult = await this.serial(() => this.conn.stream(sql, params as never[]));
    const names = result.columnNames();
    const types = result.columnTypes().map((t) => t.typeId);
    let batch: T[] = [];
    const chunks = result.yieldRowObjectJson()[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<Record<string, unknown>[]>;
        try {
          next = (await chunks.next()) as IteratorResult<Record<string, unknown>[]>;
        } catch (e) {
          throw dbFault(e, 'duckdb'); // a result spilled to the temp directory can meet a full disk
        }
        if (next.done) break;
        for (const r of next.value) {
          batch.push(normaliseRow(r, names, types) as T);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await chunks.return?.(undefined);
    }
  }

  async bulkLoad(table: string, columns: string[], csvFile: string): Promise<number> {
    const cols = columns.map(quoteIdent).join(', ');
    const colTypes = columns.map((c) => `${quoteString(c)}: 'VARCHAR'`).join(', ');
    return this.execute(
      `INSERT INTO ${quoteIdent(table)} (${cols}) SELECT * FROM read_csv($1, header = false, auto_detect = false, columns = {${colTypes}})`,
      [csvFile],
    );
  }

  async stageFile(req: StageRequest): Promise<StageResult> {
    await this.outsideOthers();
    return this.serial(() => stageWithDuckDb(this.conn, req, 'view'));
  }

  async dropStaged(table: string): Promise<void> {
    await this.exec(
      `DROP VIEW IF EXISTS ${quoteIdent(table)}; DROP TABLE IF EXISTS ${quoteIdent(rawTableOf(table))}`,
    );
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.open && this.context.getStore() === this.open.token)
      throw new Error('nested transactions are not supported');
    // Checked and taken without an await in between: transactions queue one after another.
    while (this.open) await this.open.ended;
    const token = Symbol('transaction');
    let end: () => void = () => {};
    this.open = {
      token,
      ended: new Promise<void>((resolve) => {
        end = resolve;
      }),
    };
    try {
      return await this.context.run(token, async () => {
        await this.exec('BEGIN TRANSACTION');
        try {
          const out = await fn(this);
          await this.exec('COMMIT');
          return out;
        } catch (e) {
          await this.exec('ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
    } finally {
      this.open = null;
      end();
    }
  }

  /**
   * A connection of its own on this database, beside the shared one: what it reads in a transaction is
   * the database as it was when the transaction began, and the shared connection's callers never wait
   * for it (a backup's snapshot, src/backup/duckdb.ts). The caller closes it (closeSync) before close().
   */
  async ownConnection(): Promise<DuckDBConnection> {
    const conn = await this.instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`).catch(() => undefined);
    return conn;
  }

  async close(): Promise<void> {
    await this.readers.close();
    await this.queue;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

/** Every row of a statement, in Wangji's exact forms. */
async function readAll<T extends Row>(conn: DuckDBConnection, sql: string, params: SqlValue[]): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never[]);
  const types = reader.columnTypes().map((t) => t.typeId);
  const names = reader.columnNames();
  return reader.getRowObjectsJson().map((r) => normaliseRow(r as Record<string, unknown>, names, types) as T);
}

function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function normaliseRow(r: Record<string, unknown>, names: string[], types: DuckDBTypeId[]): Row {
  const out: Row = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const v = r[name];
    if (v === null || v === undefined) {
      out[name] = null;
      continue;
    }
    switch (types[i]) {
      case DuckDBTypeId.BIGINT:
      case DuckDBTypeId.UBIGINT:
      case DuckDBTypeId.HUGEINT:
      case DuckDBTypeId.UHUGEINT:
        out[name] = exactInteger(String(v));
        break;
      case DuckDBTypeId.TIMESTAMP:
      case DuckDBTypeId.TIMESTAMP_MS:
      case DuckDBTypeId.TIMESTAMP_S:
      case DuckDBTypeId.TIMESTAMP_NS:
      case DuckDBTypeId.TIMESTAMP_TZ:
        out[name] = isoTimestamp(String(v));
        break;
      default:
        out[name] = typeof v === 'object' ? JSON.stringify(v) : (v as SqlValue);
    }
  }
  return out;
}
