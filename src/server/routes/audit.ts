// The audit log for auditors (issue #8; audit:read, scope AUDIT — the whole log, nothing else):
//   GET /api/audit          entries newest first (seq descending; rows outside the chain first), filtered by
//                           from / to (instants), actor (username, exact), action (one or more, comma
//                           separated), target (the subject contains this text); paged (limit, offset, total)
//   GET /api/audit/verify   the hash chain recomputed (src/audit/log.ts verifyAudit): intact, or the first
//                           place it is broken, and the head to record elsewhere
// The log holds no personal data by contract (subjects are ids, details facts); the subject and detail are
// passed through maskDigitRuns all the same, so a long digit run (an ID number, a phone) never leaves here
// whole. The actor's role is the users table's where the actor is a user (null for cli:…, ip:…, nightly).

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyAudit } from '../../audit/log.js';
import type { SqlValue } from '../../db/types.js';
import { utcTimestamp } from '../../domain/bankTime.js';
import { maskDigitRuns } from '../../ops/quarantine.js';
import type { RouteDeps } from '../app.js';
import { errorResponses } from '../errors.js';

const instant = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'an instant, ISO-8601 with its offset (2026-12-01T08:00:00Z, 2026-12-01T16:00:00+08:00)',
  });

const entry = z.object({
  seq: z.number().nullable().describe('the row’s place in the chain (null: a row outside it)'),
  loggedAt: z.string().describe('when, ISO-8601 UTC'),
  actor: z.string(),
  role: z.string().nullable().describe('the actor’s role when the actor is a user'),
  action: z.string(),
  subject: z.string().nullable().describe('whom or what: an id, never a name'),
  detail: z.string().nullable().describe('more facts (JSON text), without personal data'),
});

const verification = z.object({
  ok: z.boolean(),
  rows: z.number(),
  head: z.object({ seq: z.number(), hash: z.string() }).nullable(),
  firstBroken: z.object({ seq: z.number().nullable(), reason: z.string() }).optional(),
  checkedAt: z.string(),
});

const text = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));

export function auditRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db, now } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        summary: 'The audit log, newest first, filtered and paged',
        tags: ['audit'],
        querystring: z.object({
          from: instant.optional().describe('entries logged at or after this instant'),
          to: instant.optional().describe('entries logged before this instant'),
          actor: z.string().min(1).max(200).optional().describe('the actor, exactly'),
          action: z
            .string()
            .min(1)
            .max(500)
            .regex(/^[A-Z_]+(,[A-Z_]+)*$/, 'actions in upper snake case, comma separated')
            .optional(),
          target: z.string().min(1).max(200).optional().describe('the subject contains this text'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
        }),
        response: {
          200: z.object({
            total: z.number(),
            entries: z.array(entry),
            actions: z.array(z.string()).describe('every action the log holds (for a filter)'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const params: SqlValue[] = [];
      const bind = (v: SqlValue) => {
        params.push(v);
        return `$${params.length}`;
      };
      const where: string[] = [];
      if (q.from) where.push(`a.logged_at >= CAST(${bind(utcTimestamp(new Date(q.from)))} AS TIMESTAMP)`);
      if (q.to) where.push(`a.logged_at < CAST(${bind(utcTimestamp(new Date(q.to)))} AS TIMESTAMP)`);
      if (q.actor) where.push(`a.actor = ${bind(q.actor)}`);
      if (q.action) where.push(`a.action IN (${q.action.split(',').map(bind).join(', ')})`);
      if (q.target) where.push(`strpos(lower(coalesce(a.subject, '')), lower(${bind(q.target)})) > 0`);
      const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const [count] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM audit_log a ${cond}`, params);
      const rows = await db.query(
        `SELECT a.seq, a.logged_at, a.actor, u.role, a.action, a.subject, a.detail
           FROM audit_log a LEFT JOIN users u ON u.username = a.actor
           ${cond}
          ORDER BY a.seq DESC NULLS FIRST, a.logged_at DESC
          LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`,
        params,
      );
      const actions = await db.query<{ action: string }>(
        'SELECT DISTINCT action FROM audit_log ORDER BY action',
      );
      return {
        total: Number(count?.n ?? 0),
        entries: rows.map((x) => {
          const subject = text(x.subject);
          const detail = text(x.detail);
          return {
            seq: x.seq === null ? null : Number(x.seq),
            loggedAt: new Date(`${String(x.logged_at).replace(' ', 'T').replace(/Z?$/, 'Z')}`).toISOString(),
            actor: String(x.actor),
            role: text(x.role),
            action: String(x.action),
            subject: subject === null ? null : maskDigitRuns(subject),
            detail: detail === null ? null : maskDigitRuns(detail),
          };
        }),
        actions: actions.map((a) => String(a.action)),
      };
    },
  );

  r.get(
    '/api/audit/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        summary: 'The audit log’s hash chain recomputed: intact, or where it is first broken',
        tags: ['audit'],
        response: { 200: verification, ...errorResponses },
      },
    },
    async () => {
      const v = await verifyAudit(db);
      return { ...v, checkedAt: now().toISOString() };
    },
  );
}
