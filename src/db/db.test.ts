import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { EXTRACTS, sqlType } from '../extracts/contract.js';
import { listMigrations, migrate } from './migrate.js';
import { resolveDbTarget } from './open.js';

describeEachEngine('Db interface', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
  });
  afterAll(async () => db?.close());

  it('binds parameters and normalises values the same way on both engines', async () => {
    const rows = await db.query(
      `SELECT CAST($1 AS DECIMAL(18,2)) + CAST($2 AS DECIMAL(18,2)) AS money, CAST($3 AS BIGINT) AS big,
              CAST($4 AS BIGINT) AS huge, CAST($5 AS DATE) AS d, CAST($6 AS VARCHAR) AS s, CAST(NULL AS INTEGER) AS n,
              CAST($7 AS TIMESTAMP) AS ts`,
      ['0.10', '0.20', 42, '9007199254740993', '2027-02-06', "it's", '2026-11-28 08:30:00.123'],
    );
    expect(rows).toEqual([
      {
        money: '0.30',
        big: 42,
        huge: '9007199254740993',
        d: '2027-02-06',
        s: "it's",
        n: null,
        ts: '2026-11-28T08:30:00.123Z',
      },
    ]);
  });

  it('sums money exactly (no floating point)', async () => {
    await db.exec('CREATE TABLE money_t (v DECIMAL(18,2))');
    for (let i = 0; i < 10; i++)
      await db.execute('INSERT INTO money_t VALUES (CAST($1 AS DECIMAL(18,2)))', ['0.10']);
    expect(await db.query('SELECT sum(v) AS total FROM money_t')).toEqual([{ total: '1.00' }]);
  });

  it('counts changed rows', async () => {
    await db.exec('CREATE TABLE cnt_t (k INTEGER)');
    expect(await db.execute('INSERT INTO cnt_t VALUES (1), (2), (3)')).toBe(3);
    expect(await db.execute('DELETE FROM cnt_t WHERE k >= $1', [2])).toBe(2);
  });

  it('streams a large result in batches', async () => {
    let rows = 0;
    let batches = 0;
    for await (const batch of db.stream<{ g: number }>(
      'SELECT g FROM generate_series(1, 25000) AS t(g) ORDER BY g',
      [],
      10_000,
    )) {
      batches++;
      rows += batch.length;
      expect(batch.length).toBeLessThanOrEqual(10_000);
    }
    expect({ rows, batches }).toEqual({ rows: 25000, batches: 3 });
  });

  it('streams every row while other callers query the same database (they wait for the stream)', async () => {
    // A server answers requests while a lookup index is streamed in: on DuckDB a statement run on the
    // connection during the stream used to end it quietly (4,096 rows of 200,000).
    let rows = 0;
    let answered = 0;
    const busy = setInterval(() => {
      void db.query('SELECT 1 AS x').then(() => {
        answered++;
      });
    }, 1);
    try {
      for await (const batch of db.stream<{ g: number }>(
        'SELECT g FROM generate_series(1, 50000) AS t(g) ORDER BY g',
        [],
        5_000,
      )) {
        rows += batch.length;
        await new Promise((r) => setTimeout(r, 5)); // other callers' queries arrive in between
      }
    } finally {
      clearInterval(busy);
    }
    expect(rows).toBe(50_000);
    await db.query('SELECT 1 AS x');
    expect(answered).toBeGreaterThan(0);
  });

  it('rolls a failed transaction back completely', async () => {
    await db.exec('CREATE TABLE tx_t (k INTEGER)');
    await expect(
      db.transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_t VALUES (1)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT count(*) AS n FROM tx_t')).toEqual([{ n: 0 }]);
    await db.transaction((tx) => tx.execute('INSERT INTO tx_t VALUES (2)'));
    expect(await db.query('SELECT count(*) AS n FROM tx_t')).toEqual([{ n: 1 }]);
  });

  it('keeps an open transaction to itself: another caller neither reads its rows nor writes into it', async () => {
    // The server's requests share one Db: a request must not see another's uncommitted rows (DuckDB
    // has one connection: the others wait for the transaction to end).
    await db.exec('CREATE TABLE tx_iso (k INTEGER)');
    let inside!: () => void;
    const started = new Promise<void>((resolve) => (inside = resolve));
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const writer = db
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO tx_iso VALUES (1)');
        inside();
        await hold;
        throw new Error('rolled back');
      })
      .catch((e: Error) => e.message);
    await started;
    const reader = db.query<{ n: number }>('SELECT count(*) AS n FROM tx_iso');
    const other = db.transaction((tx) => tx.execute('INSERT INTO tx_iso VALUES (2)'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    expect(await writer).toBe('rolled back');
    expect(await reader).toEqual([{ n: 0 }]);
    await other;
    expect(await db.query('SELECT k FROM tx_iso')).toEqual([{ k: 2 }]);
  });

  it('bulk-loads a CSV file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wangji-bulk-'));
    const file = join(dir, 'x.csv');
    writeFileSync(file, '1,"a, with comma",12.34\n2,,0.01\n');
    await db.exec('CREATE TABLE bulk_t (k VARCHAR, label VARCHAR, v VARCHAR)');
    expect(await db.bulkLoad('bulk_t', ['k', 'label', 'v'], file)).toBe(2);
    expect(await db.query('SELECT k, label, v FROM bulk_t ORDER BY k')).toEqual([
      { k: '1', label: 'a, with comma', v: '12.34' },
      { k: '2', label: null, v: '0.01' },
    ]);
  });

  it("has one table per extract with the contract's columns, in order, with exact types", async () => {
    const family = (t: string) =>
      /^(DECIMAL|NUMERIC)/i.test(t)
        ? 'decimal'
        : /^(INTEGER|INT4|INT)$/i.test(t)
          ? 'integer'
          : /^DATE$/i.test(t)
            ? 'date'
            : 'text';
    for (const e of EXTRACTS) {
      const cols = await db.query<{ column_name: string; data_type: string; scale: number | null }>(
        `SELECT column_name, data_type, numeric_scale AS scale FROM information_schema.columns
          WHERE table_name = $1 AND table_schema = $2 ORDER BY ordinal_position`,
        [e.name, db.dialect.defaultSchema],
      );
      expect(
        cols.map((c) => [
          c.column_name,
          family(c.data_type),
          family(c.data_type) === 'decimal' ? Number(c.scale) : null,
        ]),
      ).toEqual(
        e.columns.map((c) => {
          const t = sqlType(c.type);
          return [c.name, family(t), family(t) === 'decimal' ? Number(/,(\d+)\)/.exec(t)?.[1]) : null];
        }),
      );
    }
  });

  it('records every migration once and refuses an edited one', async () => {
    const expected = listMigrations().filter((m) => !m.engine || m.engine === engine.kind);
    const rows = await db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(expected.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
    const edited = expected.map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(db, edited)).rejects.toThrow(/was changed after it was applied/);
  });
});

it('chooses the engine from --db, then WANGJI_DB, then the default file', () => {
  expect(resolveDbTarget('postgres://u@h/db', {})).toEqual({
    kind: 'postgres',
    location: 'postgres://u@h/db',
  });
  expect(resolveDbTarget(undefined, { WANGJI_DB: 'x.duckdb' })).toEqual({
    kind: 'duckdb',
    location: 'x.duckdb',
  });
  expect(resolveDbTarget(undefined, {})).toEqual({ kind: 'duckdb', location: './data/wangji.duckdb' });
  expect(() => resolveDbTarget('mysql://h/db', {})).toThrow(/unsupported database URL/);
});
