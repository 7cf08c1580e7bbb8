// The nightly drop in the operations API (ops:read, like the rest of it; src/server/routes/ops.ts):
//   GET /api/ops/alerts   alerts, newest first (?open=true: the open ones only)
//   GET /api/ops/drops    the drops the scheduler took, newest first: status, load, run, where a failed one went
// The jobs of a drop are in GET /api/ops/jobs (requested by `nightly`), its run in GET /api/ops/runs.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../server/app.js';
import { errorResponses } from '../server/errors.js';
import { ALERT_KINDS, listAlerts } from './alerts.js';

const alertView = z.object({
  alertId: z.number(),
  kind: z.enum(ALERT_KINDS),
  asOf: z.string().describe('the data date concerned'),
  drop: z.string().nullable(),
  message: z.string(),
  raisedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
});

const dropView = z.object({
  name: z.string(),
  asOf: z.string(),
  status: z.enum(['PUBLISHED', 'FAILED']),
  loadId: z.number().nullable(),
  runId: z.number().nullable(),
  message: z.string().nullable(),
  movedTo: z.string().nullable().describe('where a failed drop was moved, inside the watched folder'),
  seenAt: z.string(),
  finishedAt: z.string(),
});

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function nightlyRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { db } = deps;
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/ops/alerts',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'Alerts for operators: a nightly drop missing or late, a drop that failed',
        tags: ['operations'],
        querystring: z.object({
          open: z
            .enum(['true', 'false'])
            .optional()
            .transform((v) => v === 'true')
            .describe('true: the open ones only'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ alerts: z.array(alertView) }), ...errorResponses },
      },
    },
    async (request) => ({ alerts: await listAlerts(db, request.query) }),
  );

  r.get(
    '/api/ops/drops',
    {
      config: { permission: 'ops:read' },
      schema: {
        summary: 'The nightly drops taken from the watched folder, newest first',
        tags: ['operations'],
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.object({ drops: z.array(dropView) }), ...errorResponses },
      },
    },
    async (request) => {
      const rows = await db.query(
        `SELECT name, as_of, status, load_id, run_id, message, moved_to, seen_at, finished_at
           FROM nightly_drops ORDER BY finished_at DESC, as_of DESC LIMIT $1`,
        [request.query.limit],
      );
      return {
        drops: rows.map((x) => ({
          name: String(x.name),
          asOf: String(x.as_of),
          status: String(x.status) as 'PUBLISHED' | 'FAILED',
          loadId: num(x.load_id),
          runId: num(x.run_id),
          message: str(x.message),
          movedTo: str(x.moved_to),
          seenAt: String(x.seen_at),
          finishedAt: String(x.finished_at),
        })),
      };
    },
  );
}
