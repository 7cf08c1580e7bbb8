// Alerts for operators (table nightly_alerts, migration 025): raised by the nightly scheduler, shown
// by GET /api/ops/alerts and /metrics (wangji_alerts_open), and written to the log when raised. One
// open alert per kind, data date and drop: raising it again while it is open does nothing.

import type { Db, SqlValue } from '../db/types.js';
import { utcTimestamp } from '../domain/bankTime.js';

export const ALERT_KINDS = ['DROP_MISSING', 'DROP_FAILED', 'AFTER_PUBLISH_FAILED'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface Alert {
  alertId: number;
  kind: AlertKind;
  asOf: string;
  drop: string | null;
  message: string;
  raisedAt: string;
  resolvedAt: string | null;
  resolution: string | null;
}

/** Raise an alert unless the same one is open; resolves with its id, or null when it was already open. */
export async function raiseAlert(
  db: Db,
  a: { kind: AlertKind; asOf: string; drop: string | null; message: string; at: Date },
): Promise<number | null> {
  return db.transaction(async (tx) => {
    const [open] = await tx.query<{ n: number }>(
      `SELECT count(*) AS n FROM nightly_alerts
        WHERE kind = $1 AND as_of = CAST($2 AS DATE) AND resolved_at IS NULL
          AND coalesce(drop_name, '') = coalesce($3, '')`,
      [a.kind, a.asOf, a.drop],
    );
    if (Number(open?.n ?? 0) > 0) return null;
    const [row] = await tx.query<{ id: number }>(
      'SELECT coalesce(max(alert_id), 0) + 1 AS id FROM nightly_alerts',
    );
    const id = Number(row?.id ?? 1);
    await tx.execute(
      `INSERT INTO nightly_alerts (alert_id, kind, as_of, drop_name, message, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, a.kind, a.asOf, a.drop, a.message, utcTimestamp(a.at)],
    );
    return id;
  });
}

/** Resolve the open alerts of a kind for this data date and every earlier one. */
export async function resolveAlerts(
  db: Db,
  kind: AlertKind,
  upTo: string,
  at: Date,
  resolution: string,
): Promise<void> {
  await db.execute(
    `UPDATE nightly_alerts SET resolved_at = $1, resolution = $2
      WHERE kind = $3 AND as_of <= CAST($4 AS DATE) AND resolved_at IS NULL`,
    [utcTimestamp(at), resolution, kind, upTo],
  );
}

/** Alerts, newest first: the open ones only, or every one. */
export async function listAlerts(db: Db, o: { open?: boolean; limit?: number } = {}): Promise<Alert[]> {
  const params: SqlValue[] = [o.limit ?? 100];
  const rows = await db.query(
    `SELECT alert_id, kind, as_of, drop_name, message, raised_at, resolved_at, resolution
       FROM nightly_alerts ${o.open ? 'WHERE resolved_at IS NULL' : ''}
      ORDER BY alert_id DESC LIMIT $1`,
    params,
  );
  return rows.map((r) => ({
    alertId: Number(r.alert_id),
    kind: String(r.kind) as AlertKind,
    asOf: String(r.as_of).slice(0, 10),
    drop: r.drop_name === null ? null : String(r.drop_name),
    message: String(r.message),
    raisedAt: String(r.raised_at),
    resolvedAt: r.resolved_at === null ? null : String(r.resolved_at),
    resolution: r.resolution === null ? null : String(r.resolution),
  }));
}
