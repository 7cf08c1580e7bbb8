// What the resource-fault tests (faults.test.ts) stand on: a real small filesystem the database lives
// on (a tmpfs mounted for the test: DuckDB's file, WAL and temp directory; PostgreSQL's tablespace),
// filled with a filler file until only a given number of bytes is left; where the machine does not
// allow mounting, writes that fail by injection instead (the test title says which); and PostgreSQL
// backends held on a lock, then terminated from an admin connection, so that a connection drops
// exactly mid-statement.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { dbFault } from '../../src/db/faults.js';
import type { DbTarget } from '../../src/db/open.js';
import type { Db, EngineKind } from '../../src/db/types.js';
import { PG_ADMIN_URL, pgSkipReason } from '../engines.js';

export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(PG_ADMIN_URL);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A tmpfs of `size` mounted at `dir` (created); throws when the machine does not allow it. */
export class SmallDisk {
  private constructor(readonly dir: string) {}

  static mount(dir: string, size: string): SmallDisk {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
    return new SmallDisk(dir);
  }

  /** Bytes an unprivileged writer may still write. */
  avail(): number {
    const s = statfsSync(this.dir);
    return Number(s.bavail) * Number(s.bsize);
  }

  /** Fill until only `leave` bytes are free (a full disk when 0). Synchronous: callable from a progress callback. */
  fill(leave: number): void {
    const fd = openSync(join(this.dir, 'filler'), 'a');
    const chunk = Buffer.alloc(1 << 20);
    try {
      for (let left = this.avail() - leave; left > 0; left = this.avail() - leave)
        writeSync(fd, chunk, 0, Math.min(left, chunk.length));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    rmSync(join(this.dir, 'filler'), { force: true });
  }

  unmount(): void {
    this.free();
    try {
      execFileSync('umount', [this.dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', this.dir], { stdio: 'pipe' }); // a file still open: detach it
    }
  }
}

/** Why a real small disk cannot be used for an engine on this machine, or null when it can. */
export async function smallDiskUnavailable(kind: EngineKind, scratch: string): Promise<string | null> {
  if (process.env.WANGJI_FAULTS_INJECT === '1') return 'WANGJI_FAULTS_INJECT=1';
  let disk: SmallDisk;
  try {
    disk = SmallDisk.mount(join(scratch, `probe-${kind}`), '1m');
  } catch (e) {
    return `cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]})`;
  }
  try {
    if (kind === 'duckdb') return null;
    if (pgSkipReason) return pgSkipReason;
    const ts = `wangji_probe_${process.pid}`;
    return await withAdmin(async (c) => {
      try {
        const [{ data_directory: dataDir }] = (await c.query('SHOW data_directory')).rows as [
          { data_directory: string },
        ];
        const owner = statSync(dataDir); // the server's data on this machine: its user can own the mount
        chownSync(disk.dir, owner.uid, owner.gid);
        await c.query(`CREATE TABLESPACE ${ts} LOCATION '${disk.dir}'`);
        await c.query(`DROP TABLESPACE ${ts}`);
        return null;
      } catch (e) {
        return `no PostgreSQL tablespace on a tmpfs here (${(e as Error).message.split('\n')[0]})`;
      }
    });
  } finally {
    disk.unmount();
  }
}

/** A PostgreSQL database whose tables (temporary ones too) live in a tablespace on the small disk. */
export async function postgresOn(
  disk: SmallDisk,
  name: string,
): Promise<{ target: DbTarget; drop(): Promise<void> }> {
  const owner = await withAdmin(async (c) => {
    const [{ data_directory: dataDir }] = (await c.query('SHOW data_directory')).rows as [
      { data_directory: string },
    ];
    return statSync(dataDir);
  });
  const dir = join(disk.dir, 'pg');
  mkdirSync(dir);
  chmodSync(dir, 0o700);
  chownSync(dir, owner.uid, owner.gid);
  await withAdmin(async (c) => {
    await c.query(`CREATE TABLESPACE ${name} LOCATION '${dir}'`);
    await c.query(`CREATE DATABASE ${name} TABLESPACE ${name}`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    target: { kind: 'postgres', location: url.toString() },
    drop: () =>
      withAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.query(`DROP TABLESPACE IF EXISTS ${name}`);
      }),
  };
}

/**
 * The fallback where no small disk can be mounted: a Db whose write statements inside a transaction
 * fail, once armed, with the engine's "No space left on device" after `after` more of them — an
 * injected write failure, said so in the test title. Writes outside a transaction go through, as on
 * a disk where the failed transaction's rollback freed what it had taken (the ledger's row fits).
 */
export class InjectedDisk {
  private left: number | null = null;
  failures = 0;

  /** Writes in a transaction fail after `after` more of them (0: the next one). */
  arm(after: number): void {
    this.left = after;
  }

  disarm(): void {
    this.left = null;
  }

  wrap(db: Db): Db {
    const hit = (inTransaction: boolean) => {
      if (this.left === null || !inTransaction) return;
      if (this.left-- > 0) return;
      this.failures++;
      throw dbFault(new Error('IO Error: Could not write file: No space left on device (injected)'), db.kind);
    };
    const wrap = (d: Db, inTx: boolean): Db => ({
      kind: d.kind,
      dialect: d.dialect,
      location: d.location,
      query: (sql, params) => d.query(sql, params),
      stream: (sql, params, size) => d.stream(sql, params, size),
      execute: async (sql, params) => {
        hit(inTx);
        return d.execute(sql, params);
      },
      exec: async (sql) => {
        hit(inTx);
        return d.exec(sql);
      },
      bulkLoad: async (t, c, f) => {
        hit(inTx);
        return d.bulkLoad(t, c, f);
      },
      stageFile: async (req) => {
        hit(inTx);
        return d.stageFile(req);
      },
      dropStaged: (t) => d.dropStaged(t),
      transaction: (fn) => d.transaction((tx) => fn(wrap(tx, true))),
      close: () => d.close(),
    });
    return wrap(db, false);
  }
}

/**
 * Hold a lock on `database` from an admin connection (`lock`: the statement taking it), start the
 * operation, wait until one of its statements waits for the lock, terminate every backend of the
 * database but the holder's (pg_terminate_backend), let go, and resolve with what the operation gave.
 */
export async function terminateWhenBlocked<T>(
  database: string,
  lock: string,
  start: () => Promise<T>,
): Promise<{ terminated: number; result: T }> {
  const holder = await adminOn(database);
  let operation: Promise<T> | undefined;
  try {
    await holder.query('BEGIN');
    await holder.query(lock);
    operation = start();
    operation.catch(() => undefined); // awaited below
    const deadline = Date.now() + 50_000;
    for (;;) {
      const { rows } = await holder.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        [database],
      );
      if (rows.length > 0) break;
      if (Date.now() > deadline) throw new Error(`nothing waited for ${lock}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const { rows } = await holder.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()) t`,
      [database],
    );
    await holder.query('ROLLBACK');
    return { terminated: rows[0]?.n ?? 0, result: await operation };
  } finally {
    await holder.end();
  }
}

async function adminOn(database: string): Promise<pg.Client> {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** Terminate every backend of `database` (the server's idle pool connections, say). */
export async function terminateAll(database: string): Promise<number> {
  return withAdmin(async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()) t`,
      [database],
    );
    return rows[0]?.n ?? 0;
  });
}
