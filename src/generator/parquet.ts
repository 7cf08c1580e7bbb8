// CSV → Parquet with the contract's types (DATE, exact DECIMAL money), written by DuckDB on one
// thread so that the bytes depend only on the input and the pinned DuckDB version.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { quoteString } from '../db/dialect.js';
import { type Extract, sqlType } from '../extracts/contract.js';

export async function toParquet(
  e: Extract,
  csv: string,
  parquet: string,
): Promise<{ rows: number; sha256: string }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await instance.connect();
  try {
    const types = e.columns.map((c) => `${quoteString(c.name)}: ${quoteString(sqlType(c.type))}`).join(', ');
    await conn.run(
      `COPY (SELECT * FROM read_csv(${quoteString(csv)}, header = true, auto_detect = false, columns = {${types}}))
       TO ${quoteString(parquet)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${quoteString(parquet)})`);
    const rows = Number((count.getRowObjectsJson()[0] as { n: string }).n);
    return { rows, sha256: createHash('sha256').update(readFileSync(parquet)).digest('hex') };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
