// wangji report weekly: the weekly briefing (按周通报) as of D, written to an .xlsx, .csv or .json file.

import { extname } from 'node:path';
import { loadSeasonConfig, type Program } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import { BriefingError, type BriefingLevel, buildBriefing } from '../../reports/briefing.js';
import type { Lang } from '../../reports/columns.js';
import { writeBriefingCsv } from '../../reports/csv.js';
import { writeBriefingJson } from '../../reports/json.js';
import { writeBriefingXlsx } from '../../reports/xlsx.js';
import type { Output } from '../output.js';

export interface WeeklyReportOptions {
  asOf: string;
  level?: BriefingLevel;
  program?: Program;
  view?: string;
  period?: string;
  lang: Lang;
  out: string;
  config?: string;
}

const WRITERS = { '.xlsx': writeBriefingXlsx, '.csv': writeBriefingCsv, '.json': writeBriefingJson };

export async function reportWeeklyCommand(
  target: DbTarget,
  o: WeeklyReportOptions,
  out: Output,
): Promise<number> {
  const ext = extname(o.out).toLowerCase();
  if (!(ext in WRITERS)) {
    out.error(`--out ${o.out}: the file must end in .xlsx, .csv or .json`);
    return 2;
  }
  const write = WRITERS[ext as keyof typeof WRITERS];
  const config = loadSeasonConfig(o.config);
  const db = await openDb(target);
  try {
    const briefing = await buildBriefing(db, config, o);
    await write(briefing, o.lang, o.out);
    const rows = briefing.kpis.reduce((n, k) => n + k.rows.length, 0);
    const summary = {
      file: o.out,
      asOf: briefing.asOf,
      previousAsOf: briefing.previousAsOf,
      levels: briefing.levels,
      kpis: briefing.kpis.map((k) => ({ kpi: k.kpi, level: k.level, rows: k.rows.length })),
      rows,
    };
    out.result(summary, () => [
      `按周通报 Weekly briefing as of ${briefing.asOf} (compared with ${briefing.previousAsOf ?? 'none: first briefing'}) → ${o.out}`,
      briefing.kpis.length === 0
        ? '本期无设定目标的指标 No KPI has targets: load them with `wangji targets load FILE` and rerun the pipeline'
        : `${briefing.kpis.length} KPI table(s), ${rows} row(s), level ${briefing.levels.join(', ')}`,
    ]);
    return 0;
  } catch (e) {
    if (!(e instanceof BriefingError)) throw e;
    out.error(e.message);
    return 1;
  } finally {
    await db.close();
  }
}
