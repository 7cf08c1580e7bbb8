// `wangji serve` as a process: prints the URL, answers over HTTP, and on SIGTERM closes the server and
// the database (a DuckDB file can then be opened again) and exits 0.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { openDb } from '../db/open.js';
import { PACKAGE_ROOT } from '../paths.js';

describeEachEngine('wangji serve', (engine) => {
  it('serves until SIGTERM, then closes the database and exits 0', async () => {
    const db = await engine.open();
    await db.release();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PACKAGE_ROOT, 'test', 'run-cli.ts'),
        'serve',
        '--port',
        '0',
        '--db',
        db.target.location,
      ],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m) resolve(m[0]);
        });
        void exited.then((code) =>
          reject(new Error(`serve exited (${code}) before printing its URL: ${err}`)),
        );
      });
      expect(out).toContain(`${url}/api/docs`);
      const docs = await fetch(`${url}/api/docs/json`);
      expect(docs.status).toBe(200);
      expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
      const tasks = await fetch(`${url}/api/tasks`);
      expect(tasks.status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err).toContain('SIGTERM');
      expect(err).toContain('"route":"GET /api/tasks"');
      // The database was closed: it opens again (DuckDB locks its file per process).
      const again = await openDb(db.target);
      await again.close();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.close();
    }
  }, 60_000);
});
