// Tables the pipeline publishes (org_closure, org_measures_history, segment_sizes …) exist only after
// its first run: routes ask here before reading them, and answer "no data yet" instead of failing.
// Once seen, a table is remembered (a publish replaces tables inside one transaction; it never drops one).

import type { Db } from '../db/types.js';

const seen = new WeakMap<Db, Set<string>>();

export async function isPublished(db: Db, table: string): Promise<boolean> {
  const known = seen.get(db) ?? new Set<string>();
  seen.set(db, known);
  if (known.has(table)) return true;
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $1 AND table_schema = $2`,
    [table, db.dialect.defaultSchema],
  );
  const exists = Number(row?.n ?? 0) > 0;
  if (exists) known.add(table);
  return exists;
}
