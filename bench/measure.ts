// One measured step of a benchmark: a command in its own process under /usr/bin/time — wall seconds,
// peak RSS and what it printed — and the bank it runs on.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');

export interface Step {
  label: string;
  seconds: number;
  peakRssMiB: number;
  stdout: string;
}

export function measure(label: string, cmd: string[], env: NodeJS.ProcessEnv = {}): Step {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M', ...cmd], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (res.status !== 0)
    throw new Error(
      `${label} failed (${res.status}):\n${res.stdout.slice(-1000)}\n${res.stderr.slice(-2000)}`,
    );
  const kib = Number(res.stderr.trim().split('\n').at(-1));
  console.error(`${label}: ${seconds.toFixed(1)} s, ${Math.round(kib / 1024)} MiB`);
  return { label, seconds, peakRssMiB: Math.round(kib / 1024), stdout: res.stdout };
}

/** The synthetic bank a benchmark runs on (seed 1), generated into `dir` unless it is there already. */
export function ensureBank(customers: number, asOf: string, dir: string): void {
  const wangji = join(ROOT, 'bin', 'wangji.js');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  if (existsSync(join(dir, 'manifest.json'))) return;
  console.error(`generating ${customers} customers into ${dir} …`);
  const args = ['generate', '--customers', String(customers), '--seed', '1', '--as-of', asOf, '--out', dir];
  measure('generate', [process.execPath, wangji, ...args]);
}
