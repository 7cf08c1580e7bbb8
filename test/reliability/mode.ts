// The reliability tests (issue #9) run in two sizes: bounded in every `npm test` (a few minutes in
// all, so that CI stays inside its 20 minutes) and in full with `npm run test:reliability`
// (WANGJI_RELIABILITY=full). Each test picks its sizes here and records what it survived — kills,
// rows fuzzed, requests fuzzed, anything lost — in bench/out/reliability/<name>.json, the figures
// docs/reliability.md reports.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const FULL = process.env.WANGJI_RELIABILITY === 'full';

/** The bounded size in CI, the full one under `npm run test:reliability`. */
export function sized<T>(bounded: T, full: T): T {
  return FULL ? full : bounded;
}

/** Record a test's figures (merged per name: later keys replace earlier ones). */
export function recordFigures(name: string, figures: Record<string, unknown>): void {
  const dir = join(PACKAGE_ROOT, 'bench', 'out', 'reliability');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, mode: FULL ? 'full' : 'bounded', at: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
}
