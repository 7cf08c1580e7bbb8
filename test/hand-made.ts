// Helpers for the hand-made banks of the pipeline tests: rows inserted directly, and a load ledger row
// standing for a load of the bank's data date (a run refuses an as-of after the latest applied load).

import type { Db } from '../src/db/types.js';

/** Mark the rows inserted so far as loaded with data as of `asOf`. */
export async function markLoaded(db: Db, asOf: string): Promise<void> {
  await db.execute(
    `INSERT INTO loads (load_id, source_dir, as_of, started_at, finished_at, status, files, rows_read, rows_loaded, rows_quarantined, rows_collapsed, report)
     VALUES (1, 'hand-made', CAST($1 AS DATE), CAST('2027-02-11 00:00:00' AS TIMESTAMP), CAST('2027-02-11 00:00:01' AS TIMESTAMP), 'APPLIED', 0, 0, 0, 0, 0, '{}')`,
    [asOf],
  );
}

/** Insert constant test rows: [table, columns, SQL value tuples]. */
export async function insertBank(
  db: Db,
  bank: [table: string, columns: string, rows: string[]][],
): Promise<void> {
  for (const [table, columns, rows] of bank)
    await db.exec(`INSERT INTO ${table} (${columns}) VALUES ${rows.join(', ')}`);
}
