// The season config as small temporary tables the lifecycle's SQL joins: one row per activity with
// what arbitration, routing and conversion need, the activities' products in order, the weight_by
// factors, and the regions where each product may be sold.

import { type Activity, REMOTE_CHANNELS, type SeasonConfig } from '../config/season.js';
import { quoteIdent, quoteString } from '../db/dialect.js';
import type { Db, SqlValue } from '../db/types.js';

/** Channels worked from an org's shared list (the outlet pool, the lobby, the outreach teams). */
const POOL_CHANNELS = ['POOL', 'LOBBY', 'DOOR'] as const;

const literal = (v: SqlValue): string =>
  v === null ? 'NULL' : typeof v === 'number' || typeof v === 'boolean' ? String(v) : quoteString(v);

/** Rows of constants into a table, in chunks; each literal takes its column's type on both engines. */
export async function insertRows(db: Db, table: string, rows: SqlValue[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500)
    await db.exec(
      `INSERT INTO ${quoteIdent(table)} VALUES ${rows
        .slice(i, i + 500)
        .map((r) => `(${r.map(literal).join(', ')})`)
        .join(', ')}`,
    );
}

/** A temporary table of constant rows (columns: name and SQL type). */
export async function tempTable(
  db: Db,
  name: string,
  columns: [string, string][],
  rows: SqlValue[][],
): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
  await db.exec(
    `CREATE TEMP TABLE ${quoteIdent(name)} (${columns.map(([c, t]) => `${quoteIdent(c)} ${t}`).join(', ')})`,
  );
  await insertRows(db, name, rows);
}

/** The first of the activity's channels among `among`, or null. */
const firstOf = (a: Activity, among: readonly string[]) => a.channels.find((c) => among.includes(c)) ?? null;

/**
 * lc_activities, lc_activity_products, lc_weight_by and lc_product_regions for one lifecycle pass.
 * `running`: the activities whose phase is D's.
 */
export async function configTables(db: Db, config: SeasonConfig, running: Set<string>): Promise<void> {
  await tempTable(
    db,
    'lc_activities',
    [
      ['activity_id', 'VARCHAR'],
      ['running', 'BOOLEAN'],
      ['service', 'BOOLEAN'],
      ['min_age', 'INTEGER'],
      ['propensity', 'DECIMAL(12,6)'],
      ['value', 'DECIMAL(14,2)'],
      ['weight', 'DECIMAL(10,4)'],
      ['window_days', 'INTEGER'],
      ['owner', 'VARCHAR'],
      ['allow_manager', 'BOOLEAN'],
      ['allow_rm', 'BOOLEAN'],
      ['pool_channel', 'VARCHAR'],
      ['care', 'BOOLEAN'],
      ['backpack', 'BOOLEAN'],
      ['remote_channel', 'VARCHAR'],
      ['first_channel', 'VARCHAR'],
    ],
    config.activities.map((a) => [
      a.id,
      running.has(a.id),
      a.service,
      a.min_age,
      a.propensity_prior,
      a.value_per_conversion,
      a.weight,
      a.conversion.window_days,
      a.owner,
      a.channels.includes('MANAGER'),
      a.channels.includes('CORPORATE_RM'),
      firstOf(a, POOL_CHANNELS),
      a.channels.includes('CARE'),
      a.channels.includes('BACKPACK'),
      firstOf(a, REMOTE_CHANNELS),
      a.channels[0] as string,
    ]),
  );
  await tempTable(
    db,
    'lc_activity_products',
    [
      ['activity_id', 'VARCHAR'],
      ['product_code', 'VARCHAR'],
      ['rank', 'INTEGER'],
    ],
    config.activities.flatMap((a) => a.products.map((p, i) => [a.id, p, i + 1])),
  );
  await tempTable(
    db,
    'lc_weight_by',
    [
      ['activity_id', 'VARCHAR'],
      ['fact_value', 'VARCHAR'],
      ['factor', 'DECIMAL(10,4)'],
    ],
    config.activities.flatMap((a) =>
      a.weight_by ? Object.entries(a.weight_by.weights).map(([v, f]) => [a.id, v, f]) : [],
    ),
  );
  // A product's division_codes cover every code under them: 420000 covers 42xxxx, 420200 covers 4202xx.
  const products = await db.query<{ product_code: string; division_codes: string | null }>(
    'SELECT product_code, division_codes FROM products WHERE division_codes IS NOT NULL',
  );
  await tempTable(
    db,
    'lc_product_regions',
    [
      ['product_code', 'VARCHAR'],
      ['prefix', 'VARCHAR'],
    ],
    products.flatMap((p) =>
      (p.division_codes ?? '')
        .split('|')
        .map((c) => c.trim())
        .filter(Boolean)
        .map((c) => [p.product_code, c.replace(/0000$/, '').replace(/00$/, '')]),
    ),
  );
}

/** SQL giving, for a row with activity_id and facts, the value of its activity's weight_by fact. */
export function weightFactSql(db: Db, activities: Activity[], facts: string, activityId: string): string {
  const cases = activities
    .filter((a) => a.weight_by)
    .map(
      (a) =>
        `WHEN ${quoteString(a.id)} THEN ${db.dialect.jsonText(facts, (a.weight_by as { fact: string }).fact)}`,
    );
  return cases.length ? `(CASE ${activityId} ${cases.join(' ')} END)` : 'CAST(NULL AS VARCHAR)';
}
