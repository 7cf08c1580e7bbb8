// Reading an extract file with DuckDB's own CSV/Parquet readers. Both engines use this: DuckDB
// stages straight into its database; PostgreSQL runs it in an in-memory DuckDB and COPYs the result.

import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteString } from '../dialect.js';
import type { StageRequest, StageResult } from '../types.js';

export const rawTableOf = (table: string) => `${table}__raw`;

/**
 * Create `<table>__raw` holding the normalised columns in file order, and collect rejected records.
 * mode 'view' adds a temp view `<table>` with `_seq` (from rowid: the insertion order, which DuckDB
 * preserves for a CREATE TABLE AS over one reader).
 */
export async function stageWithDuckDb(
  conn: DuckDBConnection,
  req: StageRequest,
  mode: 'view' | 'raw',
): Promise<StageResult> {
  const raw = rawTableOf(req.table);
  const rejTable = `${req.table}__rej`;
  const scanTable = `${req.table}__scan`;
  const selectList = req.select.map((s) => `${s.expr} AS ${quoteIdent(s.name)}`).join(', ');
  const derivedList = ['n.*', ...req.derived.map((d) => `${d.expr} AS ${quoteIdent(d.name)}`)].join(', ');
  let source: string;
  if (req.format === 'csv') {
    const cols = req.headerColumns.map((c) => `${quoteString(c)}: 'VARCHAR'`).join(', ');
    source = `read_csv(${quoteString(req.file)}, header = true, auto_detect = false, delim = ${quoteString(req.delimiter)},
      quote = '"', escape = '"', strict_mode = true, columns = {${cols}},
      store_rejects = true, rejects_table = ${quoteString(rejTable)}, rejects_scan = ${quoteString(scanTable)})`;
  } else {
    source = `read_parquet(${quoteString(req.file)})`;
  }
  await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(raw)}`);
  await conn.run(
    `CREATE TEMP TABLE ${quoteIdent(raw)} AS SELECT ${derivedList} FROM (SELECT ${selectList} FROM ${source}) n`,
  );
  // Row ids follow insertion order, which DuckDB preserves for a CREATE TABLE AS over one reader;
  // inside a transaction they start at a large offset, so _seq is counted from the first row id.
  const ids = await conn.runAndReadAll(
    `SELECT count(*) AS n, coalesce(min(rowid), 0) AS lo, coalesce(max(rowid), -1) AS hi FROM ${quoteIdent(raw)}`,
  );
  const { n, lo, hi } = ids.getRowObjectsJson()[0] as { n: string; lo: string; hi: string };
  const rows = Number(n);
  if (BigInt(hi) - BigInt(lo) + 1n !== BigInt(n))
    throw new Error(`staging of ${req.file}: row ids are not contiguous`);
  const rejects: StageResult['rejects'] = [];
  if (req.format === 'csv') {
    const rej = await conn.runAndReadAll(
      `SELECT line, min(column_name) AS column_name, string_agg(DISTINCT error_type || ': ' || error_message, '; ') AS reason,
              min(csv_line) AS raw
         FROM ${quoteIdent(rejTable)} GROUP BY line ORDER BY line`,
    );
    for (const r of rej.getRowObjectsJson() as Record<string, string | null>[]) {
      rejects.push({
        line: Number(r.line),
        column: r.column_name ?? null,
        reason: String(r.reason),
        raw: r.raw ?? null,
      });
    }
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(rejTable)}`);
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(scanTable)}`);
  }
  if (mode === 'view') {
    await conn.run(
      `CREATE OR REPLACE TEMP VIEW ${quoteIdent(req.table)} AS SELECT rowid - ${BigInt(lo)} + 1 AS _seq, * FROM ${quoteIdent(raw)}`,
    );
  }
  return { rows, rejects, firstRowId: lo };
}
