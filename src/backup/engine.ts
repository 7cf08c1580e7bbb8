// What backup and restore need from an engine, behind one interface (src/backup/duckdb.ts,
// src/backup/postgres.ts): a snapshot — one point in time — to describe and dump the tables from, and a
// restore session that writes them back all at once or not at all.

import type { DbTarget } from '../db/open.js';
import type { Db, EngineKind } from '../db/types.js';
import { duckDbBackup } from './duckdb.js';
import type { ColumnDef, SequenceDef, TableDef } from './manifest.js';
import { postgresBackup } from './postgres.js';

/** The database as it was at one moment: every read through it sees that moment. */
export interface Snapshot {
  /** Reads inside the snapshot (the checksums). */
  readonly db: Db;
  /** Wangji's tables (not views, not a run's staging tables), by name. */
  tables(): Promise<TableDef[]>;
  sequences(): Promise<SequenceDef[]>;
  /** Write a table's rows to a file of the engine's format. */
  dump(table: TableDef, file: string): Promise<void>;
}

/** A database being restored: nothing of it is visible (or kept) until the restore has succeeded. */
export interface RestoreSession {
  /** Migrations, DDL and checksums run here. */
  readonly db: Db;
  /** A table's columns as the restored schema has them (empty when there is no such table). */
  columns(table: string): Promise<ColumnDef[]>;
  /** Load a table's file; returns the rows loaded. */
  load(table: TableDef, file: string): Promise<number>;
  setSequence(sequence: SequenceDef): Promise<void>;
  /** Grant SELECT again to the roles that had it; returns the roles that do not exist here. */
  grant(table: TableDef): Promise<string[]>;
}

export interface RestoreIntoOptions {
  /** Replace a database that holds data. */
  force: boolean;
  progress: (line: string) => void;
}

export interface BackupEngine {
  /** The data files' extension. */
  readonly extension: '.parquet' | '.tsv.gz';
  /**
   * Run fn over a snapshot of the database `db` is open on (`target` names it, with its password on
   * PostgreSQL, where the snapshot is a connection of its own).
   */
  snapshot<T>(db: Db, target: DbTarget, fn: (s: Snapshot) => Promise<T>): Promise<T>;
  /**
   * Run fn over a fresh database that replaces `target` when fn resolves; when it throws, `target` is
   * left as it was. A target holding data is refused (RestoreRefused) unless o.force.
   */
  restoreInto<T>(target: DbTarget, o: RestoreIntoOptions, fn: (s: RestoreSession) => Promise<T>): Promise<T>;
}

export function backupEngine(kind: EngineKind): BackupEngine {
  switch (kind) {
    case 'duckdb':
      return duckDbBackup;
    case 'postgres':
      return postgresBackup;
    default: {
      const never: never = kind;
      throw new Error(`unknown engine ${String(never)}`);
    }
  }
}
