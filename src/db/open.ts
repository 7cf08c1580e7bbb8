// The engine factory: `--db PATH|postgres://URL`, else WANGJI_DB, else ./data/wangji.duckdb.

import { DuckDbDb, type DuckDbOptions } from './duckdb/DuckDbDb.js';
import { migrate } from './migrate.js';
import { PostgresDb } from './postgres/PostgresDb.js';
import type { Db, EngineKind } from './types.js';

export const DEFAULT_DB = './data/wangji.duckdb';

export interface DbTarget {
  kind: EngineKind;
  /** A file path (DuckDB) or a postgres:// URL. */
  location: string;
}

export function resolveDbTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): DbTarget {
  const spec = flag ?? env.WANGJI_DB ?? DEFAULT_DB;
  if (/^postgres(ql)?:\/\//i.test(spec)) return { kind: 'postgres', location: spec };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec)) {
    throw new Error(
      `unsupported database URL "${spec.split('://')[0]}://…": use a DuckDB file path or postgres://`,
    );
  }
  return { kind: 'duckdb', location: spec };
}

export interface OpenOptions {
  readOnly?: boolean;
  /** Apply pending migrations (default true; a read-only console never migrates). */
  migrate?: boolean;
  duckdb?: DuckDbOptions;
}

export async function openDb(target: DbTarget, options: OpenOptions = {}): Promise<Db> {
  let db: Db;
  switch (target.kind) {
    case 'duckdb':
      db = await DuckDbDb.open(target.location, { ...options.duckdb, readOnly: options.readOnly });
      break;
    case 'postgres':
      db = await PostgresDb.open(target.location, { readOnly: options.readOnly });
      break;
    default: {
      const never: never = target.kind;
      throw new Error(`unknown engine ${String(never)}`);
    }
  }
  if (options.migrate ?? !options.readOnly) {
    try {
      await migrate(db);
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  return db;
}
