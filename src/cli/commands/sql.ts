// wangji sql "SELECT …": a read-only console for analysts and operators. The statement must be one
// read; the database is opened read-only (DuckDB: READ_ONLY, no file access from SQL; PostgreSQL:
// read-only sessions as the console role); table names resolve to the masked views first; and each
// engine keeps raw personal data out of reach its own way (src/db/console.ts).

import { ConsoleRefused, checkConsoleStatement, consoleTarget } from '../../db/console.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { type Output, renderTable } from '../output.js';

const READ_STATEMENT = /^(select|with|values|table|describe|from)\b/i;
const RAW_SCHEMA = /(^|[^a-z0-9_$])"?(main|public|pg_temp|temp)"?\s*\./i;

export class SqlRefused extends Error {}

/** The statement, if the console may run it; throws SqlRefused with the reason otherwise. */
export function checkReadOnlyStatement(sql: string): string {
  const text = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/;\s*$/, '');
  if (text === '') throw new SqlRefused('empty statement');
  if (text.includes(';')) throw new SqlRefused('one statement at a time');
  if (!READ_STATEMENT.test(text)) {
    throw new SqlRefused(
      'the console only reads: SELECT, WITH, VALUES, TABLE, SHOW, DESCRIBE, SUMMARIZE or EXPLAIN',
    );
  }
  if (/^explain\s+analy[sz]e\b/i.test(text))
    throw new SqlRefused('EXPLAIN ANALYZE runs the statement: use EXPLAIN');
  if (RAW_SCHEMA.test(text)) {
    throw new SqlRefused('name tables without a schema: personal data is read through the masked views');
  }
  return text;
}

export async function sqlCommand(target: DbTarget, statement: string, out: Output): Promise<number> {
  const sql = checkReadOnlyStatement(statement);
  const db = await openDb(consoleTarget(target), { readOnly: true, duckdb: { noExternalAccess: true } });
  try {
    await db.exec(db.dialect.consoleSearchPath());
    try {
      await checkConsoleStatement(db, sql);
    } catch (e) {
      throw e instanceof ConsoleRefused ? new SqlRefused(e.message) : e;
    }
    const rows = await db.query(sql);
    out.result(rows, () => {
      if (rows.length === 0) return ['(0 rows)'];
      const cols = Object.keys(rows[0] as object);
      return [
        ...renderTable(
          cols,
          rows.map((r) => cols.map((c) => r[c])),
        ),
        `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
      ];
    });
    return 0;
  } finally {
    await db.close();
  }
}
