// Reference data of the synthetic bank: products, the supported overseas institutions (real
// universities from the shipped list; their banks, BICs and accounts invented), benefit programs.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Institution as MatcherInstitution } from '../matching/institutions.js';
import { normaliseName } from '../matching/normalise.js';
import { PACKAGE_ROOT } from '../paths.js';
import type { Cell } from './csv.js';
import { Rng } from './random.js';

export const PRODUCTS: Cell[][] = [
  // product_code, product_name, category, risk_rating, min_age, max_age, card_kind, division_codes
  ['DC-STD', '借记卡', 'CARD', null, null, null, 'STANDARD', null],
  ['DC-SSC3', '第三代社保卡', 'CARD', null, 16, null, 'SSC_GEN3', null],
  ['DC-SSC2', '第二代社保卡', 'CARD', null, 16, null, 'SSC_GEN2', null],
  ['DC-COUNTY', '县域专属借记卡', 'CARD', null, 16, null, 'COUNTY_DEBIT', null],
  ['CC-STD', '标准信用卡', 'CREDIT_CARD', null, 18, 65, 'STANDARD_CREDIT', null],
  ['CC-COUNTY', '县域专属信用卡', 'CREDIT_CARD', null, 18, 60, 'COUNTY_CREDIT', null],
  ['SAV', '活期储蓄', 'DEPOSIT', null, null, null, null, null],
  ['SAV-MINOR', '少儿成长账户', 'DEPOSIT', null, 0, 17, null, null],
  ['TD-1Y', '一年期定期存款', 'TIME_DEPOSIT', null, null, null, null, null],
  ['TD-3Y', '三年期定期存款', 'TIME_DEPOSIT', null, null, null, null, null],
  ['TD-SILVER', '银发专属存款', 'TIME_DEPOSIT', null, 55, null, null, null],
  ['WM-R1', '现金管理理财', 'WEALTH', 'R1', 18, null, null, null],
  ['WM-R2', '稳健理财', 'WEALTH', 'R2', 18, null, null, null],
  ['WM-R3', '平衡理财', 'WEALTH', 'R3', 18, null, null, null],
  ['FUND-R3', '混合基金定投', 'FUND', 'R3', 18, null, null, null],
  ['FUND-R4', '权益基金', 'FUND', 'R4', 18, 70, null, null],
  ['INS-LIFE', '终身寿险', 'INSURANCE', 'R2', 18, 65, null, null],
  ['INS-PENSION', '养老年金保险', 'INSURANCE', 'R1', 18, 60, null, null],
  ['GOLD', '积存金', 'GOLD', 'R3', 18, null, null, null],
  ['LOAN-BIZ', '个人经营贷', 'LOAN', null, 18, 65, null, null],
  ['LOAN-CONSUMER', '个人消费贷', 'LOAN', null, 18, 60, null, null],
  ['APP-MOBILE', '手机银行', 'APP', null, null, null, null, null],
  ['APP-COUNTY', '县域生活APP', 'APP', null, null, null, null, null],
  ['PAY-AUTODEBIT', '签约代扣缴费', 'PAYMENT', null, null, null, null, null],
  ['PAY-TUITION', '跨境缴费', 'PAYMENT', null, 18, null, null, null],
  ['ECNY', '数字人民币钱包', 'ECNY', null, null, null, null, null],
];

export interface University {
  domain: string;
  country: string;
  name: string;
}

export function universities(): University[] {
  const text = readFileSync(join(PACKAGE_ROOT, 'src', 'generator', 'data', 'universities.csv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [domain, country, ...name] = line.split(',');
      return { domain: domain as string, country: country as string, name: name.join(',') };
    });
}

/** Countries Chinese families most often pay tuition to (all on country-code domains). */
const STUDY_COUNTRIES = [
  'GB',
  'AU',
  'CA',
  'SG',
  'JP',
  'DE',
  'FR',
  'NZ',
  'NL',
  'IE',
  'KR',
  'MY',
  'CH',
  'IT',
  'ES',
  'SE',
];

export interface Institution {
  id: string;
  name: string;
  country: string;
  bic: string;
  account: string;
  aliases: string[];
  supportsTuition: boolean;
}

/** A few banks per country: many institutions share a bank (and so a BIC). */
function banksOf(country: string, r: Rng): string[] {
  const letters = 'ABCDEFGHIJKLMNOPRSTUVWXYZ';
  return Array.from({ length: 4 }, () => {
    let code = '';
    for (let i = 0; i < 4; i++) code += r.pick([...letters]);
    return `${code}${country}${r.pick(['2L', '22', '2X', '3M', 'SG', 'TT'])}`;
  });
}

/** The institutions of the extract (the supported list and a few that do not take tuition), and other universities (not listed). */
export function buildInstitutions(
  seed: number,
  listed: number,
): { listed: Institution[]; unlisted: Institution[] } {
  const r = new Rng(seed, 'institutions');
  // One institution per normalised name, so that an exact name match is never ambiguous.
  const seen = new Set<string>();
  const all = universities().filter((u) => {
    if (!STUDY_COUNTRIES.includes(u.country) || !/universit/i.test(u.name)) return false;
    const key = normaliseName(u.name);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const banks = new Map(STUDY_COUNTRIES.map((c) => [c, banksOf(c, new Rng(seed, `banks:${c}`))]));
  const chosen: Institution[] = [];
  const rest: Institution[] = [];
  for (const [i, u] of all.entries()) {
    const inst: Institution = {
      id: `INST${String(i + 1).padStart(5, '0')}`,
      name: u.name,
      country: u.country,
      bic: r.pick(banks.get(u.country) as string[]),
      account: `${u.country}${r.digits(2)}${r.digits(16)}`,
      aliases: aliasesOf(u.name),
      supportsTuition: true,
    };
    (r.chance(listed / all.length) ? chosen : rest).push(inst);
  }
  // A tenth of the listed institutions do not take tuition through the bank.
  for (const inst of chosen) inst.supportsTuition = !r.chance(0.1);
  return { listed: chosen, unlisted: rest };
}

/** The short form forms carry ("Univ of Toronto"). No initials: "UT" names many institutions. */
function aliasesOf(name: string): string[] {
  const short = name.replace(/\bUniversity\b/g, 'Univ').replace(/^The /, '');
  return short !== name ? [short] : [];
}

/** A generated institution as the matcher reads it from `overseas_institutions`. */
export function institutionRecord(i: Institution): MatcherInstitution {
  return {
    institution_id: i.id,
    institution_name: i.name,
    country: i.country,
    swift_bic: i.bic,
    account_no: i.account,
    aliases: i.aliases.join('|') || null,
    supports_tuition: i.supportsTuition ? 'Y' : 'N',
  };
}

/** The institution's cells in the extract's column order. */
export function institutionRow(i: Institution): Cell[] {
  const r = institutionRecord(i);
  return [
    r.institution_id,
    r.institution_name,
    r.country,
    r.swift_bic,
    r.account_no,
    r.aliases,
    r.supports_tuition,
  ];
}
