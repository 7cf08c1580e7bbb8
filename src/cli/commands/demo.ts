// wangji demo: the Quickstart's main job. Generates the sample bank on first run (or uses the one
// already in the folder), loads it, and prints the load report.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DbTarget } from '../../db/open.js';
import { generateSample } from '../../generator/sample.js';
import type { Output } from '../output.js';
import { loadCommand } from './load.js';

export interface DemoOptions {
  sample: string;
  customers: number;
  seed: number;
  asOf: string;
}

export async function demoCommand(target: DbTarget, o: DemoOptions, out: Output): Promise<number> {
  if (existsSync(join(o.sample, 'manifest.json'))) {
    out.progress(`使用样例数据 Using the sample bank in ${o.sample}`);
  } else {
    out.progress(
      `生成样例数据 Generating a sample bank of ${o.customers} customers (seed ${o.seed}, as of ${o.asOf}) in ${o.sample}`,
    );
    await generateSample({ customers: o.customers, seed: o.seed, asOf: o.asOf, out: o.sample });
  }
  return loadCommand(target, o.sample, {}, out);
}
