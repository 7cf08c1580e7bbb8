// Rendering a SQL model's template for a run: parameters ({{as_of}}, thresholds …) first, then the
// macros ({{ref:model}}, {{ratio: a ;; b}}, {{money: a ;; b}}, {{spread: t}}, {{tier_rate: x}},
// {{next_tier_min: x}}, {{any_keyword: x}}, {{key_county: x}}, {{covers_division: p ;; c}}).
// Values come from validated dates and the season config only, never from extract data.

import { quoteString } from '../db/dialect.js';
import type { RunContext } from './models.js';

/** Fill a SQL model's template for this run. */
export function renderSql(
  sql: string,
  ctx: RunContext,
  ratio: (a: string, b: string, scale?: number) => string,
): string {
  // Parameters first, so that a macro's arguments may use them: {{ratio: x ;; {{L_days}}}}.
  const withParams = sql.replace(/\{\{\s*([A-Za-z_][A-Za-z_0-9]*)\s*\}\}/g, (_, name: string) => {
    const v = ctx.params[name];
    if (v === undefined) throw new Error(`unknown template parameter {{${name}}}`);
    return v;
  });
  return withParams.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    if (expr.startsWith('ref:')) return ctx.tableOf(expr.slice(4).trim());
    if (expr.startsWith('spread:')) {
      // The season config's spread of an account_type (0 for a type it does not name).
      const x = expr.slice(7).trim();
      const whens = Object.entries(ctx.spreads).map(
        ([type, rate]) => `WHEN '${type}' THEN CAST('${rate}' AS DECIMAL(12,6))`,
      );
      return `(CASE ${x} ${whens.join(' ')} ELSE CAST(0 AS DECIMAL(12,6)) END)`;
    }
    if (expr.startsWith('any_keyword:')) {
      // Whether a text holds one of the season's biller keywords.
      const x = expr.slice(12).trim();
      return `(${ctx.billerKeywords.map((k) => `${x} LIKE ${quoteString(`%${k}%`)}`).join(' OR ') || 'FALSE'})`;
    }
    if (expr.startsWith('bytes:')) {
      // Text compared byte by byte on both engines (PostgreSQL would use the database's locale).
      return ctx.binaryText(expr.slice(6).trim());
    }
    if (expr.startsWith('key_county:')) {
      // Whether a division code is one of the season's key counties (COUNTY_CREDIT's higher weight).
      const x = expr.slice(11).trim();
      return ctx.keyCounties.length
        ? `(${x} IN (${ctx.keyCounties.map(quoteString).join(', ')}))`
        : '(1 = 0)';
    }
    if (expr.startsWith('next_tier_min:')) {
      // The floor of the next fee tier above an ADB (empty at the top tier).
      const x = expr.slice(14).trim();
      const whens = ctx.feeTiers
        .slice(1)
        .map(
          (t) =>
            `WHEN ${x} < CAST('${t.min_adb}' AS DECIMAL(38,10)) THEN CAST('${t.min_adb}' AS DECIMAL(38,10))`,
        );
      return `(CASE ${whens.join(' ')} END)`;
    }
    if (expr.startsWith('covers_division:')) {
      // A program's division_code covers every code under it: 420000 → 42xxxx, 420200 → 4202xx.
      const [program, code] = expr
        .slice(16)
        .split(';;')
        .map((v) => v.trim());
      if (!program || !code) throw new Error(`{{${expr}}}: needs "program_code ;; division_code"`);
      return `(CASE WHEN substr(${program}, 3, 4) = '0000' THEN substr(${code}, 1, 2) = substr(${program}, 1, 2)
        WHEN substr(${program}, 5, 2) = '00' THEN substr(${code}, 1, 4) = substr(${program}, 1, 4)
        ELSE ${code} = ${program} END)`;
    }
    if (expr.startsWith('tier_rate:')) {
      // The rate of the highest tier whose floor the value reaches (METRICS.md M5).
      const x = expr.slice(10).trim();
      const whens = [...ctx.feeTiers]
        .reverse()
        .map(
          (t) =>
            `WHEN ${x} >= CAST('${t.min_adb}' AS DECIMAL(38,10)) THEN CAST('${t.rate}' AS DECIMAL(12,6))`,
        );
      return `(CASE ${whens.join(' ')} END)`;
    }
    const division = /^(ratio|money):/.exec(expr);
    if (division) {
      const [a, b] = expr.slice(division[0].length).split(';;');
      if (a === undefined || b === undefined) throw new Error(`{{${expr}}}: a division needs "a ;; b"`);
      return ratio(a.trim(), b.trim(), division[1] === 'money' ? 2 : 10);
    }
    const v = ctx.params[expr];
    if (v === undefined) throw new Error(`unknown template parameter {{${expr}}}`);
    return v;
  });
}
