// What both engines' backup code shares: the refusals of a restore and the emptiness of a target.

import { quoteIdent } from '../db/dialect.js';
import type { Db } from '../db/types.js';

/** A restore that would do harm, or cannot be done, refused in words before anything was changed. */
export class RestoreRefused extends Error {}

/** The tables holding rows, schema_migrations aside (what a fresh, migrated database has). */
export async function tablesWithRows(db: Db, tables: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of tables) {
    if (t === 'schema_migrations') continue;
    const rows = await db.query(`SELECT 1 AS x FROM ${quoteIdent(t)} LIMIT 1`);
    if (rows.length) out.push(t);
  }
  return out;
}

/** The refusal of a target holding data. */
export function notEmpty(location: string, tables: string[]): RestoreRefused {
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ` and ${tables.length - 5} more` : '');
  return new RestoreRefused(
    `the database ${location} is not empty (${shown} hold rows): restoring would replace it — give --force to do so`,
  );
}
