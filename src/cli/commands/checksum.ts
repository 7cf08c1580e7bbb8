// `wangji checksum [TABLE…]`: order-independent checksums of tables (src/db/checksum.ts), to compare a
// restored or resharded database with its source, or a rerun with the run it repeats. Without tables:
// every published table; --all: every base table of the schema.

import { allTables, checksumTables } from '../../db/checksum.js';
import { type DbTarget, openDb } from '../../db/open.js';
import { publishedTables } from '../../pipeline/publishedTables.js';
import { type Output, renderTable } from '../output.js';

export async function checksumCommand(
  target: DbTarget,
  out: Output,
  o: { tables: string[]; all: boolean },
): Promise<number> {
  const db = await openDb(target);
  try {
    const tables = o.tables.length
      ? o.tables
      : o.all
        ? await allTables(db)
        : publishedTables().map((t) => t.name);
    const sums = await checksumTables(db, tables);
    out.result(sums, () =>
      renderTable(
        ['table', 'rows', 'checksum'],
        sums.map((s) => ('absent' in s ? [s.table, '—', '(no such table)'] : [s.table, s.rows, s.digest])),
      ),
    );
    return 0;
  } finally {
    await db.close();
  }
}
