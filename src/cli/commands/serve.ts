// wangji serve: the API server over the database (it owns a DuckDB file while it runs). Prints the URL,
// logs requests as JSON lines on stderr, and closes the server and the database on SIGINT or SIGTERM.
// With --drops DIR (or drops.dir in the ops config) it also watches the nightly drop folder
// (src/nightly/scheduler.ts); --ops-config names the operations config file (default
// config/wangji.yaml when it exists: src/nightly/config.ts, docs/operations.md).

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { channelsAndNoticesSteps, startChannelsTimer } from '../../channels/schedule.js';
import type { SeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { type OpsConfig, readOpsConfig } from '../../nightly/config.js';
import type { AfterPublish } from '../../nightly/scheduler.js';
import { DEFAULT_DROPS_ROOT } from '../../ops/drops.js';
import { readSeasonFile } from '../../ops/season.js';
import { buildApp } from '../../server/app.js';
import type { Output } from '../output.js';

export interface ServeOptions {
  port: number;
  host: string;
  config?: string;
  /** The folder POST /api/ops/loads may load drops from (default ./data/drops). */
  dropsRoot?: string;
  /** The folder POST /api/ops/backup writes backups into (default ./data/backups). */
  backupsRoot?: string;
  /** The built web app to serve at / (default dist/web). */
  webRoot?: string;
  /** The nightly drop folder to watch (overrides drops.dir of the ops config). */
  drops?: string;
  /** The operations config file (default config/wangji.yaml when it exists). */
  opsConfig?: string;
}

/**
 * What runs after each nightly publication, in order (the channels' batches, the notices' digest …):
 * add a step here. A step that throws is logged and alerted; the publication stands.
 */
export function afterPublishSteps(ops: OpsConfig, season?: SeasonConfig): AfterPublish[] {
  // The remote channels' batches and the notices (src/channels/schedule.ts), near the end.
  return season ? [...channelsAndNoticesSteps(season, ops)] : [];
}

/** Resolves with the exit code once a signal has stopped the server. */
export async function serveCommand(target: DbTarget, o: ServeOptions, out: Output): Promise<number> {
  // Read once: the API's runs use this file (its hash goes to the run ledger and the audit log).
  const season = readSeasonFile(o.config);
  const dropsRoot = resolve(o.dropsRoot ?? DEFAULT_DROPS_ROOT);
  const ops = readOpsConfig(o.opsConfig);
  const dropsDirSetting = o.drops ?? ops.config.drops.dir;
  const dropsDir = dropsDirSetting ? resolve(dropsDirSetting) : null;
  const db = await openDb(target);
  let app: Awaited<ReturnType<typeof buildApp>>;
  let stopChannels: () => void = () => undefined;
  try {
    app = await buildApp({
      db,
      config: season.config,
      log: { stream: process.stderr },
      // A PostgreSQL backup opens a connection of its own: it is given the URL as opened.
      ops: { dropsRoot, season, backups: { root: o.backupsRoot, target } },
      operations: {
        config: ops.config,
        dropsDir,
        afterPublish: afterPublishSteps(ops.config, season.config),
      },
      ...(o.webRoot ? { webRoot: resolve(o.webRoot) } : {}),
    });
    await app.listen({ port: o.port, host: o.host });
    stopChannels = startChannelsTimer(db, season.config, ops.config, app.log);
  } catch (e) {
    await db.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shown}:${port}`;
  out.result(
    { url, docs: `${url}/api/docs`, db: db.location, dropsRoot, dropsDir, opsConfig: ops.file },
    () => [
      `旺季 Wangji 网页 web app: ${url}  (接口 API: ${url}/api)`,
      `接口文档 API docs: ${url}/api/docs`,
      `数据库 Database: ${db.location}`,
      `数据投放目录 Drops root: ${dropsRoot}${existsSync(dropsRoot) ? '' : ' (missing: loads through the API are refused until it exists)'}`,
      `夜间投放 Nightly drops: ${dropsDir ? `${dropsDir}${existsSync(dropsDir) ? '' : ' (missing: looked for at every poll)'} (published by ${ops.config.drops.expectedBy} bank time)` : 'not watched (--drops DIR)'}`,
      `运维配置 Ops config: ${ops.file ?? 'defaults (no config/wangji.yaml)'}`,
      `健康 Health: ${url}/healthz  ${url}/readyz  ${url}/metrics`,
      'Ctrl-C to stop',
    ],
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      out.progress(`${signal}: stopping`);
      stopChannels();
      app
        .close()
        .catch((e: unknown) => out.error(`closing the server: ${(e as Error).message}`))
        .then(() => db.close())
        .catch((e: unknown) => out.error(`closing the database: ${(e as Error).message}`))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve(0);
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
