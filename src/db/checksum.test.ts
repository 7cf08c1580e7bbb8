// The checksum that restore drills, crash reruns and the sharded run are compared by: equal for the
// same rows in any order, different when one value, one NULL's place or one duplicate row differs.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { allTables, checksumTables, tableChecksum } from './checksum.js';

describeEachEngine('table checksums', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    for (const t of ['ck_a', 'ck_b'])
      await db.exec(
        `CREATE TABLE ${t} (id INTEGER, name VARCHAR, amount DECIMAL(18,2), d DATE, created_at TIMESTAMP)`,
      );
    await db.exec(`INSERT INTO ck_a VALUES (1, 'a', 1.50, DATE '2027-01-01', TIMESTAMP '2026-12-01 08:00:00'),
      (2, NULL, 2.00, NULL, TIMESTAMP '2026-12-01 08:00:00'), (3, 'c', NULL, DATE '2027-01-03', NULL)`);
    // The same rows in another order, with other clock values.
    await db.exec(`INSERT INTO ck_b VALUES (3, 'c', NULL, DATE '2027-01-03', TIMESTAMP '2026-12-09 10:00:00'),
      (1, 'a', 1.50, DATE '2027-01-01', NULL), (2, NULL, 2.00, NULL, TIMESTAMP '2026-12-02 08:00:00')`);
  });
  afterAll(async () => db?.close());

  it('is the same for the same rows in another order, leaving the clock columns out', async () => {
    const [a, b] = [await tableChecksum(db, 'ck_a'), await tableChecksum(db, 'ck_b')];
    expect(a.rows).toBe(3);
    expect(a.digest).toMatch(/^-?\d+$/);
    expect(b).toEqual({ ...a, table: 'ck_b' });
    // With the clock columns counted they differ.
    expect((await tableChecksum(db, 'ck_a', { ignore: [] })).digest).not.toBe(
      (await tableChecksum(db, 'ck_b', { ignore: [] })).digest,
    );
  });

  it('changes when a value, the place of a NULL or a duplicate row changes', async () => {
    const base = (await tableChecksum(db, 'ck_b')).digest;
    await db.exec('UPDATE ck_b SET amount = 1.51 WHERE id = 1');
    const changedValue = (await tableChecksum(db, 'ck_b')).digest;
    expect(changedValue).not.toBe(base);
    await db.exec('UPDATE ck_b SET amount = 1.50 WHERE id = 1');
    expect((await tableChecksum(db, 'ck_b')).digest).toBe(base);
    await db.exec("INSERT INTO ck_b VALUES (1, 'a', 1.50, DATE '2027-01-01', NULL)");
    const dup = await tableChecksum(db, 'ck_b');
    expect(dup.rows).toBe(4);
    expect(dup.digest).not.toBe(base);
  });

  it("tells ('a', NULL) from (NULL, 'a')", async () => {
    await db.exec('CREATE TABLE ck_c (x VARCHAR, y VARCHAR); CREATE TABLE ck_d (x VARCHAR, y VARCHAR)');
    await db.exec("INSERT INTO ck_c VALUES ('a', NULL); INSERT INTO ck_d VALUES (NULL, 'a')");
    expect((await tableChecksum(db, 'ck_c')).digest).not.toBe((await tableChecksum(db, 'ck_d')).digest);
  });

  it('lists base tables and reports absent ones', async () => {
    expect(await allTables(db)).toEqual(expect.arrayContaining(['ck_a', 'ck_b', 'customers']));
    const out = await checksumTables(db, ['ck_a', 'no_such_table']);
    expect(out[1]).toEqual({ table: 'no_such_table', absent: true });
    expect(out[0]).toMatchObject({ table: 'ck_a', rows: 3 });
  });
});
