// `wangji serve --drops-root DIR` as a process: an HQ_OPS user (made with `wangji users add`) signs in,
// loads a drop named relative to the root (the job ends DONE, one LOAD entry in the audit log) and is
// refused folders outside it.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { insertBank } from '../../test/hand-made.js';
import { run as cli } from '../cli/main.js';
import { openDb } from '../db/open.js';
import { PACKAGE_ROOT } from '../paths.js';

const BASE = join(PACKAGE_ROOT, 'test', 'fixtures', 'base');

describeEachEngine('wangji serve --drops-root', (engine) => {
  it('loads a drop inside the root through the API, refuses one outside', async () => {
    const db = await engine.open();
    const root = mkdtempSync(join(tmpdir(), 'wangji-ops-serve-'));
    await insertBank(db, [['orgs', 'org_id, org_name, level, parent_id', ["('HQ', '总行', 'HQ', NULL)"]]]);
    await db.release();
    let printed = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      printed += String(s);
      return true;
    });
    try {
      const code = await cli([
        'node',
        'wangji',
        'users',
        'add',
        'ops',
        '--role',
        'HQ_OPS',
        '--org',
        'HQ',
        '--json',
        '--db',
        db.target.location,
      ]);
      expect(code).toBe(0);
    } finally {
      out.mockRestore();
    }
    const password = (JSON.parse(printed) as { password: string }).password;
    // The base fixture copied into the root is a drop; linked into it, it is outside.
    cpSync(BASE, join(root, 'drops', 'base'), { recursive: true });
    const dropReal = realpathSync(join(root, 'drops', 'base'));
    symlinkSync(BASE, join(root, 'linked'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PACKAGE_ROOT, 'test', 'run-cli.ts'),
        'serve',
        '--port',
        '0',
        '--drops-root',
        root,
        '--db',
        db.target.location,
      ],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+/.exec(stdout);
          if (m && stdout.includes('Ctrl-C')) resolve(m[0]);
        });
        void exited.then((c) => reject(new Error(`serve exited (${c}): ${stderr}`)));
      });
      expect(stdout).toContain(`Drops root: ${root}`);
      const signIn = await fetch(`${url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'ops', password }),
      });
      expect(signIn.status).toBe(200);
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const csrf = ((await signIn.json()) as { csrfToken: string }).csrfToken;
      const post = (dir: string) =>
        fetch(`${url}/api/ops/loads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
          body: JSON.stringify({ dir }),
        });
      // The link points outside the root: refused, like a path with "..".
      expect((await post('linked')).status).toBe(400);
      expect((await post('drops/../../x')).status).toBe(400);
      expect((await post(BASE)).status).toBe(400);
      const asked = await post('drops/base');
      expect(asked.status).toBe(202);
      const { id } = (await asked.json()) as { id: string };
      let job: { status: string; result: { status: string } | null } = { status: 'QUEUED', result: null };
      await vi.waitFor(
        async () => {
          job = await (await fetch(`${url}/api/ops/jobs/${id}`, { headers: { cookie } })).json();
          expect(['DONE', 'FAILED']).toContain(job.status);
        },
        { timeout: 30_000, interval: 200 },
      );
      expect(job).toMatchObject({ status: 'DONE', result: { status: 'APPLIED' } });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
    const again = await openDb(db.target);
    try {
      const loads = await again.query<{ actor: string; detail: string }>(
        'SELECT actor, detail FROM audit_log WHERE action = $1',
        ['LOAD'],
      );
      expect(loads.map((l) => l.actor)).toEqual(['ops']);
      expect(JSON.parse(loads[0]?.detail ?? '{}')).toMatchObject({
        status: 'APPLIED',
        dir: dropReal,
      });
    } finally {
      await again.close();
      await db.close();
    }
  }, 60_000);
});
