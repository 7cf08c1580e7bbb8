// wangji generate: write a sample drop (CSV files and manifest.json) to a folder.

import { generateSample } from '../../generator/sample.js';
import { type Output, renderTable } from '../output.js';

export async function generateCommand(
  o: { customers: number; seed: number; asOf: string; out: string },
  out: Output,
): Promise<number> {
  const t0 = Date.now();
  const res = await generateSample(o);
  out.result(res, () => [
    `样例数据 Sample bank written to ${res.out} (as of ${res.asOf}, ${((Date.now() - t0) / 1000).toFixed(1)}s)`,
    ...renderTable(
      ['extract', 'rows'],
      Object.entries(res.files).map(([k, v]) => [k, v.rows]),
    ),
  ]);
  return 0;
}
