// The loader's validation as set-based SQL, in two parts:
//  - format checks (required, types, ranges, enumerations, check digits) are evaluated by DuckDB while
//    it reads the file, for both engines — the file is always parsed by DuckDB, so this SQL is written
//    once and runs in parallel with the read;
//  - reference checks (an id that must exist in another extract) run in the target engine, where the
//    referenced rows are.
// Each gives, per column, the reason a value is refused, or NULL when it is accepted.

import { duckDbDialect, quoteIdent, quoteString } from '../db/dialect.js';
import { idCardValidSql, luhnValidSql, usccValidSql } from '../domain/checkDigits.js';
import type { Column, Extract } from './contract.js';

/**
 * The visible stand-in for a NUL character in staged text: PostgreSQL cannot store NUL at all (the
 * staged rows could not even be copied to it), so both engines stage ␀ instead, refuse the value
 * for it ('contains a NUL character') and keep it in the quarantine as ␀.
 */
export const NUL_MARK = '\u2400';

/**
 * The DuckDB expression that reads a raw column into its staged text: NUL shown as ␀; trimmed of
 * spaces and of a byte-order mark (U+FEFF, left at the start of a record when files were
 * concatenated: invisible, never part of a value); empty → NULL; codes upper-cased.
 */
export function stageExpr(c: Column): string {
  const text = `replace(CAST(${quoteIdent(c.name)} AS VARCHAR), chr(0), chr(${NUL_MARK.charCodeAt(0)}))`;
  let e = `nullif(trim(${text}, ' ' || chr(65279)), '')`;
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

/** A real calendar date written YYYY-MM-DD, years 1000–9999 (TRY_CAST refuses 2026-02-30). DuckDB SQL. */
function realDateSql(x: string): string {
  return `(regexp_full_match(${x}, '[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(${x} AS DATE) IS NOT NULL)`;
}

/** The staged column holding a column's format reason. */
export const formatReasonColumn = (c: Column) => `f_${c.name}`;

/** A rule whose condition accepts the value: no later rule of the column is evaluated. */
const OK = '';

/** [condition, reason] pairs in order; the first that holds gives the reason (OK: accepted). */
function rules(e: Extract, c: Column, asOf: string, s: string): [string, string][] {
  const d = duckDbDialect;
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
      out.push([`NOT ${realDateSql(x)}`, 'not a real calendar date YYYY-MM-DD']);
      const lo = t.range === 'fact' ? '2000-01-01' : t.range === 'life' ? '1900-01-01' : null;
      if (lo) {
        out.push([
          `CAST(${x} AS DATE) NOT BETWEEN ${dateLiteral(lo)} AND ${dateLiteral(asOf)}`,
          `date outside ${lo}…${asOf}`,
        ]);
      }
      break;
    }
    case 'amount':
    case 'rate': {
      const places = t.kind === 'amount' ? 2 : 6;
      const intDigits = t.kind === 'amount' ? 16 : 6;
      const sign = t.kind === 'amount' && t.signed ? '-?' : '';
      // The common case first: one pattern that accepts a well-formed value; the rest only diagnose.
      out.push([`${d.fullMatch(x, `${sign}[0-9]{1,${intDigits}}([.][0-9]{1,${places}}0*)?`)}`, OK]);
      out.push([`NOT ${d.fullMatch(x, '-?[0-9]+([.][0-9]+)?')}`, 'not a decimal number']);
      if (!sign) out.push([`${x} LIKE '-%'`, 'negative amount']);
      out.push([
        `NOT ${d.fullMatch(x, `-?[0-9]+([.][0-9]{1,${places}}0*)?`)}`,
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
  if (e.name === 'orgs' && c.name === 'parent_id') {
    out.unshift([`${col('level')} = 'HQ'`, 'HQ has no parent']);
  }
  return out;
}

/** The format reason of one column over the normalised row `s` (DuckDB SQL): NULL when accepted. */
export function formatReasonSql(e: Extract, c: Column, asOf: string, s: string): string {
  const x = `${s}.${quoteIdent(c.name)}`;
  const whens = rules(e, c, asOf, s).map(
    ([cond, reason]) => `WHEN ${cond} THEN ${reason === OK ? 'NULL' : quoteString(reason)}`,
  );
  let missing = c.required
    ? `WHEN ${x} IS NULL THEN 'required value missing'`
    : `WHEN ${x} IS NULL THEN NULL`;
  if (e.name === 'orgs' && c.name === 'parent_id') {
    // Required except at HQ; a parent given for HQ is refused by the first rule.
    missing = `WHEN ${x} IS NULL THEN (CASE WHEN ${s}.level = 'HQ' THEN NULL ELSE 'required below HQ' END)`;
  }
  // PostgreSQL cannot store a NUL character: refused on both engines alike (staged as ␀, see stageExpr).
  const nul = `WHEN strpos(${x}, chr(${NUL_MARK.charCodeAt(0)})) > 0 THEN 'contains a NUL character'`;
  return `CASE ${missing} ${nul} ${whens.join(' ')} END`;
}

/**
 * The final reason of one column in the target engine: its format reason, else — for a hard
 * reference — "unknown …" when the joined reference `ref` (key column `k`) has no match.
 */
export function reasonSql(c: Column, s: string, ref: string | null): string {
  const f = `${s}.${quoteIdent(formatReasonColumn(c))}`;
  if (!c.ref || !ref) return f;
  return `CASE WHEN ${f} IS NOT NULL THEN ${f}
    WHEN ${s}.${quoteIdent(c.name)} IS NOT NULL AND ${ref}.k IS NULL THEN ${quoteString(`unknown ${c.ref.extract}.${c.ref.column}`)} END`;
}

/** The typed expression of a staged column, for the insert into the extract's table. */
export function typedSql(c: Column, s: string, sqlType: string): string {
  const x = `${s}.${quoteIdent(c.name)}`;
  return sqlType === 'VARCHAR' ? x : `CAST(${x} AS ${sqlType})`;
}
