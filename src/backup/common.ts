// What both engines' backup code shares: the refusals of a restore, the emptiness of a target, and
// the Db interface over the one connection a snapshot or a restore holds.

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

/**
 * The Db interface over one connection already inside its transaction (a snapshot's, a restore's):
 * a transaction asked of it runs in that one (migrations, checksums); the loader's pieces are not
 * there, and closing is the owner's business.
 */
export function sessionDb(
  base: Pick<Db, 'kind' | 'dialect' | 'location' | 'query' | 'execute' | 'exec'>,
): Db {
  const unavailable = (what: string) => () => {
    throw new Error(`${what} is not available inside a backup or restore`);
  };
  const db: Db = {
    ...base,
    stream: unavailable('stream') as Db['stream'],
    bulkLoad: unavailable('bulkLoad'),
    stageFile: unavailable('stageFile'),
    dropStaged: unavailable('dropStaged'),
    transaction: (fn) => fn(db),
    close: async () => undefined,
  };
  return db;
}
