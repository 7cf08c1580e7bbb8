import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { isPlainSelect } from './duckdb/readers.js';
import type { Db } from './types.js';

// The server's handlers read through db.reads() (DuckDB: read connections of their own). What they
// rely on: the same rows as query(); the last committed state, never another context's uncommitted
// rows, and without waiting for that transaction to end; their own transaction's rows inside it;
// writes land on the database.
describeEachEngine('reads(): the request handlers’ view of the database', (engine) => {
  let db: TestDb;
  let reads: Db;
  beforeAll(async () => {
    db = await engine.open();
    reads = db.reads?.() ?? db;
    await db.exec('CREATE TABLE reads_t (k INTEGER PRIMARY KEY, v DECIMAL(18,2))');
    await db.exec(`INSERT INTO reads_t VALUES (1, 1.10), (2, 2.20)`);
  });
  afterAll(async () => db?.close());

  it('answers a SELECT with the rows and exact forms query() gives', async () => {
    const sql = 'SELECT k, v, CAST($1 AS BIGINT) AS big FROM reads_t ORDER BY k';
    const params = ['9007199254740993'];
    expect(await reads.query(sql, params)).toEqual(await db.query(sql, params));
    expect(await reads.query(sql, params)).toEqual([
      { k: 1, v: '1.10', big: '9007199254740993' },
      { k: 2, v: '2.20', big: '9007199254740993' },
    ]);
  });

  it('reads the committed state while another transaction is open, without waiting for it', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inserted: () => void = () => {};
    const didInsert = new Promise<void>((r) => {
      inserted = r;
    });
    const tx = db.transaction(async (t) => {
      await t.execute('INSERT INTO reads_t VALUES (3, 3.30)');
      inserted();
      await held;
    });
    await didInsert;
    // Answered while the transaction is still open: on DuckDB the shared connection's callers would
    // wait for it to end (and this test with them); PostgreSQL reads on another pooled connection.
    const rows = await reads.query<{ n: number }>('SELECT count(*) AS n FROM reads_t');
    expect(Number(rows[0]?.n)).toBe(2);
    release();
    await tx;
    const after = await reads.query<{ n: number }>('SELECT count(*) AS n FROM reads_t');
    expect(Number(after[0]?.n)).toBe(3);
    await db.execute('DELETE FROM reads_t WHERE k = 3');
  });

  it('inside a transaction reads as the engine’s shared handle does: DuckDB its own rows, PostgreSQL the committed ones', async () => {
    await expect(
      db.transaction(async (t) => {
        await t.execute('INSERT INTO reads_t VALUES (4, 4.40)');
        const inside = await reads.query<{ n: number }>('SELECT count(*) AS n FROM reads_t WHERE k = 4');
        // DuckDB: a statement from the transaction's async context runs in it (DuckDbDb), through this
        // view as through the Db; PostgreSQL: the Db is the pool, the transaction is `t`'s client.
        expect(Number(inside[0]?.n)).toBe(engine.kind === 'duckdb' ? 1 : 0);
        expect(await t.query('SELECT k FROM reads_t WHERE k = 4')).toEqual([{ k: 4 }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const after = await reads.query<{ n: number }>('SELECT count(*) AS n FROM reads_t WHERE k = 4');
    expect(Number(after[0]?.n)).toBe(0);
  });

  it('writes through it land, and are read back at once', async () => {
    expect(await reads.execute('UPDATE reads_t SET v = 9.90 WHERE k = 1')).toBe(1);
    expect(await reads.query('SELECT v FROM reads_t WHERE k = 1')).toEqual([{ v: '9.90' }]);
    // A query() that is not a plain SELECT goes to the writing connection too.
    expect(await reads.query(`INSERT INTO reads_t VALUES (5, 5.50) RETURNING k`)).toEqual([{ k: 5 }]);
    expect(await db.query('SELECT k FROM reads_t WHERE k = 5')).toEqual([{ k: 5 }]);
  });

  it('answers many concurrent reads, each whole', async () => {
    const [expected] = await db.query<{ s: string }>('SELECT CAST(sum(v) AS VARCHAR) AS s FROM reads_t');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reads.query<{ s: string; i: number }>(`SELECT CAST(sum(v) AS VARCHAR) AS s, ${i} AS i FROM reads_t`),
      ),
    );
    expect(answers.map((a) => a[0])).toEqual(answers.map((_, i) => ({ s: expected?.s, i })));
  });
});

it('takes only one plain SELECT as a read', () => {
  expect(isPlainSelect('SELECT 1')).toBe(true);
  expect(isPlainSelect('  with x AS (SELECT 1) SELECT * FROM x;  ')).toBe(true);
  expect(isPlainSelect('SELECT 1; DROP TABLE t')).toBe(false);
  expect(isPlainSelect('INSERT INTO t SELECT 1')).toBe(false);
  expect(isPlainSelect('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toBe(false);
  expect(isPlainSelect("SELECT nextval('load_id_seq')")).toBe(false);
  expect(isPlainSelect('CREATE TEMP TABLE t AS SELECT 1')).toBe(false);
});
