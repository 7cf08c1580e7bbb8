// The load report: what happened to every row of every file, for the terminal, --json and the
// report file beside the database. Personal values in the quarantine sample are masked.

import type { Db } from '../db/types.js';
import { mask } from '../domain/masking.js';
import { EXTRACT_BY_NAME } from './contract.js';

export interface FileReport {
  extract: string;
  file: string;
  format: 'csv' | 'parquet';
  encoding: string;
  sha256: string;
  /** read = loaded + quarantined + collapsed */
  read: number;
  loaded: number;
  quarantined: number;
  collapsed: number;
  /** Rows written to the table: new keys and new versions of changed rows. */
  inserted: number;
  /** Keys already stored whose values changed (their new version is among inserted). */
  updated: number;
  /** Reference snapshots: stored keys the new snapshot no longer holds. */
  removed: number;
  /** Accepted rows identical to what was stored (nothing written). */
  unchanged: number;
  extraColumns: string[];
  /** Soft-reference column → rows whose value is unknown (kept). */
  warnings: Record<string, number>;
  seconds: number;
}

export interface QuarantineRow {
  extract: string;
  file: string;
  line: number | null;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface LoadReport {
  loadId: number;
  sourceDir: string;
  asOf: string;
  status: 'APPLIED' | 'FAILED';
  message: string | null;
  startedAt: string;
  finishedAt: string;
  files: FileReport[];
  totals: { read: number; loaded: number; quarantined: number; collapsed: number };
  /** The first quarantined values (masked), to show what went wrong without a query. */
  quarantineSample: QuarantineRow[];
}

/** A quarantined value as it may be printed: personal columns masked, raw records withheld. */
export function printableValue(extract: string, column: string | null, value: string | null): string | null {
  if (value === null) return null;
  if (column === null) return `(${[...value].length} characters withheld)`;
  const personal = EXTRACT_BY_NAME.get(extract)?.columns.find((c) => c.name === column)?.personal;
  return personal ? mask(personal, value) : value;
}

export async function quarantineSample(db: Db, loadId: number, limit = 20): Promise<QuarantineRow[]> {
  const rows = await db.query<{
    extract: string;
    file: string;
    line: number | null;
    column_name: string | null;
    value: string | null;
    reason: string;
  }>(
    `SELECT extract, file, line, column_name, value, reason FROM quarantine WHERE load_id = $1
      ORDER BY extract, line, column_name LIMIT ${Math.trunc(limit)}`,
    [loadId],
  );
  return rows.map((r) => ({
    extract: r.extract,
    file: r.file,
    line: r.line,
    column: r.column_name,
    value: printableValue(r.extract, r.column_name, r.value),
    reason: r.reason,
  }));
}
