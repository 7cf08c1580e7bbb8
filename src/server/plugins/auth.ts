// The auth hook: every request's session cookie is resolved to a Principal before anything else runs;
// every route declares in its config what it needs (a permission, any signed-in user, or nothing),
// and a route that declares nothing is refused — access is never open by omission.
//   401  no valid session
//   403  the permission is missing, or a write without the session's CSRF token (x-csrf-token)
// Every 403 is written to the audit log (action DENIED, subject the route), as is every request for an
// object outside the user's scope (answered 404 by the route: existence is not revealed).

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../audit/log.js';
import type { Db } from '../../db/types.js';
import { resolveSession, SESSION_COOKIE } from '../auth/index.js';
import { Forbidden, Unauthorized } from '../errors.js';
import type { Permission, Principal } from '../roles.js';

/** What a route needs: a permission, any signed-in user, or nothing (sign-in itself, the API docs). */
export type Access = Permission | 'SIGNED_IN' | 'PUBLIC';

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Access;
    /** A write that needs no CSRF token (sign-in: there is no session yet). */
    csrfExempt?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every API route with what it needs, as registered (the access matrix test walks it). */
    accessRules: AccessRule[];
  }
}

export interface AccessRule {
  method: string;
  url: string;
  access: Access;
}

/** Routes of the API docs (served by @fastify/swagger-ui): public, they show no data. */
export const DOCS_PREFIX = '/api/docs';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The route as declared (`/api/tasks/:id`), never the URL as sent (it may carry what the caller typed). */
export const routeOf = (request: FastifyRequest) =>
  `${request.method} ${request.routeOptions.url ?? '(no route)'}`;

/** The signed-in user of a route that required one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthorized();
  return request.principal;
}

/** Record a refused request in the audit log. */
export async function auditDenied(db: Db, request: FastifyRequest, detail: string): Promise<void> {
  await appendAudit(db, {
    actor: request.principal?.username ?? '(anonymous)',
    action: 'DENIED',
    subject: routeOf(request),
    detail,
  });
}

/** Session cookie flags: Secure everywhere except a browser talking to this machine over plain HTTP. */
export function sessionCookieOptions(request: FastifyRequest) {
  const host = request.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local = host === 'localhost' || host === '127.0.0.1' || host === '::1';
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: !local };
}

export function installAuth(app: FastifyInstance, db: Db, now: () => Date): void {
  app.decorateRequest('principal', null);
  const rules: AccessRule[] = [];
  app.decorate('accessRules', rules);

  // Fail closed at start-up: an API route without a declared access rule is a bug, not an open door.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith(DOCS_PREFIX)) return;
    const access = route.config?.permission;
    if (!access)
      throw new Error(`route ${route.method} ${route.url} declares no permission (config.permission)`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD') rules.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.routeOptions.url) return; // no such route: the not-found handler answers
    const token = request.cookies[SESSION_COOKIE];
    request.principal = token ? await resolveSession(db, token, now()) : null;
    const access =
      request.routeOptions.config.permission ??
      (request.routeOptions.url.startsWith(DOCS_PREFIX) ? 'PUBLIC' : undefined);
    if (access === 'PUBLIC') return;
    const principal = request.principal;
    if (!principal) throw new Unauthorized();
    if (!access) {
      await auditDenied(db, request, 'the route declares no permission');
      throw new Forbidden();
    }
    if (!SAFE_METHODS.has(request.method) && !request.routeOptions.config.csrfExempt) {
      const given = request.headers['x-csrf-token'];
      if (typeof given !== 'string' || !sameSecret(given, principal.csrfToken)) {
        await auditDenied(db, request, given ? 'wrong CSRF token' : 'no CSRF token');
        throw new Forbidden('a write needs the x-csrf-token header of the session', 'CSRF');
      }
    }
    if (access !== 'SIGNED_IN' && !principal.permissions.has(access)) {
      await auditDenied(db, request, `needs ${access} (role ${principal.role})`);
      throw new Forbidden(`your role may not do this (needs ${access})`);
    }
  });
}
