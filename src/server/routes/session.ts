// Sign-in, sign-out and "who am I": POST, DELETE and GET /api/session. The session lives in an
// HttpOnly, SameSite=Strict cookie (Secure except on localhost); the CSRF token every write must echo
// is returned in the body, never in a cookie.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteDeps } from '../app.js';
import { login, logout, SESSION_COOKIE } from '../auth/index.js';
import { errorResponses, TooManyRequests, Unauthorized } from '../errors.js';
import { principalOf, sessionCookieOptions } from '../plugins/auth.js';
import { PERMISSIONS, type Principal, ROLES } from '../roles.js';

export const sessionBody = z.object({
  user: z.object({
    username: z.string(),
    role: z.enum(ROLES),
    orgId: z.string(),
    staffId: z.string().nullable(),
    permissions: z.array(z.enum(PERMISSIONS)),
  }),
  csrfToken: z.string().describe('Echo it in the x-csrf-token header of every write'),
});

const sessionOf = (p: Principal): z.infer<typeof sessionBody> => ({
  user: {
    username: p.username,
    role: p.role,
    orgId: p.orgId,
    staffId: p.staffId,
    permissions: PERMISSIONS.filter((x) => p.permissions.has(x)),
  },
  csrfToken: p.csrfToken,
});

export function sessionRoutes(app: FastifyInstance, { db, now }: RouteDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/session',
    {
      config: { permission: 'PUBLIC', csrfExempt: true },
      schema: {
        summary: 'Sign in',
        tags: ['session'],
        security: [],
        body: z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
        response: { 200: sessionBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await login(db, {
        username: request.body.username,
        password: request.body.password,
        ip: request.ip,
        now: now(),
      });
      if (!result.ok) {
        if (result.reason === 'THROTTLED')
          throw new TooManyRequests(
            'too many failed sign-ins: wait before trying again',
            Math.max(1, Math.ceil(result.retryAfterSeconds ?? 60)),
          );
        throw new Unauthorized('wrong username or password');
      }
      reply.setCookie(SESSION_COOKIE, result.token, sessionCookieOptions(request));
      return sessionOf(result.principal);
    },
  );

  r.get(
    '/api/session',
    {
      config: { permission: 'SIGNED_IN' },
      schema: {
        summary: 'The signed-in user and the session’s CSRF token',
        tags: ['session'],
        response: { 200: sessionBody, ...errorResponses },
      },
    },
    async (request) => sessionOf(principalOf(request)),
  );

  r.delete(
    '/api/session',
    {
      config: { permission: 'SIGNED_IN' },
      schema: {
        summary: 'Sign out (the session ends at once)',
        tags: ['session'],
        response: { 200: z.object({ signedOut: z.literal(true) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await logout(db, token);
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(request));
      return { signedOut: true as const };
    },
  );
}
