// What every field-operation repository shares: ids drawn as max + 1 inside the writer's transaction
// (the caller holds the audit lock, taken first by every field write: see withFieldWrite), free text
// answered with digit runs masked, the typed refusals of the field rules, and the small SQL pieces of
// an update (columns named in the code, values bound).

import { type Audit, lockAudit, withAudit } from '../audit/log.js';
import type { Db, SqlValue } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';
import { mask } from '../domain/masking.js';

/** A field rule refused the request: the code says which (the server answers 409, or 404 for NOT_FOUND). */
export class FieldRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The next id of a table: max + 1 (the caller's transaction holds the audit lock). */
export async function nextId(tx: Db, table: string, column: string): Promise<number> {
  const [row] = await tx.query<{ id: number | string | null }>(`SELECT max(${column}) AS id FROM ${table}`);
  return Number(row?.id ?? 0) + 1;
}

/**
 * One audited field write: the audit lock first (ids are max + 1, so writers must not overlap), then
 * fn with the transaction and the audit appender. The change and its entry commit together or not at all.
 */
export function withFieldWrite<T>(db: Db, fn: (tx: Db, audit: Audit) => Promise<T>): Promise<T> {
  return withAudit(db, async (tx, audit) => {
    await lockAudit(tx);
    return fn(tx, audit);
  });
}

/**
 * Free text as the API answers it: runs of 7 or more digits (a phone, an ID number, an account someone
 * typed into a note) are masked as the masking module masks them. Names typed into text cannot be
 * recognised: free text is answered only where the record itself is (see docs/field.md).
 */
export function maskedText(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return text.replace(/[0-9]{7,}[0-9Xx]?/g, (m) => mask(m.length >= 15 ? 'id_no' : 'phone', m) ?? '');
}

/** The bound parameters of a query (src/server/scope.ts SqlParams): add() returns the placeholder. */
export interface Bind {
  values: SqlValue[];
  add(value: SqlValue): string;
}

/** Who writes and when: the username and the server's clock. */
export interface Writer {
  username: string;
  at: Date;
}

export const ts = (at: Date) => utcTimestamp(at);

/**
 * The SET list of an update from the fields given (undefined: left alone), in the order of `columns`;
 * the values are added to `values` and referenced as $n ('column:DATE' casts the value). Returns the
 * names of the changed fields.
 */
export function setList(
  patch: Record<string, unknown>,
  columns: Record<string, string>,
  values: SqlValue[],
): { sql: string[]; fields: string[] } {
  const sql: string[] = [];
  const fields: string[] = [];
  for (const [key, column] of Object.entries(columns)) {
    const v = patch[key];
    if (v === undefined) continue;
    values.push(v as SqlValue);
    const [name, type] = column.split(':');
    sql.push(type ? `${name} = CAST($${values.length} AS ${type})` : `${name} = $${values.length}`);
    fields.push(key);
  }
  return { sql, fields };
}

/** The columns of a timestamp as the API shows them (the engines give ISO-8601 UTC already). */
export const iso = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const day = (v: unknown): string | null =>
  v === null || v === undefined ? null : String(v).slice(0, 10);

/**
 * Update the columns of one row from the fields given, with updated_by / updated_at (always: a change
 * of a child list touches its parent too); returns the names of the fields changed.
 */
export async function updateRow(
  tx: Db,
  table: string,
  idColumn: string,
  rowId: number,
  patch: Record<string, unknown>,
  columns: Record<string, string>,
  w: Writer,
): Promise<string[]> {
  const values: SqlValue[] = [];
  const { sql, fields } = setList(patch, columns, values);
  values.push(w.username, ts(w.at), rowId);
  const n = values.length;
  await tx.execute(
    `UPDATE ${table} SET ${[...sql, `updated_by = $${n - 2}`, `updated_at = CAST($${n - 1} AS TIMESTAMP)`].join(', ')}
      WHERE ${idColumn} = $${n}`,
    values,
  );
  return fields;
}

/**
 * The staff of a record (outreach_event_staff, service_point_staff): replace them in one statement.
 * `table` and `idColumn` are names written in the code, never input.
 */
export async function setStaffOf(
  tx: Db,
  table: string,
  idColumn: string,
  id: number,
  staff: readonly string[],
): Promise<void> {
  await tx.execute(`DELETE FROM ${table} WHERE ${idColumn} = $1`, [id]);
  if (!staff.length) return;
  await tx.execute(
    `INSERT INTO ${table} (${idColumn}, staff_id) VALUES ${staff.map((_, i) => `($1, $${i + 2})`).join(', ')}`,
    [id, ...staff],
  );
}

/** The staff of several records, by record id, each list in staff id order. */
export async function staffByRecord(
  db: Db,
  table: string,
  idColumn: string,
  ids: number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!ids.length) return out;
  const rows = await db.query<{ id: number; staff_id: string }>(
    `SELECT ${idColumn} AS id, staff_id FROM ${table}
      WHERE ${idColumn} IN (${ids.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY ${idColumn}, staff_id`,
    ids,
  );
  for (const r of rows) {
    const k = Number(r.id);
    out.set(k, [...(out.get(k) ?? []), String(r.staff_id)]);
  }
  return out;
}
