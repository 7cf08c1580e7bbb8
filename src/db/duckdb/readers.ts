// Read connections of their own for a DuckDB file's server (issue #9's soak): the one shared connection
// of DuckDbDb runs every statement in turn, so a staff member's task card waited behind a colleague's
// dashboard (p50 9 ms, p90 443 ms at 1 M customers) and every read waited for a publish to commit.
// Plain SELECTs of the server's request handlers run here instead, on a few connections of the same
// instance: each statement reads the last committed state (DuckDB's MVCC: a snapshot per statement), so
// a read during a publish sees the previous publication whole, and reads do not wait for each other
// or for the writes. Everything else — writes, DDL, statements inside a transaction of the caller's
// async context, temporary tables (they belong to the connection that made them) — stays on the shared
// connection: only the server's handlers are given this view, never the loader or the runner.

import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { dbFault } from '../faults.js';

/** A statement that only reads: one SELECT (or WITH … SELECT), no second statement. */
export function isPlainSelect(sql: string): boolean {
  const s = sql.trim().replace(/;\s*$/, '');
  return (
    /^(select|with)\b/i.test(s) && !s.includes(';') && !/\b(insert|update|delete|nextval|setval)\b/i.test(s)
  );
}

/** A small pool of read connections on one instance, made as needed, one statement each at a time. */
export class ReadConnections {
  private readonly idle: DuckDBConnection[] = [];
  private readonly all: DuckDBConnection[] = [];
  private readonly waiting: { resolve: (c: DuckDBConnection) => void; reject: (e: Error) => void }[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly size: number,
  ) {}

  /** Run fn on a read connection (waiting for one when all are busy). */
  async use<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the database is closed');
    // Tracked from the start (a connection may still be opening), so that close() waits for it.
    const op = (async () => {
      const conn = await this.take();
      try {
        if (this.closed) throw new Error('the database is closed');
        return await fn(conn);
      } finally {
        this.give(conn);
      }
    })();
    this.inFlight.add(op);
    try {
      return await op;
    } catch (e) {
      throw dbFault(e, 'duckdb');
    } finally {
      this.inFlight.delete(op);
    }
  }

  private async take(): Promise<DuckDBConnection> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length < this.size) {
      // Counted before the await, so that concurrent callers do not open more than `size`.
      const slot = this.all.length;
      this.all.push(null as unknown as DuckDBConnection);
      try {
        const conn = await this.instance.connect();
        await conn.run(`SET TimeZone = 'UTC'`).catch(() => undefined);
        this.all[slot] = conn;
        return conn;
      } catch (e) {
        this.all.splice(slot, 1);
        throw dbFault(e, 'duckdb');
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private give(conn: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next.resolve(conn);
    else this.idle.push(conn);
  }

  /** Wait for the statements in flight, then close every connection (before the instance). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('the database is closed'));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const c of this.all) c?.closeSync();
    this.all.length = 0;
    this.idle.length = 0;
  }
}
