// The synthetic bank (`wangji generate`): every extract of DATA-CONTRACT.md for N customers, reproducible
// from a seed — randomness is keyed by (seed, entity), rows are written in key order in one deterministic
// pass, so the same arguments give byte-identical files on any machine. See docs/synthetic-bank.md.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { luhnCheckDigit } from '../domain/checkDigits.js';
import { isCountyDivision } from '../domain/divisions.js';
import { COUNTY_CREDIT_OCCUPATIONS, EXTRACTS } from '../extracts/contract.js';
import { dateOf, dayOf, daysInMonth, monthStart, type Season, seasonOf } from './calendar.js';
import { type Cell, CsvWriter } from './csv.js';
import { buildEmployers, type Employer } from './employers.js';
import { messyName } from './messy.js';
import { chineseName, idCard, mobile } from './names.js';
import { buildOrgTree, type Outlet } from './orgs.js';
import { toParquet } from './parquet.js';
import { logNormal, Rng, weighted, yuan } from './random.js';
import { buildInstitutions, type Institution, institutionRow, PRODUCTS } from './reference.js';

export interface BankOptions {
  customers: number;
  seed: number;
  asOf: string;
  out: string;
  format?: 'csv' | 'parquet';
  /** Season start as MM-DD (default 11-15). */
  seasonStart?: string;
  onProgress?: (message: string) => void;
}

export interface BankResult {
  out: string;
  asOf: string;
  season: Season;
  files: Record<string, { rows: number; sha256: string }>;
  seconds: number;
}

const COUNTY_STABLE: readonly string[] = COUNTY_CREDIT_OCCUPATIONS;
const EMPLOYED = new Set([...COUNTY_STABLE, 'RURAL_WORKER', 'MIGRANT_WORKER']);
const GOVERNMENT_JOBS = new Set(['CIVIL_SERVANT', 'MILITARY', 'PUBLIC_INSTITUTION', 'AGRI_OFFICIAL']);
const BILLERS: readonly (readonly [string, string])[] = [
  ['WATER', '市自来水有限公司'],
  ['WATER', '水务集团'],
  ['POWER', '国网供电公司'],
  ['POWER', '电力公司电费'],
  ['GAS', '燃气集团'],
  ['TELECOM', '中国移动话费'],
  ['TELECOM', '中国联通'],
  ['TELECOM', '中国电信'],
];
const CURRENCY: Record<string, [string, number]> = {
  GB: ['GBP', 9.1],
  AU: ['AUD', 4.7],
  CA: ['CAD', 5.2],
  SG: ['SGD', 5.4],
  JP: ['JPY', 0.048],
  DE: ['EUR', 7.8],
  FR: ['EUR', 7.8],
  NZ: ['NZD', 4.3],
  NL: ['EUR', 7.8],
  IE: ['EUR', 7.8],
  KR: ['KRW', 0.0053],
  MY: ['MYR', 1.55],
  CH: ['CHF', 8.1],
  IT: ['EUR', 7.8],
  ES: ['EUR', 7.8],
  SE: ['SEK', 0.68],
};
const MERCHANT_TYPES: readonly (readonly [string, number, number])[] = [
  // type, weight, median daily takings in fen
  ['CHAIN', 10, 5_000_000],
  ['SUPPLY_CHAIN_DEALER', 15, 3_000_000],
  ['PRO_MARKET', 15, 2_000_000],
  ['BUSINESS_DISTRICT', 15, 1_500_000],
  ['STREET', 30, 500_000],
  ['VEG_MARKET', 15, 300_000],
];
/** Fee-tier floors of METRICS.md (merchant ADB, fen): owners are spread over every tier. */
const TIER_BALANCES = [2_000_000, 10_000_000, 50_000_000, 200_000_000];

/** Generate the bank. Returns the manifest's file list. */
export async function generateBank(o: BankOptions): Promise<BankResult> {
  const t0 = Date.now();
  const season = seasonOf(o.asOf, o.seasonStart);
  const progress = o.onProgress ?? (() => undefined);
  const csvDir = o.format === 'parquet' ? join(o.out, '.csv') : o.out;
  mkdirSync(csvDir, { recursive: true });
  // A folder holds one drop: extract files of an earlier run (in either format) would be loaded with it.
  for (const e of EXTRACTS)
    for (const ext of ['csv', 'parquet']) rmSync(join(o.out, `${e.name}.${ext}`), { force: true });
  const w = new Map(
    EXTRACTS.map((e) => [
      e.name,
      new CsvWriter(
        join(csvDir, `${e.name}.csv`),
        e.columns.map((c) => c.name),
      ),
    ]),
  );
  const W = (name: string) => w.get(name) as CsvWriter;
  const seed = o.seed;

  const D = dayOf(season.asOf);
  const S = dayOf(season.start);
  const H = dayOf(season.historyStart);
  const R3 = dayOf(season.remittanceStart);
  const rand = (a: number, b: number, r: Rng) => r.int(Math.min(a, b), Math.max(a, b));

  // Reference extracts.
  const tree = buildOrgTree(seed, o.customers);
  for (const row of tree.orgRows) W('orgs').row(row);
  for (const row of tree.staffRows) W('staff').row(row);
  for (const p of PRODUCTS) W('products').row(p);
  const {
    employers,
    rows: employerRows,
    pick: pickEmployer,
  } = buildEmployers(seed, o.customers, season, tree);
  const institutions = buildInstitutions(seed, Math.max(60, Math.min(600, Math.round(o.customers / 200))));
  for (const inst of institutions.listed) W('overseas_institutions').row(institutionRow(inst));

  // Benefit programs: a pension program per province and per city, farm subsidies per county outlet
  // division, an elder allowance per city. Each customer's programs are those covering their division.
  const programs: Cell[][] = [];
  const pensionOf = new Map<string, string[]>();
  for (const p of tree.provinces) {
    programs.push([
      `BP-PEN-${p}`,
      `${p}城乡居民基本养老金`,
      'PENSION',
      `${p}0000`,
      'Y',
      10 + (Number(p) % 10),
      '2010-01-01',
      null,
    ]);
  }
  for (const c of tree.cities) {
    programs.push([`BP-PEN-${c}`, `${c}城镇职工基本养老金`, 'PENSION', `${c}00`, 'N', 5, '2005-01-01', null]);
    programs.push([`BP-OTH-${c}`, `${c}高龄津贴`, 'OTHER_SUBSIDY', `${c}00`, 'Y', 25, '2018-01-01', null]);
    pensionOf.set(c, [`BP-PEN-${c.slice(0, 2)}`, `BP-PEN-${c}`]);
  }
  // Farm subsidies cover every county-level division of the bank's cities (customers live around outlets).
  const countyDivisions = [...new Set(tree.outlets.flatMap((x) => x.nearby))].filter(isCountyDivision).sort();
  const outletCounties = [...new Set(tree.outlets.filter((x) => x.county).map((x) => x.division))].sort();
  for (const [i, d] of countyDivisions.entries()) {
    programs.push([
      `BP-FARM-${d}`,
      `${d}耕地地力保护补贴`,
      'FARM_SUBSIDY',
      d,
      i % 3 === 2 ? 'N' : 'Y',
      20,
      '2016-01-01',
      null,
    ]);
  }
  programs.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  for (const p of programs) W('benefit_programs').row(p);
  const actions: Cell[][] = [];
  for (const [i, d] of outletCounties.entries()) {
    const r = new Rng(seed, `action:${d}`);
    const outlet = tree.outlets.find((x) => x.division === d) as Outlet;
    for (const [k, [counterpart, action]] of [
      ['县人力资源和社会保障局', '养老金代发换卡对接，社保卡批量发卡'],
      ['县农业农村局', '惠农补贴资金入卡'],
    ].entries()) {
      actions.push([
        `AA${String(i * 2 + k + 1).padStart(5, '0')}`,
        d,
        counterpart,
        action,
        outlet.id,
        dateOf(S + r.int(-30, 100)),
        r.chance(0.4) ? 'DONE' : 'PLANNED',
      ]);
    }
  }
  for (const a of actions) W('assistance_actions').row(a);

  // Customers, one at a time, each with their accounts and facts.
  const relationships: Cell[][] = [];
  const merchants: Cell[][] = [];
  const newCustomers: { id: string; phone: string | null; idNo: string; since: number; division: string }[] =
    [];
  const guardiansByOutlet = new Map<string, string[]>();
  const counters = {
    payroll: 0,
    credit: 0,
    transfer: 0,
    remittance: 0,
    agreement: 0,
    wallet: 0,
    application: 0,
    merchant: 0,
  };
  const nextId = (kind: keyof typeof counters, prefix: string, width = 10) =>
    `${prefix}${String(++counters[kind]).padStart(width, '0')}`;
  const countyCache = new Map<string, boolean>();
  const issuedIds = new Set<string>();
  const isCounty = (code: string) => {
    let v = countyCache.get(code);
    if (v === undefined) {
      v = isCountyDivision(code);
      countyCache.set(code, v);
    }
    return v;
  };
  const merchantAcquiring: {
    id: string;
    seed: string;
    from: number;
    median: number;
    rate: number;
    cost: number;
    active: number;
  }[] = [];

  for (let c = 1; c <= o.customers; c++) {
    if (c % 50_000 === 0)
      progress(`customers ${c.toLocaleString('en-US')} / ${o.customers.toLocaleString('en-US')}`);
    const r = new Rng(seed, `c:${c}`);
    const id = `C${String(c).padStart(9, '0')}`;
    const outlet = tree.outlets[r.int(0, tree.outlets.length - 1)] as Outlet;
    const residence = r.chance(0.85) ? outlet.division : r.pick(outlet.nearby);
    const county = isCounty(residence);
    const u = r.next();
    const age = u < 0.1 ? r.int(0, 17) : u < 0.72 ? r.int(18, 59) : u < 0.92 ? r.int(60, 74) : r.int(75, 95);
    const adult = age >= 18;
    const birthDay = D - Math.floor(age * 365.25) - r.int(1, 364);
    const birth = dateOf(birthDay);
    const gender = r.chance(0.5) ? 'M' : 'F';
    // Tuition parents are long-standing customers (their remittances reach back three years).
    const tuitionParent = age >= 38 && age <= 58 && r.chance(0.03);
    const newInSeason = !tuitionParent && r.chance(0.07);
    const earliest = Math.max(birthDay, dayOf('1998-01-01'));
    const since = newInSeason
      ? rand(S, D, r)
      : tuitionParent
        ? rand(earliest, R3 - 30, r)
        : rand(earliest, S - 1, r);
    const occupation = occupationOf(r, age, county);
    const phone = adult || r.chance(0.4) ? mobile(r) : null;
    const idNo = idCard(r, residence, birth, gender, issuedIds);
    const managers = tree.managers.get(outlet.id) ?? [];
    const manager = adult && r.chance(0.55) ? (r.chance(0.02) ? 'S999002' : r.pick(managers)) : null;
    const riskLevel =
      !adult || r.chance(0.2)
        ? null
        : weighted(
            r,
            age >= 65
              ? ([
                  ['C1', 4],
                  ['C2', 4],
                  ['C3', 2],
                ] as const)
              : ([
                  ['C1', 1],
                  ['C2', 3],
                  ['C3', 4],
                  ['C4', 2],
                  ['C5', 1],
                ] as const),
          );
    W('customers').row([
      id,
      chineseName(r),
      'ID_CARD',
      idNo,
      gender,
      birth,
      phone,
      outlet.id,
      manager,
      residence,
      occupation,
      dateOf(since),
      riskLevel,
      r.chance(0.86) ? 'Y' : 'N',
      r.chance(0.04) ? 'Y' : 'N',
    ]);
    if (newInSeason) newCustomers.push({ id, phone, idNo, since, division: residence });
    if (age >= 25 && age <= 50) {
      const list = guardiansByOutlet.get(outlet.id) ?? [];
      list.push(id);
      if (list.length > 20) list.shift();
      guardiansByOutlet.set(outlet.id, list);
    }
    if (!adult) {
      const candidates = guardiansByOutlet.get(outlet.id) ?? [];
      const guardians = new Set<string>();
      if (candidates.length) guardians.add(r.pick(candidates));
      if (candidates.length > 1 && r.chance(0.3)) guardians.add(r.pick(candidates));
      for (const g of guardians) relationships.push([g, id, 'GUARDIAN_OF']);
    }

    // Accounts: ids share one format — 16 digits, 62 + customer number first, Luhn-valid — so every file
    // keyed by account_id is written in key order.
    let ordinal = 0;
    const account = () => {
      const body = `62${String(c).padStart(10, '0')}${String(++ordinal).padStart(2, '0')}8`;
      return body + luhnCheckDigit(body);
    };
    const accountRows: Cell[][] = [];
    const balances: [string, [number, number][]][] = []; // account → (day, balance in fen) change rows
    const opened = (
      acct: string,
      product: string,
      type: string,
      kind: string | null,
      open: number,
      close: number | null,
      activated: number | null,
      staff: string | null,
      channel: string,
    ) =>
      accountRows.push([
        acct,
        id,
        product,
        type,
        kind,
        dateOf(open),
        close === null ? null : dateOf(close),
        activated === null ? null : dateOf(activated),
        outlet.id,
        staff,
        channel,
      ]);
    const openStaff = () =>
      r.chance(0.6) ? r.pick([...managers, ...(tree.teams.get(outlet.id)?.CARE ?? [])]) : null;
    const sinceOpen = (lo = since) => rand(Math.max(lo, since), D, r);

    // The main debit card (most adults; some minors).
    const hasCard = adult ? r.chance(0.97) : r.chance(0.55);
    let debit: string | null = null;
    let ssc3: string | null = null;
    let countyDebit = false;
    const events: [number, number][] = []; // debit card: (day, +credit or -spend in fen)
    let incomeTotal = 0; // payroll, pensions, subsidies: what the monthly spending is sized by
    const income = (day: number, amount: number) => {
      events.push([day, amount]);
      incomeTotal += amount;
    };
    if (hasCard) {
      debit = account();
      const kind =
        age >= 16 && r.chance(0.15)
          ? 'SSC_GEN3'
          : age >= 16 && r.chance(0.18)
            ? 'SSC_GEN2'
            : county && age >= 16 && r.chance(0.45)
              ? 'COUNTY_DEBIT'
              : 'STANDARD';
      const product = {
        SSC_GEN3: 'DC-SSC3',
        SSC_GEN2: 'DC-SSC2',
        COUNTY_DEBIT: 'DC-COUNTY',
        STANDARD: 'DC-STD',
      }[kind] as string;
      const open = newInSeason ? since : rand(since, Math.min(D, S - 1), r);
      const activated =
        kind === 'COUNTY_DEBIT'
          ? r.chance(0.7)
            ? Math.min(D, open + r.int(0, 30))
            : null
          : r.chance(0.9)
            ? open
            : null;
      opened(
        debit,
        product,
        'DEBIT_CARD',
        kind,
        open,
        null,
        activated,
        openStaff(),
        kind === 'COUNTY_DEBIT'
          ? r.pick(['COUNTER', 'BACKPACK_TEAM', 'LOBBY_PAD'])
          : r.pick(['COUNTER', 'COUNTER', 'LOBBY_PAD', 'APP']),
      );
      if (kind === 'SSC_GEN3') ssc3 = debit;
      if (kind === 'COUNTY_DEBIT') countyDebit = true;
      events.push([open, logNormal(r, adult ? 2_000_000 : 200_000, 1.0)]);
    }
    // Social-security card issuance in the season: outreach teams, lobby pads, service points.
    if (age >= 16 && !ssc3 && r.chance(0.05)) {
      ssc3 = account();
      const open = sinceOpen(S);
      const team = tree.teams.get(outlet.id) as { DOOR: string[]; BACKPACK: string[]; CARE: string[] };
      const [channel, staff] =
        age >= 75 && team.CARE.length
          ? ['CARE_TEAM', r.pick(team.CARE)]
          : county && team.BACKPACK.length && r.chance(0.5)
            ? ['BACKPACK_TEAM', r.pick(team.BACKPACK)]
            : r.pick([
                ['DOOR_TEAM', r.pick(team.DOOR)],
                ['LOBBY_PAD', r.pick(managers)],
                ['SERVICE_POINT', r.pick(team.DOOR)],
                ['COUNTER', null],
              ] as const);
      opened(
        ssc3,
        'DC-SSC3',
        'DEBIT_CARD',
        'SSC_GEN3',
        open,
        null,
        r.chance(0.75) ? Math.min(D, open + r.int(0, 20)) : null,
        staff,
        channel,
      );
      balances.push([ssc3, [[open, 1000]]]);
    }
    // County debit cards opened in the season (some never activated).
    if (county && age >= 16 && !countyDebit && r.chance(0.1)) {
      const acct = account();
      const open = sinceOpen(S);
      const team = tree.teams.get(outlet.id) as { BACKPACK: string[] };
      opened(
        acct,
        'DC-COUNTY',
        'DEBIT_CARD',
        'COUNTY_DEBIT',
        open,
        null,
        r.chance(0.65) ? Math.min(D, open + r.int(0, 25)) : null,
        team.BACKPACK.length ? r.pick(team.BACKPACK) : openStaff(),
        r.pick(['BACKPACK_TEAM', 'LOBBY_PAD', 'COUNTER', 'APP']),
      );
      countyDebit = true;
    }
    // Savings, time deposits, wealth, funds, insurance, gold, credit cards, loans.
    const wealthy = logNormal(r, age >= 60 ? 8_000_000 : 3_000_000, 1.1);
    if (r.chance(adult ? 0.3 : 0.35)) {
      const acct = account();
      const open = rand(since, D, r);
      const closed = r.chance(0.04) ? Math.min(D, open + r.int(30, 300)) : null;
      opened(acct, adult ? 'SAV' : 'SAV-MINOR', 'SAVINGS', null, open, closed, null, openStaff(), 'COUNTER');
      balances.push([acct, savingsPath(r, open, closed, D, Math.round(wealthy / 3))]);
    }
    if (adult && r.chance(age >= 55 ? 0.4 : 0.22)) {
      const acct = account();
      const open = rand(since, D, r);
      const closed = r.chance(0.08) ? Math.min(D, open + r.int(60, 365)) : null;
      opened(
        acct,
        age >= 55 && r.chance(0.5) ? 'TD-SILVER' : r.pick(['TD-1Y', 'TD-3Y']),
        'TIME_DEPOSIT',
        null,
        open,
        closed,
        null,
        openStaff(),
        'COUNTER',
      );
      balances.push([
        acct,
        closed === null
          ? [[open, wealthy]]
          : [
              [open, wealthy],
              [closed, 0],
            ],
      ]);
    }
    const risk = riskLevel ? Number(riskLevel[1]) : 0;
    for (const [type, product, rating, p] of [
      ['WEALTH', r.pick(['WM-R1', 'WM-R2', 'WM-R3']), 0, age >= 60 ? 0.12 : 0.14],
      ['FUND', r.pick(['FUND-R3', 'FUND-R4']), 3, 0.08],
      ['INSURANCE', r.pick(['INS-LIFE', 'INS-PENSION']), 1, 0.06],
      ['GOLD', 'GOLD', 3, 0.03],
    ] as const) {
      if (!adult || !r.chance(p) || risk < (rating || Number(product.slice(-1)) || 1)) continue;
      const acct = account();
      const open = rand(since, D, r);
      opened(acct, product, type, null, open, null, null, openStaff(), r.pick(['COUNTER', 'APP']));
      balances.push([acct, marketPath(r, open, D, Math.round(wealthy / 2))]);
    }
    if (adult && age <= 65 && r.chance(0.15)) {
      opened(
        account(),
        'CC-STD',
        'CREDIT_CARD',
        'STANDARD_CREDIT',
        rand(since, D, r),
        null,
        null,
        openStaff(),
        r.pick(['APP', 'COUNTER']),
      );
    }
    // County credit cards: applications of every status from the stable-income groups; approved ones open a card.
    if (county && adult && age <= 60 && COUNTY_STABLE.includes(occupation) && r.chance(0.18)) {
      const apply = rand(Math.max(since, H), D, r);
      const status =
        apply > D - 5
          ? 'PENDING'
          : weighted(r, [
              ['APPROVED', 6],
              ['DECLINED', 2],
              ['PENDING', 1],
            ] as const);
      const decided = status === 'PENDING' ? null : Math.min(D, apply + r.int(1, 5));
      W('credit_card_applications').row([
        nextId('application', 'CCA'),
        id,
        'CC-COUNTY',
        dateOf(apply),
        status,
        decided === null ? null : dateOf(decided),
      ]);
      if (status === 'APPROVED' && decided !== null) {
        opened(
          account(),
          'CC-COUNTY',
          'CREDIT_CARD',
          'COUNTY_CREDIT',
          decided,
          null,
          r.chance(0.7) ? decided : null,
          openStaff(),
          r.pick(['COUNTER', 'VTM', 'BACKPACK_TEAM']),
        );
      }
    }

    // Payroll: monthly on the employer's pay day, a January bonus, stops with the job or the employer.
    const merchantOwner = adult && age <= 60 && occupation === 'SELF_EMPLOYED' && r.chance(0.45);
    if (
      debit &&
      adult &&
      age < 60 &&
      EMPLOYED.has(occupation) &&
      r.chance(occupation.endsWith('WORKER') ? 0.4 : 0.8)
    ) {
      const e = pickEmployer(r, GOVERNMENT_JOBS.has(occupation));
      const salary = logNormal(r, e.salary, 0.3);
      const leaves = r.chance(0.04) ? rand(H + 100, D - 50, r) : null; // the customer's own payroll stops
      const leavesWithDrop = e.churn === 'DROP' && r.chance(0.5);
      for (let m = monthStart(season.historyStart); m <= season.asOf; m = monthStart(m, 1)) {
        const payDay = dayOf(m) + Math.min(e.payDay, daysInMonth(m)) - 1;
        if (payDay < H || payDay > D || payDay < since) continue;
        if (e.startMonth && m < e.startMonth) continue;
        if (leaves !== null && payDay >= leaves) break;
        if (e.churnMonth && m >= e.churnMonth && (e.churn !== 'DROP' || leavesWithDrop)) break;
        const amount = Math.round(salary * (0.95 + 0.1 * r.next()));
        W('payroll').row([
          nextId('payroll', 'P'),
          e.id,
          `${e.id}-01`,
          id,
          debit,
          dateOf(payDay),
          yuan(amount),
        ]);
        income(payDay, amount);
        if (m.endsWith('-01-01')) {
          const bonusDay = payDay + 3;
          if (bonusDay <= D) {
            const bonus = Math.round(salary * (1 + 3 * r.next()));
            W('payroll').row([
              nextId('payroll', 'P'),
              e.id,
              `${e.id}-BONUS`,
              id,
              debit,
              dateOf(bonusDay),
              yuan(bonus),
            ]);
            income(bonusDay, bonus);
          }
        }
      }
    }
    // Pensions: paid here into the social-security card (or the debit card), or at another bank.
    if (debit && age >= 60 && occupation === 'RETIRED') {
      const where = weighted(r, [
        ['HERE', 6],
        ['ELSEWHERE', 2.5],
        ['NONE', 1.5],
      ] as const);
      const program = r.pick(pensionOf.get(residence.slice(0, 4)) ?? [`BP-PEN-${residence.slice(0, 2)}`]);
      const amount = logNormal(r, 350_000, 0.4);
      const into = ssc3 && r.chance(0.85) ? ssc3 : debit;
      for (
        let m = monthStart(season.historyStart);
        m <= season.asOf && where !== 'NONE';
        m = monthStart(m, 1)
      ) {
        const day = dayOf(m) + (where === 'HERE' ? 9 : 14);
        if (day < H || day > D || day < since) continue;
        if (where === 'HERE') {
          W('benefit_credits').row([nextId('credit', 'BC'), id, into, program, dateOf(day), yuan(amount)]);
          if (into === debit) income(day, amount);
        } else {
          W('transfers').row([
            nextId('transfer', 'T'),
            id,
            debit,
            dateOf(day),
            'IN',
            yuan(amount),
            '社会保险事业管理局',
            r.pick(['中国工商银行', '中国农业银行', '中国建设银行', '农村商业银行']),
            r.pick(['养老金', '基本养老金发放', 'PENSION', 'pension payment']),
          ]);
          income(day, amount);
        }
      }
      if (age >= 80 && into) {
        for (let m = monthStart(season.historyStart); m <= season.asOf; m = monthStart(m, 3)) {
          const day = dayOf(m) + 24;
          if (day >= H && day <= D && day >= since)
            W('benefit_credits').row([
              nextId('credit', 'BC'),
              id,
              into,
              `BP-OTH-${residence.slice(0, 4)}`,
              dateOf(day),
              yuan(30_000),
            ]);
        }
      }
    }
    // Farm subsidies in county divisions, quarterly.
    if (debit && county && (occupation === 'FARMER' || (age >= 60 && r.chance(0.3)))) {
      const into = ssc3 ?? debit;
      for (let m = monthStart(season.historyStart); m <= season.asOf; m = monthStart(m, 3)) {
        const day = dayOf(m) + 19;
        if (day < H || day > D || day < since || !r.chance(0.8)) continue;
        const amount = logNormal(r, 80_000, 0.5);
        W('benefit_credits').row([
          nextId('credit', 'BC'),
          id,
          into,
          `BP-FARM-${residence}`,
          dateOf(day),
          yuan(amount),
        ]);
        if (into === debit) income(day, amount);
      }
    }
    // Bills paid by transfer, and signed auto-debit agreements.
    if (debit && adult && r.chance(0.45)) {
      const billers = [r.pick(BILLERS), r.pick(BILLERS)];
      const signed = r.chance(0.35);
      for (let m = monthStart(season.historyStart); m <= season.asOf; m = monthStart(m, 1)) {
        for (const [k, [, payee]] of billers.entries()) {
          const day = dayOf(m) + 2 + k * 9 + r.int(0, 5);
          if (day < H || day > D || day < since) continue;
          const amount = logNormal(r, 15_000, 0.5);
          W('transfers').row([
            nextId('transfer', 'T'),
            id,
            debit,
            dateOf(day),
            'OUT',
            yuan(amount),
            `${residence.slice(0, 4)}${payee}`,
            null,
            r.pick(['缴费', '水费', '电费', '燃气费', '话费', null]),
          ]);
          events.push([day, -amount]);
        }
      }
      if (signed) {
        const day = rand(Math.max(since, H - 400), D, r);
        W('bill_agreements').row([
          nextId('agreement', 'BA'),
          id,
          debit,
          (billers[0] as readonly [string, string])[0],
          dateOf(day),
          r.chance(0.08) ? dateOf(Math.min(D, day + r.int(30, 200))) : null,
        ]);
      }
    }
    // Tuition remittances to overseas institutions (listed or not), in the messy ways names are written.
    if (debit && tuitionParent) {
      const x = r.next();
      const inst: Institution = x < 0.72 ? r.pick(institutions.listed) : r.pick(institutions.unlisted);
      const [currency, rate] = CURRENCY[inst.country] ?? ['USD', 7.2];
      for (
        let year = Number(season.remittanceStart.slice(0, 4));
        year <= Number(season.asOf.slice(0, 4));
        year++
      ) {
        for (const md of ['-08-20', '-01-15']) {
          const day = dayOf(`${year}${md}`) + r.int(-10, 10);
          if (day <= R3 || day > D || !r.chance(0.8)) continue;
          const local = logNormal(r, Math.round(15_000_000 / rate), 0.3);
          const name = messyName(r, inst.name, inst.aliases);
          const withBic = r.chance(0.6);
          W('remittances').row([
            nextId('remittance', 'R'),
            id,
            dateOf(day),
            currency,
            yuan(local),
            yuan(Math.round(local * rate)),
            name.text,
            withBic && r.chance(0.85) ? inst.account : r.chance(0.3) ? inst.account : null,
            withBic ? (r.chance(0.5) ? inst.bic : `${inst.bic}XXX`) : null,
            r.chance(0.9) ? inst.country : null,
            'TUITION',
          ]);
          if (day >= H) events.push([day, -Math.round(local * rate)]);
        }
      }
      if (r.chance(0.4)) {
        const day = rand(R3 + 1, D, r);
        W('remittances').row([
          nextId('remittance', 'R'),
          id,
          dateOf(day),
          currency,
          yuan(300_000),
          yuan(Math.round(300_000 * rate)),
          `${chineseName(r)} (student)`,
          r.digits(12),
          null,
          inst.country,
          'LIVING',
        ]);
      }
      if (inst.supportsTuition && r.chance(0.3)) {
        W('bill_agreements').row([
          nextId('agreement', 'BA'),
          id,
          debit,
          'TUITION_CROSS_BORDER',
          dateOf(rand(Math.max(since, H), D, r)),
          null,
        ]);
      }
    } else if (debit && adult && r.chance(0.004)) {
      const day = rand(R3 + 1, D, r);
      W('remittances').row([
        nextId('remittance', 'R'),
        id,
        dateOf(day),
        'USD',
        yuan(500_000),
        yuan(3_600_000),
        r.pick(['Global Trading Ltd', 'AMAZON EU SARL', 'Family support']),
        r.digits(10),
        r.pick(['CHASUS33', 'HSBCHKHH', null]),
        r.pick(['US', 'HK', 'LU']),
        'OTHER',
      ]);
    }
    // Apps, e-CNY wallets.
    const appRows: Cell[][] = [];
    if (county && countyDebit && r.chance(0.4)) {
      const reg = rand(Math.max(since, H), D, r);
      appRows.push([id, 'COUNTY_APP', 'REGISTER', dateOf(reg)]);
      if (r.chance(0.5))
        appRows.push([id, 'COUNTY_APP', 'FIRST_PAYMENT', dateOf(Math.min(D, reg + r.int(0, 30)))]);
    }
    if (adult && r.chance(0.55)) {
      const reg = rand(Math.max(since, dayOf('2012-01-01')), D, r);
      appRows.push([id, 'MOBILE_BANK', 'REGISTER', dateOf(reg)]);
      if (r.chance(0.6))
        appRows.push([id, 'MOBILE_BANK', 'FIRST_PAYMENT', dateOf(Math.min(D, reg + r.int(0, 60)))]);
    }
    appRows.sort((a, b) => `${a[1]}${a[2]}`.localeCompare(`${b[1]}${b[2]}`));
    for (const a of appRows) W('app_events').row(a);
    if (adult && r.chance(county ? 0.15 : 0.08)) {
      W('ecny_wallets').row([
        nextId('wallet', 'W'),
        id,
        dateOf(rand(Math.max(since, H - 300), D, r)),
        debit && r.chance(0.8) ? debit : null,
      ]);
    }
    // Merchants: owners' deposits spread over every fee tier; supply-chain dealers settle on a personal debit card.
    if (merchantOwner && debit) {
      const type = weighted(
        r,
        MERCHANT_TYPES.map(([t, wgt]) => [t, wgt] as const),
      );
      const median = (MERCHANT_TYPES.find(([t]) => t === type) as readonly [string, number, number])[2];
      const mid = nextId('merchant', 'M', 8);
      const onboard = r.chance(0.1) ? rand(S, D, r) : rand(Math.max(since, H - 600), S - 1, r);
      const negative = r.chance(0.08);
      const rate = negative ? 0.0038 : r.pick([0.006, 0.0055, 0.005, 0.0045]);
      merchants.push([
        mid,
        `${chineseName(r).slice(0, 2)}${['超市', '批发部', '餐馆', '五金店', '水果店', '药店'][r.int(0, 5)]}`,
        id,
        debit,
        type,
        `${residence}${type === 'VEG_MARKET' ? '农贸市场' : type === 'PRO_MARKET' ? '建材市场' : type === 'BUSINESS_DISTRICT' ? '商圈' : '商业街'}`,
        outlet.id,
        r.chance(0.2) ? (r.pick(employers) as Employer).id : null,
        dateOf(onboard),
        rate.toFixed(4),
      ]);
      merchantAcquiring.push({
        id: mid,
        seed: `${seed}:${mid}`,
        from: Math.max(onboard, H),
        median,
        rate,
        cost: negative ? 0.0052 : 0.0025 + 0.0012 * r.next(),
        active: type === 'VEG_MARKET' ? 0.9 : 0.75,
      });
      events.push([Math.max(since, H), (TIER_BALANCES[r.int(0, 3)] as number) + r.int(0, 1_000_000)]);
      if (r.chance(0.3)) {
        const acct = account();
        const open = rand(since, D, r);
        opened(acct, 'LOAN-BIZ', 'LOAN', null, open, null, null, openStaff(), 'COUNTER');
        balances.push([acct, loanPath(r, open, D, logNormal(r, 30_000_000, 0.5))]);
      }
    }

    // The debit card's balance path: credits as they arrive, spending between them.
    if (debit) {
      // Spending of about 80–115 % of the month's income in three debits (plus small ones), so that
      // balances wander around their level instead of piling up: retention rates come out below 1
      // for most payroll customers, and some fall under the PAYROLL_GIFT threshold.
      const first = Math.max(since, H);
      const months = Math.max(1, Math.round((D - first) / 30.4));
      const monthly = incomeTotal / months;
      const thrift = 0.8 + 0.35 * r.next();
      for (let m = monthStart(dateOf(first)); m <= season.asOf; m = monthStart(m, 1)) {
        for (let k = 0; k < 3; k++) {
          const day = dayOf(m) + r.int(0, daysInMonth(m) - 1);
          if (day >= first && day <= D) {
            events.push([
              day,
              -Math.round((monthly * thrift * (0.6 + 0.8 * r.next())) / 3) - r.int(1_000, 30_000),
            ]);
          }
        }
      }
      events.sort((a, b) => a[0] - b[0]);
      const path: [number, number][] = [];
      let bal = 0;
      for (const [day, delta] of events) {
        const next = Math.max(0, bal + delta);
        if (next === bal) continue;
        bal = next;
        if (path.length && (path[path.length - 1] as [number, number])[0] === day)
          (path[path.length - 1] as [number, number])[1] = bal;
        else path.push([day, bal]);
      }
      balances.push([debit, path]);
    }
    // Accounts and balances in account order (the ids are increasing by construction).
    for (const a of accountRows.sort((x, y) => String(x[0]).localeCompare(String(y[0]))))
      W('accounts').row(a);
    balances.sort((a, b) => a[0].localeCompare(b[0]));
    for (const [acct, path] of balances) {
      // One row per day (the day's last balance), only when the balance changed; the extract's history
      // starts at H, so a balance carried from before H gets a row on H.
      let last: number | null = null;
      let carried: number | null = null;
      for (let i = 0; i < path.length; i++) {
        const [day, bal] = path[i] as [number, number];
        if (day < H) {
          carried = bal;
          continue;
        }
        if (carried !== null) {
          if (day > H && carried !== 0) W('balances').row([acct, dateOf(H), yuan(carried)]);
          last = day > H ? carried : null;
          carried = null;
        }
        if (i + 1 < path.length && (path[i + 1] as [number, number])[0] === day) continue;
        if (day > D || bal === last) continue;
        W('balances').row([acct, dateOf(day), yuan(bal)]);
        last = bal;
      }
      if (carried !== null && carried !== 0) W('balances').row([acct, dateOf(H), yuan(carried)]);
    }
  }

  // Merchants and their daily acquiring.
  progress('merchants and acquiring');
  for (const m of merchants) W('merchants').row(m);
  for (const m of merchantAcquiring) {
    const r = new Rng(m.seed, 'acquiring');
    for (let day = m.from; day <= D; day++) {
      if (!r.chance(m.active)) continue;
      const amount = logNormal(r, m.median, 0.6);
      W('acquiring').row([
        m.id,
        dateOf(day),
        r.int(1, 5 + Math.round(amount / 20_000)),
        yuan(amount),
        yuan(Math.round(amount * m.rate)),
        yuan(Math.round(amount * m.cost)),
      ]);
    }
  }
  relationships.sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
  for (const rel of relationships) W('relationships').row(rel);
  for (const e of employerRows) W('employers').row(e);

  // Prospects from partner lists; some later became customers (same phone, or ID number).
  const nProspects = Math.max(20, Math.round(o.customers / 100));
  for (let p = 1; p <= nProspects; p++) {
    const r = new Rng(seed, `prospect:${p}`);
    const source = weighted(r, [
      ['SCHOOL', 3],
      ['UNIVERSITY', 2],
      ['STUDY_AGENCY', 3],
      ['EMPLOYER', 1],
      ['EVENT', 1],
    ] as const);
    const joined = newCustomers.length && r.chance(0.2) ? r.pick(newCustomers) : null;
    const collected = joined ? joined.since - r.int(1, 20) : rand(D - 120, D, r);
    const target =
      ['SCHOOL', 'UNIVERSITY', 'STUDY_AGENCY'].includes(source) && r.chance(0.8)
        ? r.pick(institutions.listed).name
        : null;
    W('prospects').row([
      `PR${String(p).padStart(8, '0')}`,
      chineseName(r),
      joined?.phone ?? mobile(r),
      joined && r.chance(0.5) ? joined.idNo : null,
      source,
      {
        SCHOOL: '国际学校',
        UNIVERSITY: '大学国际交流处',
        STUDY_AGENCY: '留学服务中心',
        EMPLOYER: '代发单位',
        EVENT: '厅堂沙龙',
      }[source],
      target,
      joined?.division ?? r.pick(tree.outlets).division,
      r.chance(0.7) ? 'Y' : 'N',
      dateOf(Math.max(collected, H)),
    ]);
  }

  const files: BankResult['files'] = {};
  for (const e of EXTRACTS) files[e.name] = W(e.name).close();
  if (o.format === 'parquet') {
    progress('converting to Parquet');
    for (const e of EXTRACTS)
      files[e.name] = await toParquet(e, join(csvDir, `${e.name}.csv`), join(o.out, `${e.name}.parquet`));
    rmSync(csvDir, { recursive: true, force: true });
  }
  writeFileSync(join(o.out, 'manifest.json'), `${JSON.stringify({ as_of: season.asOf, files }, null, 2)}\n`);
  return { out: o.out, asOf: season.asOf, season, files, seconds: (Date.now() - t0) / 1000 };
}

function occupationOf(r: Rng, age: number, county: boolean): string {
  if (age < 18) return 'STUDENT';
  if (age >= 60) return r.chance(0.8) ? 'RETIRED' : county ? 'FARMER' : 'SELF_EMPLOYED';
  if (age < 23 && r.chance(0.5)) return 'STUDENT';
  return county
    ? weighted(r, [
        ['FARMER', 25],
        ['RURAL_WORKER', 14],
        ['MIGRANT_WORKER', 12],
        ['CIVIL_SERVANT', 6],
        ['MILITARY', 1],
        ['PUBLIC_INSTITUTION', 6],
        ['ENTERPRISE', 10],
        ['FINANCIAL', 2],
        ['AGRI_OFFICIAL', 3],
        ['VILLAGE_COMMITTEE', 3],
        ['ASSIST_CADRE', 2],
        ['COOP_STAFF', 3],
        ['SELF_EMPLOYED', 9],
        ['OTHER', 4],
      ] as const)
    : weighted(r, [
        ['ENTERPRISE', 40],
        ['CIVIL_SERVANT', 7],
        ['PUBLIC_INSTITUTION', 10],
        ['FINANCIAL', 4],
        ['MILITARY', 1],
        ['SELF_EMPLOYED', 13],
        ['MIGRANT_WORKER', 8],
        ['OTHER', 17],
      ] as const);
}

/** Savings: an opening deposit, monthly top-ups now and then, quarterly interest; 0 when closed. */
function savingsPath(
  r: Rng,
  open: number,
  closed: number | null,
  D: number,
  base: number,
): [number, number][] {
  const path: [number, number][] = [[open, Math.max(100, base)]];
  let bal = Math.max(100, base);
  for (let day = open + 30; day <= Math.min(D, closed ?? D); day += 30) {
    if (!r.chance(0.4)) continue;
    bal += r.int(10_000, 300_000);
    path.push([day, bal]);
  }
  if (closed !== null) path.push([closed, 0]);
  return path;
}

/** Wealth, funds, insurance, gold: month-end valuations drifting around the amount invested. */
function marketPath(r: Rng, open: number, D: number, base: number): [number, number][] {
  const path: [number, number][] = [[open, Math.max(100_000, base)]];
  let bal = Math.max(100_000, base);
  for (let day = open + 30; day <= D; day += 30) {
    bal = Math.max(0, Math.round(bal * (0.985 + 0.035 * r.next())));
    path.push([day, bal]);
  }
  return path;
}

/** Loans: the outstanding amount, paid down monthly. */
function loanPath(r: Rng, open: number, D: number, principal: number): [number, number][] {
  const path: [number, number][] = [[open, principal]];
  let bal = principal;
  const instalment = Math.round(principal / r.int(24, 60));
  for (let day = open + 30; day <= D && bal > 0; day += 30) {
    bal = Math.max(0, bal - instalment);
    path.push([day, bal]);
  }
  return path;
}
