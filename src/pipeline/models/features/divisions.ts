// divisions(division_code, division_name, city_name, province_name, is_county): the GB/T 2260
// county-level division table shipped with the project, with the is_county rule of METRICS.md
// applied once in TypeScript (src/domain/divisions.ts), so that both engines classify alike.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent } from '../../../db/dialect.js';
import { divisions, isCountyDivision } from '../../../domain/divisions.js';
import { CsvWriter } from '../../../generator/csv.js';
import type { Model } from '../../models.js';

export const divisionsModel: Model = {
  name: 'divisions',
  stage: 'features',
  description:
    'the GB/T 2260 county-level divisions shipped with Wangji, each with is_county (county-level and not a city district, per METRICS.md)',
  reads: [],
  key: ['division_code'],
  async build(db, _ctx, target) {
    const dir = await mkdtemp(join(tmpdir(), 'wangji-divisions-'));
    try {
      const file = join(dir, 'divisions.csv');
      const columns = ['division_code', 'division_name', 'city_name', 'province_name', 'is_county'];
      const out = new CsvWriter(file, columns, { header: false });
      for (const d of divisions().values())
        out.row([d.code, d.name, d.cityName, d.provinceName, String(isCountyDivision(d.code))]);
      out.close();
      await db.exec(
        `CREATE TABLE ${quoteIdent(target)} (division_code VARCHAR, division_name VARCHAR, city_name VARCHAR, province_name VARCHAR, is_county BOOLEAN)`,
      );
      await db.bulkLoad(target, columns, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
