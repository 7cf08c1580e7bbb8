// The analysts' console (wangji sql) must read personal data only through the masked views. Each engine
// enforces that its own way — this is the one place that asks which engine it is:
//  - PostgreSQL: the console connects as the role wangji_console (migration 006), which can read the
//    masked views and the tables without personal data and nothing else (no server files, no writes);
//  - DuckDB has no roles: the database is opened read-only with file access disabled, and the statement
//    is parsed (json_serialize_sql) so that every table it names is unqualified or in schema masked —
//    resolved through the search path masked first — and no table function runs SQL built at run time.

import type { DbTarget } from './open.js';
import type { Db } from './types.js';

export const CONSOLE_ROLE = 'wangji_console';

export class ConsoleRefused extends Error {}

/** Where the console connects: PostgreSQL as the console role (password from WANGJI_CONSOLE_PASSWORD). */
export function consoleTarget(target: DbTarget, env: NodeJS.ProcessEnv = process.env): DbTarget {
  switch (target.kind) {
    case 'duckdb':
      return target;
    case 'postgres': {
      const url = new URL(target.location);
      url.username = CONSOLE_ROLE;
      url.password = env.WANGJI_CONSOLE_PASSWORD ?? '';
      return { kind: 'postgres', location: url.toString() };
    }
    default: {
      const never: never = target.kind;
      throw new Error(`unknown engine ${String(never)}`);
    }
  }
}

const DYNAMIC_SQL_FUNCTIONS = new Set(['query', 'query_table']);

/** Tables the console never reads (PostgreSQL grants the console role nothing on them either). */
const HIDDEN_TABLES = new Set(['users', 'sessions', 'login_failures', 'audit_log']);

/** Refuses (ConsoleRefused) a statement that could reach raw personal data on this engine. */
export async function checkConsoleStatement(db: Db, sql: string): Promise<void> {
  switch (db.kind) {
    case 'postgres':
      return; // the role's privileges are the boundary
    case 'duckdb': {
      const [row] = await db.query<{ j: string }>('SELECT json_serialize_sql(CAST($1 AS VARCHAR)) AS j', [
        sql,
      ]);
      const tree = JSON.parse(row?.j ?? '{}') as { error?: boolean; error_message?: string };
      if (tree.error)
        throw new ConsoleRefused(`only a query can run here (${tree.error_message ?? 'not a SELECT'})`);
      walk(tree, (node) => {
        if (node.type === 'BASE_TABLE') {
          const schema = String(node.schema_name ?? '');
          if (HIDDEN_TABLES.has(String(node.table_name ?? '').toLowerCase()) && schema !== 'masked')
            throw new ConsoleRefused(
              `${String(node.table_name)} is not readable from the console (sign-ins and audit)`,
            );
          if (node.catalog_name || (schema !== '' && schema !== 'masked')) {
            throw new ConsoleRefused(
              `name tables without a schema (not ${[node.catalog_name, schema, node.table_name].filter(Boolean).join('.')}): personal data is read through the masked views`,
            );
          }
        }
        if (node.type === 'TABLE_FUNCTION') {
          const fn = (node.function as { function_name?: string } | undefined)?.function_name ?? '';
          if (DYNAMIC_SQL_FUNCTIONS.has(fn.toLowerCase()))
            throw new ConsoleRefused(`${fn}() runs SQL built at run time`);
        }
      });
      return;
    }
    default: {
      const never: never = db.kind;
      throw new Error(`unknown engine ${String(never)}`);
    }
  }
}

function walk(node: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) for (const n of node) walk(n, visit);
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    for (const v of Object.values(node)) walk(v, visit);
  }
}
