// Resource faults in words (faults.ts), and what the PostgreSQL engine does when the server drops its
// connections: a checked-out client's dropped connection fails its statements instead of ending the
// process, and a read on a pool connection dropped while idle is sent again. The end-to-end faults
// (a real full disk, backends terminated mid-load and mid-run) are test/reliability/faults.test.ts.

import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_ADMIN_URL, pgSkipReason, postgresEngine } from '../../test/engines.js';
import { classifyFault, DbFault, dbFault, duringFault } from './faults.js';

describe('database faults in words', () => {
  it('names a full disk and a lost connection, with what was being done and the engine’s words', () => {
    const pgFull = Object.assign(new Error('could not extend file "base/1/2": No space left on device'), {
      code: '53100',
    });
    const f = dbFault(pgFull, 'postgres') as DbFault;
    expect(f).toBeInstanceOf(DbFault);
    expect(f.kind).toBe('disk-full');
    expect(f.while('loading accounts.csv').message).toBe(
      `no space left on device while loading accounts.csv (PostgreSQL: could not extend file "base/1/2": No space left on device) — free space on the database's disk, then try again`,
    );
    // The innermost context stays.
    expect(f.while('loading accounts.csv').while('applying the drop').during).toBe('loading accounts.csv');
    expect(
      classifyFault(new Error('IO Error: Could not write file "x.wal": No space left on device'), 'duckdb'),
    ).toBe('disk-full');
    const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(classifyFault(terminated, 'postgres')).toBe('connection-lost');
    expect(classifyFault(new Error('Connection terminated unexpectedly'), 'postgres')).toBe(
      'connection-lost',
    );
    expect(classifyFault(Object.assign(new Error('broken pipe'), { code: '08006' }), 'postgres')).toBe(
      'connection-lost',
    );
  });

  it('leaves every other error as it is', () => {
    const dup = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(dbFault(dup, 'postgres')).toBe(dup);
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    expect(dbFault(cancelled, 'postgres')).toBe(cancelled);
    expect(dbFault(new Error('Binder Error: column x not found'), 'duckdb')).not.toBeInstanceOf(DbFault);
    expect(duringFault(dup, 'loading x.csv')).toBe(dup);
  });
});

async function terminate(database: string, except?: number): Promise<number> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = $1 AND pid <> coalesce($2, 0)) t`,
      [database, except ?? null],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await admin.end();
  }
}

const pgLabel = pgSkipReason ? `— skipped: ${pgSkipReason}` : '';
describe.skipIf(pgSkipReason !== null)(`PostgreSQL connections dropped by the server ${pgLabel}`, () => {
  it('a transaction whose connection drops between statements fails in words; the process lives', async () => {
    const db = await postgresEngine.open();
    try {
      const name = new URL(db.target.location).pathname.slice(1);
      await db.exec('CREATE TABLE t (x INTEGER)');
      const failed = db.transaction(async (tx) => {
        await tx.execute('INSERT INTO t VALUES (1)');
        // Idle in the transaction (the loader parsing a file): pg emitted 'error' on the checked-out
        // client with nobody listening, which ended the process.
        expect(await terminate(name)).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 200));
        await tx.execute('INSERT INTO t VALUES (2)');
      });
      await expect(failed).rejects.toThrow(
        /^the connection to the database server was lost \(PostgreSQL: terminating connection due to administrator command\)/,
      );
      await expect(failed).rejects.toBeInstanceOf(DbFault);
      expect(await db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]); // rolled back
    } finally {
      await db.close();
    }
  });

  it('a read on pool connections terminated while idle is sent again on a fresh one; a stream fails in words', async () => {
    const db = await postgresEngine.open();
    try {
      const name = new URL(db.target.location).pathname.slice(1);
      await db.exec('CREATE TABLE t (x INTEGER)');
      for (let round = 0; round < 3; round++) {
        await Promise.all([1, 2, 3, 4].map(() => db.query('SELECT pg_sleep(0.05)'))); // four idle connections
        expect(await terminate(name)).toBeGreaterThan(0);
        const reads = await Promise.all([1, 2, 3, 4].map((i) => db.query(`SELECT ${i} AS i`)));
        expect(reads).toEqual([[{ i: 1 }], [{ i: 2 }], [{ i: 3 }], [{ i: 4 }]]);
      }
      // A stream's client dropped mid-stream fails the stream, not the process.
      const rows = db.stream('SELECT g FROM generate_series(1, 50000) g', [], 1000);
      const failed = (async () => {
        let n = 0;
        for await (const batch of rows) {
          n += batch.length;
          if (n === 1000) await terminate(name);
        }
        return n;
      })();
      await expect(failed).rejects.toBeInstanceOf(DbFault);
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});
