// The one database interface both engines implement. Values crossing it are normalised so that
// callers never see an engine difference: DECIMAL → exact string, BIGINT → number (string when it
// would lose precision), DATE → 'YYYY-MM-DD', TIMESTAMP → ISO-8601 UTC string.

import type { Dialect } from './dialect.js';

export type SqlValue = string | number | boolean | null;
export type Row = Record<string, SqlValue>;

export type EngineKind = 'duckdb' | 'postgres';

/** A file of an extract read into a staging table: see stageFile. */
export interface StageRequest {
  /** Temporary table to create; columns are `_seq` (1-based record number) plus `columns`, all VARCHAR. */
  table: string;
  file: string;
  format: 'csv' | 'parquet';
  delimiter: string;
  /** The SELECT list over the raw file (a DuckDB expression per staged column, in order). */
  select: { name: string; expr: string }[];
  /** More staged columns computed from the selected ones (`n.<name>`), e.g. format checks (DuckDB SQL). */
  derived: { name: string; expr: string }[];
  /** CSV columns as they appear in the header, in order. */
  headerColumns: string[];
}

export interface StageResult {
  /** Records accepted by the reader (become staging rows). */
  rows: number;
  /** Records the CSV reader could not parse: record number (header = 1) and why. */
  rejects: { line: number; column: string | null; reason: string; raw: string | null }[];
  /** DuckDB's row id of the first staged row (_seq = rowid − firstRowId + 1). */
  firstRowId: string;
}

export interface Db {
  readonly kind: EngineKind;
  readonly dialect: Dialect;
  /** A human-readable description of where the data lives (file path or URL without password). */
  readonly location: string;
  /** Rows of a query with bound parameters ($1, $2, …). */
  query<T extends Row = Row>(sql: string, params?: SqlValue[]): Promise<T[]>;
  /** A statement with bound parameters; returns the number of rows it changed. */
  execute(sql: string, params?: SqlValue[]): Promise<number>;
  /** Several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  /** Rows in batches, for results too large to hold at once. */
  stream<T extends Row = Row>(sql: string, params?: SqlValue[], batchSize?: number): AsyncIterable<T[]>;
  /** Bulk-load a headerless UTF-8 CSV file (RFC 4180, empty = NULL) into existing columns of a table. */
  bulkLoad(table: string, columns: string[], csvFile: string): Promise<number>;
  /** Read an extract file into a new temporary staging table (DuckDB's readers do the parsing). */
  stageFile(req: StageRequest): Promise<StageResult>;
  /** Drop a staging table made by stageFile. */
  dropStaged(table: string): Promise<void>;
  /**
   * This database for request handlers that mostly read: DuckDB answers plain SELECTs on read
   * connections of their own beside the one that writes; absent where the engine already has a pool
   * (PostgreSQL). Never for the loader or the runner (temporary tables live on the writing connection).
   */
  reads?(): Db;
  /** Run fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
