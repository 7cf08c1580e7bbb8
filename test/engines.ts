// Every database test runs on both engines. DuckDB gets a fresh file in a temp folder; PostgreSQL a
// fresh database on the local server (dropped afterwards). When no server can be reached the
// PostgreSQL suites are reported as skipped, with the reason, never silently passed.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { type DbTarget, openDb } from '../src/db/open.js';
import type { Db, EngineKind } from '../src/db/types.js';

export const PG_ADMIN_URL = process.env.WANGJI_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return `no PostgreSQL server at ${PG_ADMIN_URL} (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const pgSkipReason = await probe();
let counter = 0;

export interface Engine {
  kind: EngineKind;
  /** A fresh, migrated, empty database. */
  open(): Promise<TestDb>;
}

export type TestDb = Db & {
  target: DbTarget;
  /** Close the connection but keep the database, so that another opener (the CLI) can use it. */
  release(): Promise<void>;
};

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const duckdbEngine: Engine = {
  kind: 'duckdb',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'wangji-test-'));
    const target: DbTarget = { kind: 'duckdb', location: join(dir, 'test.duckdb') };
    const db = await openDb(target, { duckdb: { memoryLimit: '1GB' } });
    return withRelease(db, target, () => rmSync(dir, { recursive: true, force: true }));
  },
};

export const postgresEngine: Engine = {
  kind: 'postgres',
  async open() {
    const name = `wangji_t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const target: DbTarget = { kind: 'postgres', location: url.toString() };
    const db = await openDb(target);
    return withRelease(db, target, () =>
      withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
    );
  },
};

function withRelease(db: Db, target: DbTarget, drop: () => void | Promise<void>): TestDb {
  const close = db.close.bind(db);
  let open = true;
  const release = async () => {
    if (open) await close();
    open = false;
  };
  return Object.assign(db, {
    target,
    release,
    close: async () => {
      await release();
      await drop();
    },
  });
}

/** describe() once per engine; the PostgreSQL run is a visible skip with its reason when no server answers. */
export function describeEachEngine(title: string, fn: (engine: Engine) => void): void {
  describe(`${title} [duckdb]`, () => fn(duckdbEngine));
  if (pgSkipReason) console.warn(`SKIPPED ${title} [postgres]: ${pgSkipReason}`);
  const label = pgSkipReason ? `${title} [postgres] — skipped: ${pgSkipReason}` : `${title} [postgres]`;
  describe.skipIf(pgSkipReason !== null)(label, () => fn(postgresEngine));
}
