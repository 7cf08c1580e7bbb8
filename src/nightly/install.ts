// What buildApp adds for running unattended (issue #10): /healthz, /readyz, /metrics, the alerts and
// drops of the operations API, and — when a drop folder is watched (`wangji serve --drops DIR` or
// drops.dir in the ops config) — the nightly scheduler over the server's one job queue, started when
// the server is ready and stopped before it closes (the drop being worked is finished first).

import type { FastifyInstance } from 'fastify';
import type { JobQueue } from '../ops/jobs.js';
import { inMemorySeason, type SeasonFile } from '../ops/season.js';
import type { RouteDeps } from '../server/app.js';
import { dataChanged } from '../server/changes.js';
import { installMetrics } from '../server/plugins/metrics.js';
import { healthRoutes } from '../server/routes/health.js';
import { defaultOpsConfig, type OpsConfig, secretFromEnv } from './config.js';
import { nightlyRoutes } from './routes.js';
import { type AfterPublish, NightlyScheduler } from './scheduler.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The nightly drop scheduler, or null when no drop folder is watched. */
    nightly: NightlyScheduler | null;
  }
}

export interface OperationsOptions {
  /** The operations config file's content (default: every default). */
  config?: OpsConfig;
  /** The watched drop folder (overrides drops.dir; absolute). */
  dropsDir?: string | null;
  /** The scheduler's clock (deadlines, records; default the app's). */
  now?: () => Date;
  /** Steps after each successful publication, in order (channel batches, digests). */
  afterPublish?: AfterPublish[];
  /** Start watching when the server is ready (default true; tests drive `app.nightly.tick()`). */
  autoStart?: boolean;
  /** Where /metrics' token and other secrets are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export function installOperations(
  app: FastifyInstance,
  deps: RouteDeps,
  jobs: JobQueue,
  season: SeasonFile | undefined,
  o: OperationsOptions = {},
): NightlyScheduler | null {
  const config = o.config ?? defaultOpsConfig();
  healthRoutes(app, deps, { maxPublicationAgeHours: config.health.maxPublicationAgeHours });
  installMetrics(app, deps.db, { token: secretFromEnv(config.metrics.tokenEnv, o.env), jobs, now: deps.now });
  nightlyRoutes(app, deps);

  const dir = o.dropsDir ?? config.drops.dir;
  const scheduler = dir
    ? new NightlyScheduler({
        db: deps.db,
        jobs,
        season: season ?? { config: deps.config, source: inMemorySeason(deps.config) },
        dir,
        config: config.drops,
        now: o.now ?? deps.now,
        log: app.log,
        afterPublish: o.afterPublish,
        onDataChanged: () => dataChanged(app),
      })
    : null;
  app.decorate('nightly', scheduler);
  if (scheduler) {
    if (o.autoStart !== false) app.addHook('onReady', async () => scheduler.start());
    app.addHook('preClose', async () => {
      await scheduler.stop();
    });
  }
  return scheduler;
}
