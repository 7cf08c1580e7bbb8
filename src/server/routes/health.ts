// What operators and orchestrators probe (issue #10), public (no session; they show no data):
//   GET /healthz  liveness: the process answers (200, no database call)
//   GET /readyz   readiness: the database answers and the last publication (a published pipeline run)
//                 is younger than health.maxPublicationAgeHours — 200, else 503 with the reason
// Neither is under /api/ (the access matrix covers /api/); both declare PUBLIC all the same.

import type { FastifyInstance } from 'fastify';
import type { RouteDeps } from '../app.js';

export interface HealthOptions {
  /** /readyz is 503 when the last publication is older (default 36 hours). */
  maxPublicationAgeHours?: number;
}

export function healthRoutes(app: FastifyInstance, deps: RouteDeps, o: HealthOptions = {}): void {
  const maxAgeHours = o.maxPublicationAgeHours ?? 36;

  app.get('/healthz', { config: { permission: 'PUBLIC' }, schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get('/readyz', { config: { permission: 'PUBLIC' }, schema: { hide: true } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    let at: string | null;
    try {
      const [row] = await deps.db.query<{ at: string | null; as_of: string | null }>(
        `SELECT finished_at AS at, as_of FROM runs WHERE status = 'PUBLISHED' ORDER BY finished_at DESC LIMIT 1`,
      );
      at = row?.at ?? null;
      if (at === null)
        return reply.code(503).send({ status: 'not ready', database: 'ok', reason: 'nothing published yet' });
      const ageHours = (deps.now().getTime() - Date.parse(at)) / 3_600_000;
      const body = {
        database: 'ok',
        lastPublication: at,
        asOf: row?.as_of ?? null,
        ageHours: Math.round(ageHours * 10) / 10,
        maxAgeHours,
      };
      if (ageHours > maxAgeHours)
        return reply.code(503).send({
          status: 'not ready',
          ...body,
          reason: `the last publication is ${body.ageHours} hours old (more than ${maxAgeHours})`,
        });
      return reply.send({ status: 'ready', ...body });
    } catch (e) {
      request.log.error({ err: e }, 'readyz: the database did not answer');
      return reply
        .code(503)
        .send({ status: 'not ready', database: 'unreachable', reason: 'the database did not answer' });
    }
  });
}
