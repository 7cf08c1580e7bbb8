// A load killed with SIGKILL at different points leaves the previous state intact, and the same drop
// loads completely afterwards.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/engines.js';
import { openDb } from '../db/open.js';
import { generateBank } from '../generator/bank.js';
import { PACKAGE_ROOT } from '../paths.js';
import { EXTRACTS } from './contract.js';
import { loadDrop } from './loader.js';

let work: string;
let sample: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wangji-crash-'));
  sample = join(work, 'sample');
  await generateBank({ customers: 3000, seed: 5, asOf: '2026-11-28', out: sample });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Start `wangji load`, kill it with SIGKILL when it reports starting the given file. */
function loadAndKill(db: string, killAtFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'test', 'run-cli.ts'), 'load', sample, '--db', db],
      { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`] ${killAtFile}\n`)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL'
        ? resolve(err)
        : reject(new Error(`load finished before the kill (${code}): ${err}`)),
    );
  });
}

describeEachEngine('a load killed midway', (engine) => {
  it('leaves the previous state, and the drop then loads completely', async () => {
    const db = await engine.open();
    const manifest = JSON.parse(readFileSync(join(sample, 'manifest.json'), 'utf8'));
    try {
      // The previous state: the base fixture drop.
      await loadDrop(db, join(PACKAGE_ROOT, 'test', 'fixtures', 'base'), { today: '2026-11-28' });
      const before: Record<string, unknown> = {};
      for (const e of EXTRACTS) before[e.name] = await db.query(`SELECT count(*) AS n FROM ${e.name}`);
      expect(before.customers).toEqual([{ n: 3 }]);
      await db.release();
      for (const file of ['customers.csv', 'balances.csv', 'credit_card_applications.csv']) {
        await loadAndKill(db.target.location, file);
        const after = await openDb(db.target);
        try {
          for (const e of EXTRACTS) {
            const n = await after.query(`SELECT count(*) AS n FROM ${e.name}`);
            expect([e.name, n]).toEqual([e.name, before[e.name]]);
          }
          expect(await after.query(`SELECT count(*) AS n FROM loads WHERE status = 'APPLIED'`)).toEqual([
            { n: 1 },
          ]);
        } finally {
          await after.close();
        }
      }
      const again = await openDb(db.target);
      try {
        const r = await loadDrop(again, sample);
        expect(r.status).toBe('APPLIED');
        // Snapshots now hold the sample's rows; increments hold the base's rows plus the sample's.
        for (const e of EXTRACTS) {
          const base = e.kind === 'fact' ? (before[e.name] as [{ n: number }])[0].n : 0;
          const n = await again.query(`SELECT count(*) AS n FROM ${e.name}`);
          expect([e.name, n]).toEqual([e.name, [{ n: manifest.files[e.name].rows + base }]]);
        }
      } finally {
        await again.close();
      }
    } finally {
      await db.close();
    }
  });
});
