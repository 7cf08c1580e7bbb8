// The loader's validation as SQL, written once for both engines: per column, a CASE that gives the
// reason a value is refused (NULL when it is fine). Set-based over the staging table; no row-by-row JS.

import { type Dialect, quoteIdent, quoteString } from '../db/dialect.js';
import { idCardValidSql, luhnValidSql, usccValidSql } from '../domain/checkDigits.js';
import type { Column, Extract } from './contract.js';

/** The DuckDB expression that reads a raw column into its staged text: trimmed, empty → NULL, codes upper-cased. */
export function stageExpr(c: Column): string {
  let e = `nullif(trim(CAST(${quoteIdent(c.name)} AS VARCHAR)), '')`;
  const upper = c.upper || ['enum', 'flag', 'country', 'currency'].includes(c.type.kind);
  if (upper) e = `upper(${e})`;
  if (c.type.kind === 'flag') e = `coalesce(${e}, 'N')`; // empty consent/dnd/flags mean N
  return e;
}

/** Literal for a validated YYYY-MM-DD date (never user text). */
export function dateLiteral(d: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`not a date: ${d}`);
  return `DATE '${d}'`;
}

function realDateSql(x: string, d: Dialect): string {
  const y = `CAST(substr(${x}, 1, 4) AS INTEGER)`;
  const m = `CAST(substr(${x}, 6, 2) AS INTEGER)`;
  const day = `CAST(substr(${x}, 9, 2) AS INTEGER)`;
  const leap = `((${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0)`;
  const maxDay = `CASE WHEN ${m} = 2 THEN (CASE WHEN ${leap} THEN 29 ELSE 28 END) WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END`;
  return `(CASE WHEN ${d.fullMatch(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}')}
    THEN ${m} BETWEEN 1 AND 12 AND ${day} BETWEEN 1 AND ${maxDay} ELSE FALSE END)`;
}

export interface CheckContext {
  dialect: Dialect;
  asOf: string;
  /** Alias of the staging row. */
  s: string;
  /** Alias of the joined hard-reference table for a column (its key column is `k`). */
  refAlias: (column: string) => string;
}

/** [condition that refuses, reason] pairs in order; the first that holds is the reason. */
function rules(e: Extract, c: Column, ctx: CheckContext): [string, string][] {
  const { dialect: d, s } = ctx;
  const x = `${s}.${quoteIdent(c.name)}`;
  const col = (n: string) => `${s}.${quoteIdent(n)}`;
  const out: [string, string][] = [];
  const t = c.type;
  switch (t.kind) {
    case 'enum':
      out.push([
        `${x} NOT IN (${t.values.map(quoteString).join(', ')})`,
        `not one of ${t.values.join(', ')}`,
      ]);
      break;
    case 'flag':
      out.push([`${x} NOT IN ('Y', 'N')`, 'must be Y or N']);
      break;
    case 'date': {
      out.push([`NOT ${realDateSql(x, d)}`, 'not a real calendar date YYYY-MM-DD']);
      const lo = t.range === 'fact' ? '2000-01-01' : t.range === 'life' ? '1900-01-01' : null;
      if (lo) {
        out.push([
          `CAST(${x} AS DATE) NOT BETWEEN ${dateLiteral(lo)} AND ${dateLiteral(ctx.asOf)}`,
          `date outside ${lo}…${ctx.asOf}`,
        ]);
      }
      break;
    }
    case 'amount':
    case 'rate': {
      const places = t.kind === 'amount' ? 2 : 6;
      const intDigits = t.kind === 'amount' ? 16 : 6;
      out.push([`NOT ${d.fullMatch(x, '-?[0-9]+([.][0-9]+)?')}`, 'not a decimal number']);
      if (!(t.kind === 'amount' && t.signed)) out.push([`${x} LIKE '-%'`, 'negative amount']);
      out.push([
        `NOT ${d.fullMatch(x, `-?[0-9]+([.][0-9]{1,${places}})?`)}`,
        `more than ${places} decimal places`,
      ]);
      out.push([`NOT ${d.fullMatch(x, `-?0*[0-9]{1,${intDigits}}([.][0-9]+)?`)}`, 'amount too large']);
      break;
    }
    case 'count':
      out.push([`NOT ${d.fullMatch(x, '0*[0-9]{1,9}')}`, 'not a non-negative whole number']);
      break;
    case 'day_of_month':
      out.push([`NOT ${d.fullMatch(x, '[0-9]{1,2}')}`, 'not a day of month 1–31']);
      out.push([`CAST(${x} AS INTEGER) NOT BETWEEN 1 AND 31`, 'not a day of month 1–31']);
      break;
    case 'division':
      out.push([`NOT ${d.fullMatch(x, '[0-9]{6}')}`, 'not a 6-digit GB/T 2260 division code']);
      break;
    case 'country':
      out.push([`NOT ${d.fullMatch(x, '[A-Z]{2}')}`, 'not an ISO 3166-1 alpha-2 country code']);
      break;
    case 'currency':
      out.push([`NOT ${d.fullMatch(x, '[A-Z]{3}')}`, 'not an ISO 4217 currency code']);
      break;
    case 'text':
    case 'code':
      break;
  }
  switch (c.check) {
    case 'id_card':
      out.push([
        `${col('id_type')} = 'ID_CARD' AND NOT ${idCardValidSql(x, d.fullMatch)}`,
        'ID number fails the GB 11643-1999 check (18 characters with a valid check digit, or 15 digits)',
      ]);
      break;
    case 'uscc':
      out.push([
        `NOT ${usccValidSql(x, d.fullMatch)}`,
        'unified social credit code fails the GB 32100-2015 check',
      ]);
      break;
    case 'card_luhn':
      out.push([
        `${col('account_type')} IN ('DEBIT_CARD', 'CREDIT_CARD') AND NOT ${luhnValidSql(x, d.fullMatch)}`,
        'card number fails the Luhn check (16–19 digits)',
      ]);
      break;
    case undefined:
      break;
  }
  if (c.ref) out.push([`${ctx.refAlias(c.name)}.k IS NULL`, `unknown ${c.ref.extract}.${c.ref.column}`]);
  if (e.name === 'orgs' && c.name === 'parent_id') {
    out.unshift([`${col('level')} = 'HQ'`, 'HQ has no parent']);
  }
  return out;
}

/** The reason expression of one column: NULL when the value is accepted. */
export function reasonSql(e: Extract, c: Column, ctx: CheckContext): string {
  const x = `${ctx.s}.${quoteIdent(c.name)}`;
  const whens = rules(e, c, ctx).map(([cond, reason]) => `WHEN ${cond} THEN ${quoteString(reason)}`);
  let missing = c.required
    ? `WHEN ${x} IS NULL THEN 'required value missing'`
    : `WHEN ${x} IS NULL THEN NULL`;
  if (e.name === 'orgs' && c.name === 'parent_id') {
    missing = `WHEN ${x} IS NULL THEN (CASE WHEN ${ctx.s}.level = 'HQ' THEN NULL ELSE 'required below HQ' END)`;
    // A parent given for HQ is refused by the first rule.
  }
  return `CASE ${missing} ${whens.join(' ')} END`;
}

/** The typed expression of a staged column, for the insert into the extract's table. */
export function typedSql(c: Column, s: string, sqlType: string): string {
  const x = `${s}.${quoteIdent(c.name)}`;
  return sqlType === 'VARCHAR' ? x : `CAST(${x} AS ${sqlType})`;
}
