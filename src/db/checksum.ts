// An order-independent checksum of a table's rows, computed inside the database: the row count and the
// sum of a 63-bit hash of every row's values (NULL written as its own marker, so that (a, NULL) and
// (NULL, a) differ). Two tables of the same engine with equal checksums hold the same multiset of rows
// with overwhelming probability — what a restore drill, a rerun after a crash and the sharded run are
// checked by. The engines hash differently (DuckDB's hash, PostgreSQL's hashtextextended), so compare
// checksums of one engine only; enginesAgree compares the rows themselves across engines.

import type { Db } from './types.js';

/**
 * Columns the machine's clock writes (when an outcome was recorded, when a row was loaded …): two
 * runs over the same data differ there and nowhere else, so checksums leave them out by default.
 */
export const CLOCK_COLUMNS: readonly string[] = [
  'created_at',
  'updated_at',
  'recorded_at',
  'started_at',
  'finished_at',
  'loaded_at',
  'logged_at',
  'queued_at',
  'applied_at',
  'seen_at',
  'last_seen_at',
  'status_at',
  'sent_at',
  'failed_at',
  'raised_at',
  'resolved_at',
  'next_attempt_at',
  'password_set_at',
];

export interface TableChecksum {
  table: string;
  rows: number;
  /** The sum of the rows' hashes, as exact decimal text. */
  digest: string;
}

export interface ChecksumOptions {
  /** Columns to leave out; default CLOCK_COLUMNS. */
  ignore?: readonly string[];
}

/** The table's columns in their declared order (information_schema), without the ignored ones. */
export async function tableColumns(db: Db, table: string, ignore: readonly string[] = []): Promise<string[]> {
  const rows = await db.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
      WHERE table_name = $1 AND table_schema = $2 ORDER BY ordinal_position`,
    [table, db.dialect.defaultSchema],
  );
  if (rows.length === 0) throw new Error(`no table ${table} in ${db.location}`);
  return rows.map((r) => r.column_name).filter((c) => !ignore.includes(c));
}

/**
 * The select list of a table's checksum over the given columns: `n` (rows) and `digest` — for callers
 * that check many tables in one statement (`SELECT 'x' AS t, <this> FROM x UNION ALL …`).
 */
export function checksumColumns(db: Db, columns: readonly string[]): string {
  const values = columns.map((c) => `coalesce(CAST("${c}" AS VARCHAR), '\\N')`);
  const hash = db.dialect.rowHash(values.length ? values : ["''"]);
  return `count(*) AS n, CAST(coalesce(sum(CAST(${hash} AS DECIMAL(38,0))), 0) AS VARCHAR) AS digest`;
}

export async function tableChecksum(
  db: Db,
  table: string,
  options: ChecksumOptions = {},
): Promise<TableChecksum> {
  const columns = await tableColumns(db, table, options.ignore ?? CLOCK_COLUMNS);
  const [row] = await db.query<{ n: number | string; digest: string | number | null }>(
    `SELECT ${checksumColumns(db, columns)} FROM "${table}"`,
  );
  return { table, rows: Number(row?.n ?? 0), digest: String(row?.digest ?? '0') };
}

/** Checksums of the given tables, in the given order; tables that do not exist are reported absent. */
export async function checksumTables(
  db: Db,
  tables: readonly string[],
  options: ChecksumOptions = {},
): Promise<(TableChecksum | { table: string; absent: true })[]> {
  const present = new Set(
    (
      await db.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
        [db.dialect.defaultSchema],
      )
    ).map((r) => r.table_name),
  );
  const out: (TableChecksum | { table: string; absent: true })[] = [];
  for (const t of tables)
    out.push(present.has(t) ? await tableChecksum(db, t, options) : { table: t, absent: true });
  return out;
}

/** Every base table of Wangji's schema (not views), sorted by name. */
export async function allTables(db: Db): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
      WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [db.dialect.defaultSchema],
  );
  return rows.map((r) => r.table_name);
}
