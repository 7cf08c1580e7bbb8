// The HTTP server (ARCHITECTURE "Access", "Style"): fastify 5 with zod schemas on params, query, body
// and response of every route (fastify-type-provider-zod), the OpenAPI 3 document generated from them
// (/api/docs, /api/docs/json), the session cookie, the auth hook, and one error handler. Logs are
// pino JSON lines with a request id, the route, status and duration — never cookies, headers that
// authenticate, bodies or the URL as sent (it may carry what a person typed).

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { configureMasking } from '../domain/masking.js';
import { installOperations, type OperationsOptions } from '../nightly/install.js';
import { JobQueue } from '../ops/jobs.js';
import { PACKAGE_ROOT } from '../paths.js';
import { SESSION_COOKIE } from './auth/index.js';
import { clientErrorHandler, frameworkErrors, installErrorHandler } from './errors.js';
import { DOCS_PREFIX, installAuth, routeOf } from './plugins/auth.js';
import { installInputChecks } from './plugins/input.js';
import { appointmentRoutes } from './routes/appointments.js';
import { auditRoutes } from './routes/audit.js';
import { channelRoutes } from './routes/channels.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { fieldRoutes } from './routes/field.js';
import { fieldTableRoutes } from './routes/fieldTables.js';
import { funnelRoutes } from './routes/funnels.js';
import { type OpsOptions, opsRoutes } from './routes/ops.js';
import { orgRoutes } from './routes/orgs.js';
import { payrollRoutes } from './routes/payroll.js';
import { posRoutes } from './routes/pos.js';
import { reportRoutes } from './routes/reports.js';
import { segmentRoutes } from './routes/segments.js';
import { sessionRoutes } from './routes/session.js';
import { targetRoutes } from './routes/targets.js';
import { taskRoutes } from './routes/tasks.js';
import { teamRoutes } from './routes/team.js';
import { webAppRoutes } from './static.js';

export interface AppOptions {
  db: Db;
  /** The season file (activities' names and reasons, the contact policy's thresholds). */
  config: SeasonConfig;
  /** Logging: a level (default info) and where to write (default stdout); false for none. */
  log?: { level?: string; stream?: { write(line: string): void } } | false;
  /** The clock of sessions and of recorded outcomes (tests set it; default the real time). */
  now?: () => Date;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (login throttling per IP). */
  trustProxy?: boolean;
  /** Operations: the drops root, the season file runs use, the job queue (src/server/routes/ops.ts). */
  ops?: OpsOptions;
  /** Running unattended: /healthz, /readyz, /metrics, alerts, the nightly drop folder (src/nightly/install.ts). */
  operations?: OperationsOptions;
  /** The built web app served at / (default dist/web; src/server/static.ts). */
  webRoot?: string;
  /** How long a client may take to send a whole request (default REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/**
 * A request not received whole within this time is answered 408 and its connection closed: without
 * it (fastify's default is none) a client that sends headers and then trickles or stalls its body
 * holds its connection — and the server's shutdown — for ever (found by the request fuzz). Two
 * minutes: a 5 MB target file over a slow branch line.
 */
export const REQUEST_TIMEOUT_MS = 120_000;

/** What every route module gets. */
export interface RouteDeps {
  db: Db;
  config: SeasonConfig;
  now: () => Date;
}

const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

/** Paths pino never writes, whatever a log call passes: credentials and bodies. */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.body',
  'res.headers["set-cookie"]',
  'body',
  'password',
  '*.password',
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
];

function loggerOptions(log: AppOptions['log']) {
  if (log === false) return false;
  return {
    level: log?.level ?? 'info',
    ...(log?.stream ? { stream: log.stream } : {}),
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, route: req.routeOptions?.url ?? null }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  // Personal data is masked by the season file's rules in every answer of this process.
  configureMasking(o.config.masking);
  const requestTimeout = o.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: loggerOptions(o.log),
    // Fastify's own request lines carry the URL as sent: ours (onResponse below) carry the route.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: o.trustProxy ?? false,
    requestTimeout,
    // Node checks the request timeout only while the headers' is not longer, and checks both this often
    // (its default, 30 s, would let a short timeout run long).
    http: {
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, requestTimeout / 4)),
    },
    // Errors before a route is found, and requests that are not readable HTTP: the API's shape too.
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(fastifyCookie);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        route: routeOf(request),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        user: request.principal?.userId ?? null,
      },
      'request',
    );
  });
  const now = o.now ?? (() => new Date());
  installAuth(app, o.db, now);
  installInputChecks(app);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Wangji 旺季 API',
        description:
          'The API of the peak-season campaign platform. Sign in with POST /api/session; the session cookie ' +
          'then authenticates every request, and every write carries the x-csrf-token header it returned. ' +
          'Everything answered is limited to the signed-in user’s scope; personal data is masked.',
        version,
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });

  const deps: RouteDeps = { db: o.db, config: o.config, now };
  // The staff's pages read on DuckDB's read connections (a dashboard no longer holds up a task card,
  // nor a publish every read); loads, runs, backups and the nightly drop keep the writing connection.
  const reading: RouteDeps = { ...deps, db: o.db.reads?.() ?? o.db };
  sessionRoutes(app, deps);
  dashboardRoutes(app, reading);
  orgRoutes(app, reading);
  taskRoutes(app, reading);
  teamRoutes(app, reading);
  reportRoutes(app, reading);
  targetRoutes(app, reading);
  funnelRoutes(app, reading);
  segmentRoutes(app, reading);
  posRoutes(app, reading);
  payrollRoutes(app, reading);
  fieldRoutes(app, reading);
  fieldTableRoutes(app, reading);
  appointmentRoutes(app, reading);
  auditRoutes(app, reading);
  channelRoutes(app, deps, { tokenEnv: o.operations?.config?.channels.callbacks.tokenEnv });
  // One job queue for the API's loads and runs and the nightly drops (never two at a time).
  const jobs =
    o.ops?.jobs ??
    new JobQueue({
      now,
      onError: (job, err) => app.log.error({ err, job: job.id, kind: job.kind }, 'job failed'),
    });
  opsRoutes(app, deps, { ...o.ops, jobs });
  installOperations(app, deps, jobs, o.ops?.season, o.operations);
  await webAppRoutes(app, o.webRoot);
  return app;
}
