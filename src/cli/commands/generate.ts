// wangji generate: write a synthetic bank (every extract, and manifest.json) to a folder.

import { generateBank } from '../../generator/bank.js';
import { type Output, renderTable } from '../output.js';

export interface GenerateOptions {
  customers: number;
  seed: number;
  asOf: string;
  out: string;
  format: 'csv' | 'parquet';
  seasonStart: string;
}

export async function generateCommand(o: GenerateOptions, out: Output): Promise<number> {
  out.progress(
    `生成模拟银行 Generating ${o.customers.toLocaleString('en-US')} customers (seed ${o.seed}, as of ${o.asOf}) into ${o.out}`,
  );
  const res = await generateBank({ ...o, onProgress: (m) => out.progress(m) });
  out.result(res, () => [
    `模拟银行 Synthetic bank written to ${res.out} (as of ${res.asOf}, season from ${res.season.start}, history from ${res.season.historyStart}; ${res.seconds.toFixed(1)}s)`,
    ...renderTable(
      ['extract', 'rows'],
      Object.entries(res.files).map(([k, v]) => [k, v.rows]),
    ),
  ]);
  return 0;
}
