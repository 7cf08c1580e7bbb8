// POST /api/channels/callback: the sending systems' delivery reports and call outcomes over HTTP, the
// same lines as a callback file (src/channels/callbacks.ts, docs/operations.md "Channel hand-offs").
// Not a session route: the caller is a system, authenticated by `Authorization: Bearer <token>` with
// the token of the environment variable channels.callbacks.tokenEnv names (default
// WANGJI_CHANNELS_CALLBACK_TOKEN); unset, the endpoint answers 503 and applies nothing. Idempotent:
// a line applied before changes nothing. Audited as CHANNEL_CALLBACK (actor `channel-gateway`).

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { applyCallbacks } from '../../channels/callbacks.js';
import { defaultChannelsConfig } from '../../channels/config.js';
import type { RouteDeps } from '../app.js';
import { errorResponses, HttpError, Unauthorized } from '../errors.js';

const report = z.object({
  source: z.string(),
  lines: z.number().int(),
  applied: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ line: z.number().int(), reason: z.string() })),
});

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function channelRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  o: { tokenEnv?: string; env?: NodeJS.ProcessEnv } = {},
): void {
  const tokenEnv = o.tokenEnv ?? defaultChannelsConfig().callbacks.tokenEnv;
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/api/channels/callback',
    {
      config: { permission: 'PUBLIC', csrfExempt: true },
      schema: {
        summary: 'Delivery reports and call outcomes from the sending systems (bearer token; idempotent)',
        tags: ['channels'],
        body: z.object({
          lines: z.array(z.record(z.string(), z.unknown())).max(50_000),
        }),
        response: { 200: report, ...errorResponses },
      },
    },
    async (request) => {
      const expected = (o.env ?? process.env)[tokenEnv];
      if (!expected)
        throw new HttpError(503, 'CALLBACKS_OFF', `callbacks over HTTP are off (${tokenEnv} is not set)`);
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7) : '';
      if (!given || !sameSecret(given, expected)) throw new Unauthorized('a valid bearer token is required');
      return applyCallbacks(
        deps.db,
        deps.config,
        request.body.lines.map((value, i) => ({ line: i + 1, value })),
        { actor: 'channel-gateway', source: 'HTTP', now: deps.now() },
      );
    },
  );
}
