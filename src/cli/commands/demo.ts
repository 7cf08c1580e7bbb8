// wangji demo: the Quickstart's main job. Generates the synthetic bank on first run (or uses the one
// already in the folder), loads it, and prints the load report.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DbTarget } from '../../db/open.js';
import { generateBank } from '../../generator/bank.js';
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
    out.progress(`使用已有数据 Using the bank already in ${o.sample}`);
  } else {
    out.progress(
      `生成模拟银行 Generating a bank of ${o.customers.toLocaleString('en-US')} customers (seed ${o.seed}, as of ${o.asOf}) in ${o.sample}`,
    );
    await generateBank({
      customers: o.customers,
      seed: o.seed,
      asOf: o.asOf,
      out: o.sample,
      onProgress: (m) => out.progress(m),
    });
  }
  return loadCommand(target, o.sample, {}, out);
}
