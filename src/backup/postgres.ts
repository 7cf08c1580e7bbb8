// Backup and restore on PostgreSQL, on a connection of their own (any process may take one: the server
// or the CLI beside it). The snapshot is a REPEATABLE READ READ ONLY transaction that first takes
// ACCESS SHARE locks on every table — before its first query, so that the snapshot begins after them:
// a publish (which drops and renames tables) either committed before or waits until the backup ends,
// and no table can change its definition under it (PostgreSQL's catalog is not MVCC-safe against DDL;
// pg_dump locks the same way). Rows are written with COPY … TO STDOUT in PostgreSQL's text format
// (exact for every type), gzip-compressed. A restore runs in one transaction — migrations, the
// published tables' definitions, COPY FROM STDIN, the sequences, the grants, the checks — and commits
// only once every table has been verified: a failed restore leaves the target as it was.

import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { allTables } from '../db/checksum.js';
import { postgresDialect, quoteIdent } from '../db/dialect.js';
import type { Db, Row, SqlValue } from '../db/types.js';
import { notEmpty, RestoreRefused, sessionDb, tablesWithRows } from './common.js';
import type { BackupEngine, RestoreSession, Snapshot } from './engine.js';
import { type ColumnDef, STAGING_TABLE, type TableDef } from './manifest.js';

const SCHEMA = postgresDialect.defaultSchema;
/** gzip level 1: most of the size saved at a fraction of the default level's time (docs/backup.md). */
const GZIP_LEVEL = 1;

/** Dates and times kept as the server's text (never a local-midnight Date); the rest as pg reads them. */
const textTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1082 || oid === 1114 || oid === 1184) return (s: string) => s;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, options: '-c jit=off' });
  // A connection lost while idle fails the next statement instead of ending the process.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * The Db interface over one connection already inside a transaction (the snapshot's, the restore's):
 * a transaction asked of it runs in that one (migrations, checksums).
 */
function clientDb(client: pg.Client, location: string): Db {
  return sessionDb({
    kind: 'postgres',
    dialect: postgresDialect,
    location,
    async query<T extends Row = Row>(sql: string, params: SqlValue[] = []) {
      return (await client.query({ text: sql, values: params, types: textTypes })).rows as T[];
    },
    async execute(sql: string, params: SqlValue[] = []) {
      return (await client.query({ text: sql, values: params, types: textTypes })).rowCount ?? 0;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
}

const RELATIONS = `SELECT c.relname AS name, CAST(c.oid AS text) AS oid FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`;

/** Wangji's tables (a run's staging tables left out) by name, with their oids. */
async function relations(client: pg.Client): Promise<Map<string, string>> {
  const rows = (await client.query<{ name: string; oid: string }>(RELATIONS, [SCHEMA])).rows;
  return new Map(rows.filter((r) => !STAGING_TABLE.test(r.name)).map((r) => [r.name, r.oid]));
}

async function columnsOf(client: pg.Client, table: string | null): Promise<Map<string, ColumnDef[]>> {
  const rows = (
    await client.query<{ table_name: string; name: string; type: string; nullable: boolean }>(
      `SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              NOT a.attnotnull AS nullable
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          ${table === null ? '' : 'AND c.relname = $2'}
        ORDER BY c.relname, a.attnum`,
      table === null ? [SCHEMA] : [SCHEMA, table],
    )
  ).rows;
  const out = new Map<string, ColumnDef[]>();
  for (const r of rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ name: r.name, type: r.type, nullable: r.nullable });
    out.set(r.table_name, list);
  }
  return out;
}

/** CREATE TABLE with the columns' types, NOT NULL and defaults (the published tables have no more). */
async function ddlOf(client: pg.Client): Promise<Map<string, string>> {
  const rows = (
    await client.query<{
      table_name: string;
      name: string;
      type: string;
      notnull: boolean;
      dflt: string | null;
    }>(
      `SELECT c.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`,
      [SCHEMA],
    )
  ).rows;
  const cols = new Map<string, string[]>();
  for (const r of rows) {
    const list = cols.get(r.table_name) ?? [];
    list.push(
      `${quoteIdent(r.name)} ${r.type}${r.notnull ? ' NOT NULL' : ''}${r.dflt === null ? '' : ` DEFAULT ${r.dflt}`}`,
    );
    cols.set(r.table_name, list);
  }
  return new Map([...cols].map(([t, c]) => [t, `CREATE TABLE ${quoteIdent(t)} (${c.join(', ')})`]));
}

async function grantsOf(client: pg.Client): Promise<Map<string, string[]>> {
  const rows = (
    await client.query<{ table_name: string; grantee: string }>(
      `SELECT DISTINCT c.relname AS table_name, r.rolname AS grantee
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner
        ORDER BY 1, 2`,
      [SCHEMA],
    )
  ).rows;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.table_name, [...(out.get(r.table_name) ?? []), r.grantee]);
  return out;
}

function snapshotOf(client: pg.Client, location: string): Snapshot {
  return {
    db: clientDb(client, location),
    async tables() {
      const [names, columns, ddl, grants] = [
        await relations(client),
        await columnsOf(client, null),
        await ddlOf(client),
        await grantsOf(client),
      ];
      return [...names.keys()].sort().map((name) => ({
        name,
        columns: columns.get(name) ?? [],
        ddl: ddl.get(name) ?? '',
        grants: grants.get(name) ?? [],
      }));
    },
    async sequences() {
      const names = (
        await client.query<{ name: string; increment: string }>(
          `SELECT sequencename AS name, CAST(increment_by AS text) AS increment FROM pg_sequences
            WHERE schemaname = $1 ORDER BY sequencename`,
          [SCHEMA],
        )
      ).rows;
      const out = [];
      for (const s of names) {
        const [v] = (
          await client.query<{ last: string; called: boolean }>(
            `SELECT CAST(last_value AS text) AS last, is_called AS called FROM ${quoteIdent(s.name)}`,
          )
        ).rows;
        if (!v) throw new Error(`cannot read sequence ${s.name}`);
        const next = v.called ? (BigInt(v.last) + BigInt(s.increment)).toString() : v.last;
        out.push({ name: s.name, next, ddl: null });
      }
      return out;
    },
    async dump(table, file) {
      const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
      const rows = client.query(copyTo(`COPY ${quoteIdent(table.name)} (${cols}) TO STDOUT`));
      await pipeline(rows, createGzip({ level: GZIP_LEVEL }), createWriteStream(file, { mode: 0o600 }));
    },
  };
}

/** Errors worth trying the snapshot's start again for: a deadlock, a lock wait too long, a table gone. */
const RETRIABLE = new Set(['40P01', '55P03', '42P01']);
class TablesChanged extends Error {}

async function beginSnapshot(client: pg.Client): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const before = await relations(client);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // Neither SET nor LOCK takes the snapshot: the first query after them does.
      await client.query(`SET LOCAL lock_timeout = '120s'`);
      if (before.size)
        await client.query(
          `LOCK TABLE ${[...before.keys()].map(quoteIdent).join(', ')} IN ACCESS SHARE MODE`,
        );
      const after = await relations(client);
      const same = after.size === before.size && [...after].every(([name, oid]) => before.get(name) === oid);
      if (!same) throw new TablesChanged('tables were created, dropped or replaced meanwhile');
      return;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (e as { code?: string }).code;
      if (attempt < 5 && (e instanceof TablesChanged || (code && RETRIABLE.has(code)))) {
        await sleep(200 * attempt);
        continue;
      }
      throw e;
    }
  }
}

async function ensureDatabase(url: string, progress: (line: string) => void): Promise<void> {
  let client: pg.Client;
  try {
    client = await connect(url);
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw e; // 3D000: no such database
    const u = new URL(url);
    const name = decodeURIComponent(u.pathname.slice(1));
    u.pathname = '/postgres';
    const admin = await connect(u.toString());
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } finally {
      await admin.end();
    }
    progress(`created database ${name}`);
    return;
  }
  await client.end();
}

/** Drop everything of Wangji's schemas (the masked views' schema is made again by its migration). */
async function wipe(client: pg.Client): Promise<void> {
  await client.query('DROP SCHEMA IF EXISTS masked CASCADE');
  const rows = (
    await client.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
      [SCHEMA],
    )
  ).rows;
  for (const [kinds, what] of [
    ['v', 'VIEW'],
    ['m', 'MATERIALIZED VIEW'],
    ['f', 'FOREIGN TABLE'],
    ['rp', 'TABLE'],
    ['S', 'SEQUENCE'],
  ] as const) {
    const list = rows
      .filter((r) => kinds.includes(r.kind))
      .map((r) => quoteIdent(r.name))
      .join(', ');
    if (list) await client.query(`DROP ${what} IF EXISTS ${list} CASCADE`);
  }
  // The functions the migrations made (the audit log's append-only trigger's), not an extension's.
  const functions = (
    await client.query<{ fn: string }>(
      `SELECT quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS fn
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.prokind IN ('f', 'p')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
      [SCHEMA],
    )
  ).rows;
  for (const f of functions) await client.query(`DROP ROUTINE IF EXISTS ${f.fn} CASCADE`);
}

function sessionOf(client: pg.Client, db: Db): RestoreSession {
  return {
    db,
    async columns(table) {
      return (await columnsOf(client, table)).get(table) ?? [];
    },
    async load(table: TableDef, file: string) {
      const cols = table.columns.map((c) => quoteIdent(c.name)).join(', ');
      const copy = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${cols}) FROM STDIN`));
      await pipeline(createReadStream(file), createGunzip(), copy);
      await client.query(`ANALYZE ${quoteIdent(table.name)}`);
      return Number(copy.rowCount ?? 0);
    },
    async setSequence(s) {
      await client.query('SELECT setval(CAST($1 AS regclass), CAST($2 AS bigint), false)', [
        quoteIdent(s.name),
        s.next,
      ]);
    },
    async grant(table) {
      const missing: string[] = [];
      for (const role of table.grants) {
        const known = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        if (known.rows.length === 0) missing.push(role);
        else await client.query(`GRANT SELECT ON ${quoteIdent(table.name)} TO ${quoteIdent(role)}`);
      }
      return missing;
    },
  };
}

export const postgresBackup: BackupEngine = {
  extension: '.tsv.gz',

  async snapshot(db, target, fn) {
    const client = await connect(target.location);
    try {
      await beginSnapshot(client);
      try {
        const out = await fn(snapshotOf(client, db.location));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  },

  async restoreInto(target, o, fn) {
    const location = redactUrl(target.location);
    await ensureDatabase(target.location, o.progress);
    const client = await connect(target.location);
    try {
      await client.query('BEGIN');
      try {
        const db = clientDb(client, location);
        // A server still using the database holds locks the wipe would wait for: said, not waited for.
        await client.query(`SET LOCAL lock_timeout = '30s'`);
        // No migrator of another process runs meanwhile.
        await db.exec(db.dialect.exclusiveLock('migrate'));
        const full = await tablesWithRows(db, await allTables(db));
        if (full.length && !o.force) throw notEmpty(location, full);
        await wipe(client);
        const out = await fn(sessionOf(client, db));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        if ((e as { code?: string }).code === '55P03')
          throw new RestoreRefused(`the database ${location} is in use: stop its servers before restoring`);
        throw e;
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
