// wangji serve: the API server over the database (it owns a DuckDB file while it runs). Prints the URL,
// logs requests as JSON lines on stderr, and closes the server and the database on SIGINT or SIGTERM.

import { loadSeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { buildApp } from '../../server/app.js';
import type { Output } from '../output.js';

export interface ServeOptions {
  port: number;
  host: string;
  config?: string;
}

/** Resolves with the exit code once a signal has stopped the server. */
export async function serveCommand(target: DbTarget, o: ServeOptions, out: Output): Promise<number> {
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ db, config, log: { stream: process.stderr } });
    await app.listen({ port: o.port, host: o.host });
  } catch (e) {
    await db.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${shown}:${port}`;
  out.result({ url, docs: `${url}/api/docs`, db: db.location }, () => [
    `旺季 Wangji API: ${url}`,
    `接口文档 API docs: ${url}/api/docs`,
    `数据库 Database: ${db.location}`,
    'Ctrl-C to stop',
  ]);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      out.progress(`${signal}: stopping`);
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
