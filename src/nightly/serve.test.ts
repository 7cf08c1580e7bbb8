// `wangji serve --drops DIR --ops-config FILE` as a process, on both engines: not ready before the
// first publication; a drop delivered into the folder while it serves is loaded, run and published
// on its own (the poll of the config file); /readyz turns 200 and /metrics counts the drop; on
// SIGTERM the watcher and the server stop and the process exits 0.

import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { generateBank } from '../generator/bank.js';
import { PACKAGE_ROOT } from '../paths.js';

const D = '2026-12-01';
let work: string;
let staged: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-serve-drops-'));
  staged = join(work, 'staged');
  await generateBank({ customers: 200, seed: 5, asOf: D, out: staged });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describeEachEngine('wangji serve --drops', (engine) => {
  it('publishes a drop delivered while it serves, then stops cleanly on SIGTERM', async () => {
    const db = await engine.open();
    await db.release();
    const dir = join(work, `drops-${engine.kind}`);
    mkdirSync(dir);
    const config = join(work, `ops-${engine.kind}.yaml`);
    writeFileSync(
      config,
      'drops:\n  pollSeconds: 1\n  settleSeconds: 0\nhealth:\n  maxPublicationAgeHours: 1\n',
    );
    const child: ChildProcess = spawn(
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
        '--drops',
        dir,
        '--ops-config',
        config,
      ],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (m && out.includes('Ctrl-C')) resolve(m[0]);
        });
        void exited.then((code) => reject(new Error(`serve exited (${code}): ${err}`)));
      });
      expect(out).toContain(`Nightly drops: ${dir}`);
      expect(out).toContain(`Ops config: ${config}`);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(503);

      // The warehouse delivers: the whole folder appears at once (copied first: both engines use it).
      const copy = join(work, `copy-${engine.kind}`);
      cpSync(staged, copy, { recursive: true });
      renameSync(copy, join(dir, D));
      // Published (the run ledger) and then recorded as the drop taken.
      let metrics = '';
      for (let i = 0; i < 160 && !metrics.includes('wangji_drops_total{status="PUBLISHED"} 1'); i++) {
        await new Promise((r) => setTimeout(r, 250));
        metrics = await (await fetch(`${url}/metrics`)).text();
      }
      expect(metrics).toContain('wangji_drops_total{status="PUBLISHED"} 1');
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(err).toContain('"msg":"nightly: drop published"');

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await db.close();
    }
  }, 90_000);
});
