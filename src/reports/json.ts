// The briefing as JSON, for programs: decimals stay the exact text of kpi_progress ("1234.50"), never
// floats; ranks are integers; names in the chosen language.

import { writeFile } from 'node:fs/promises';
import type { Briefing } from './briefing.js';
import type { Lang } from './columns.js';

export function briefingJson(b: Briefing, lang: Lang) {
  return {
    asOf: b.asOf,
    previousAsOf: b.previousAsOf,
    season: b.season,
    phase: b.phase,
    view: b.view && { name: b.view.name, title: b.view.title[lang] },
    levels: b.levels,
    program: b.program,
    headline: b.headline,
    kpis: b.kpis.map((k) => ({
      kpi: k.kpi,
      name: k.def[lang],
      level: k.level,
      program: k.def.program,
      unit: k.def.unit,
      balance: k.def.balance,
      rows: k.rows,
    })),
  };
}

export async function writeBriefingJson(b: Briefing, lang: Lang, file: string): Promise<void> {
  await writeFile(file, `${JSON.stringify(briefingJson(b, lang), null, 2)}\n`, 'utf8');
}
