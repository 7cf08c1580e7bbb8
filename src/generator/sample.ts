// A small, valid, reproducible sample bank: every extract of DATA-CONTRACT.md with a few rows of
// each kind, for the Quickstart, the loader's tests and the load benchmark. (The realistic synthetic
// bank of issue #3 grows out of this.)

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idCardCheckChar, luhnCheckDigit, usccCheckChar } from '../domain/checkDigits.js';
import { addDays } from '../domain/dates.js';
import { EXTRACTS } from '../extracts/contract.js';
import { type Cell, CsvWriter } from './csv.js';
import { Rng, yuan } from './random.js';

export interface SampleOptions {
  customers: number;
  seed: number;
  asOf: string;
  out: string;
}

// Real GB/T 2260 codes: city districts and county-level divisions (县, 县级市).
const DISTRICTS = ['420102', '420106', '420111', '110105', '440305'];
const COUNTIES = ['420222', '420281', '421122', '421381', '430124'];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';
const PRODUCTS: Cell[][] = [
  ['DC-STD', '借记卡', 'CARD', null, 0, null, 'STANDARD', null],
  ['DC-SSC3', '第三代社保卡', 'CARD', null, 16, null, 'SSC_GEN3', null],
  ['DC-SSC2', '第二代社保卡', 'CARD', null, 16, null, 'SSC_GEN2', null],
  ['DC-COUNTY', '县域专属借记卡', 'CARD', null, 16, null, 'COUNTY_DEBIT', COUNTIES.join('|')],
  ['CC-STD', '标准信用卡', 'CREDIT_CARD', null, 18, 65, 'STANDARD_CREDIT', null],
  ['CC-COUNTY', '县域信用卡', 'CREDIT_CARD', null, 18, 60, 'COUNTY_CREDIT', COUNTIES.join('|')],
  ['SAV', '活期储蓄', 'DEPOSIT', null, null, null, null, null],
  ['TD-1Y', '一年期定期存款', 'TIME_DEPOSIT', null, null, null, null, null],
  ['TD-SILVER', '银发专属存款', 'TIME_DEPOSIT', null, 55, null, null, null],
  ['WM-R2', '稳健理财', 'WEALTH', 'R2', 18, null, null, null],
  ['WM-R3', '平衡理财', 'WEALTH', 'R3', 18, null, null, null],
  ['FUND-R4', '权益基金', 'FUND', 'R4', 18, 70, null, null],
  ['INS-LIFE', '终身寿险', 'INSURANCE', 'R2', 18, 65, null, null],
  ['GOLD', '积存金', 'GOLD', 'R3', 18, null, null, null],
  ['LOAN-BIZ', '个人经营贷', 'LOAN', null, 18, 65, null, null],
  ['ECNY', '数字人民币钱包', 'ECNY', null, null, null, null, null],
];
const INSTITUTIONS: Cell[][] = [
  ['INST0001', 'University of Toronto', 'CA', 'ROYCCAT2', '0001234567', 'U of T|Univ of Toronto', 'Y'],
  ['INST0002', 'The University of Melbourne', 'AU', 'ANZBAU3M', '0123456789', 'Melbourne University', 'Y'],
  ['INST0003', 'University College London', 'GB', 'BARCGB22', '20325343434343', 'UCL', 'Y'],
  ['INST0004', 'National University of Singapore', 'SG', 'DBSSSGSG', '0039012345', 'NUS', 'Y'],
  [
    'INST0005',
    'Technische Universität München',
    'DE',
    'BYLADEMM',
    'DE44700500000001234567',
    'TU München|TUM',
    'Y',
  ],
  ['INST0006', 'Example Language School', 'GB', 'LOYDGB2L', '30963312345678', null, 'N'],
];

export interface SampleResult {
  out: string;
  asOf: string;
  files: Record<string, { rows: number; sha256: string }>;
}

/** The start of the season that as-of falls in (Nov 15), and the 13 months of history before it. */
export function seasonStartFor(asOf: string): string {
  const y = Number(asOf.slice(0, 4));
  const md = asOf.slice(5);
  return md >= '11-15' ? `${y}-11-15` : `${y - 1}-11-15`;
}

export async function generateSample(o: SampleOptions): Promise<SampleResult> {
  mkdirSync(o.out, { recursive: true });
  const seasonStart = seasonStartFor(o.asOf);
  const historyStart = `${Number(seasonStart.slice(0, 4)) - 1}-10-15`;
  const w: Record<string, CsvWriter> = {};
  for (const e of EXTRACTS) {
    w[e.name] = new CsvWriter(
      join(o.out, `${e.name}.csv`),
      e.columns.map((c) => c.name),
    );
  }
  const W = (name: string) => w[name] as CsvWriter;
  const rng = (key: string) => new Rng(o.seed, key);

  // Org tree: HQ → branches → sub-branches → outlets (+ the remote-banking centre under HQ).
  const nBranches = Math.max(2, Math.round(o.customers / 33_000));
  await W('orgs').row(['HQ', '总行', 'HQ', null, '420100']);
  await W('orgs').row(['RC01', '远程银行中心', 'REMOTE_CENTER', 'HQ', '420100']);
  const outlets: { id: string; division: string }[] = [];
  const subs: string[] = [];
  for (let b = 1; b <= nBranches; b++) {
    const bid = `BR${String(b).padStart(2, '0')}`;
    await W('orgs').row([bid, `第${b}分行`, 'BRANCH', 'HQ', '420100']);
    for (let s = 1; s <= 4; s++) {
      const sid = `${bid}S${s}`;
      subs.push(sid);
      await W('orgs').row([sid, `第${b}分行第${s}支行`, 'SUBBRANCH', bid, '420100']);
      for (let k = 1; k <= 4; k++) {
        const oid = `${sid}O${k}`;
        const division =
          k === 4
            ? (COUNTIES[(b + s) % COUNTIES.length] as string)
            : (DISTRICTS[(b + s + k) % DISTRICTS.length] as string);
        outlets.push({ id: oid, division });
        await W('orgs').row([oid, `${sid}第${k}网点`, 'OUTLET', sid, division]);
      }
    }
  }

  // Staff: managers at every level, account managers, lobby and tellers at outlets, outreach teams,
  // corporate RMs at sub-branches, remote agents at the remote centre.
  const managersOf = new Map<string, string[]>();
  const rmsOf = new Map<string, string[]>();
  let staffNo = 0;
  const staff = async (org: string, role: string, team: string | null = null) => {
    const id = `S${String(++staffNo).padStart(5, '0')}`;
    const r = rng(`staff:${id}`);
    await W('staff').row([id, org, r.pick([...SURNAMES]) + r.pick([...GIVEN]), role, team]);
    return id;
  };
  await staff('HQ', 'HQ_OPS');
  for (let i = 0; i < 3; i++) await staff('RC01', 'REMOTE_AGENT');
  for (const sid of subs) {
    await staff(sid, 'SUBBRANCH_MANAGER');
    rmsOf.set(sid, [await staff(sid, 'CORPORATE_RM'), await staff(sid, 'CORPORATE_RM')]);
  }
  for (const o2 of outlets) {
    await staff(o2.id, 'OUTLET_MANAGER');
    managersOf.set(o2.id, [await staff(o2.id, 'ACCOUNT_MANAGER'), await staff(o2.id, 'ACCOUNT_MANAGER')]);
    await staff(o2.id, 'LOBBY', 'CARE');
    await staff(o2.id, 'TELLER');
    await staff(
      o2.id,
      'ACCOUNT_MANAGER',
      o2.division.startsWith('4202') || o2.division.startsWith('4211') ? 'BACKPACK' : 'DOOR',
    );
  }

  for (const p of PRODUCTS) await W('products').row(p);
  for (const inst of INSTITUTIONS) await W('overseas_institutions').row(inst);
  const programs = [
    ['BP-PEN-4201', '武汉市城镇职工养老金', 'PENSION', '420100', 'Y', 15, '2010-01-01', null],
    ['BP-PEN-4202', '黄石市城乡居民养老金', 'PENSION', '420200', 'Y', 10, '2012-01-01', null],
    ['BP-FARM-42', '湖北省耕地地力保护补贴', 'FARM_SUBSIDY', '420000', 'N', 20, '2016-01-01', null],
    ['BP-OTH-4211', '黄冈市惠民补贴', 'OTHER_SUBSIDY', '421100', 'Y', 25, '2020-01-01', '2030-12-31'],
  ] as const;
  for (const p of programs) await W('benefit_programs').row([...p]);
  for (const [i, div] of COUNTIES.entries()) {
    await W('assistance_actions').row([
      `AA${i + 1}`,
      div,
      '县人社局',
      '养老金入卡对接',
      outlets[i % outlets.length]?.id,
      addDays(o.asOf, 30),
      i % 2 ? 'DONE' : 'PLANNED',
    ]);
  }

  // Employers, a few of them government, each with a corporate RM of its sub-branch.
  const nEmployers = Math.max(4, Math.round(o.customers / 150));
  const employers: { id: string; sub: string }[] = [];
  for (let e = 1; e <= nEmployers; e++) {
    const r = rng(`employer:${e}`);
    const sub = r.pick(subs);
    const id = `E${String(e).padStart(5, '0')}`;
    const body = `91420100${r.digits(9)}`;
    employers.push({ id, sub });
    await W('employers').row([
      id,
      `${sub}代发单位${e}`,
      body + usccCheckChar(body),
      r.pick(['制造业', '教育', '医疗', '政府机关']),
      e % 7 === 0 ? 'Y' : 'N',
      sub,
      r.pick(rmsOf.get(sub) ?? []),
      '420100',
    ]);
  }

  // Customers with their accounts and facts.
  const months: string[] = [];
  for (let d = `${historyStart.slice(0, 7)}-01`; d <= o.asOf; d = addMonths(d, 1)) months.push(d.slice(0, 7));
  let cardNo = 0;
  const card = (bin: string) => {
    const body = `${bin}${String(++cardNo).padStart(18 - bin.length, '0')}`;
    return body + luhnCheckDigit(body);
  };
  let merchantNo = 0;
  let factNo = 0;
  const nextId = (p: string) => `${p}${String(++factNo).padStart(9, '0')}`;
  const adults: string[] = [];
  for (let c = 1; c <= o.customers; c++) {
    const r = rng(`customer:${c}`);
    const id = `C${String(c).padStart(8, '0')}`;
    const outlet = r.pick(outlets);
    const county = COUNTIES.includes(outlet.division);
    const age = r.chance(0.08) ? r.int(3, 17) : r.chance(0.25) ? r.int(60, 88) : r.int(18, 59);
    const birth = `${Number(o.asOf.slice(0, 4)) - age - 1}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`;
    const id17 = `${outlet.division}${birth.replaceAll('-', '')}${r.digits(3)}`;
    const since = r.chance(0.1) ? addDays(o.asOf, -r.int(0, 20)) : addDays(historyStart, -r.int(0, 3000));
    const occupation =
      age < 18
        ? 'STUDENT'
        : age >= 60
          ? 'RETIRED'
          : county
            ? r.pick([
                'FARMER',
                'RURAL_WORKER',
                'MIGRANT_WORKER',
                'CIVIL_SERVANT',
                'VILLAGE_COMMITTEE',
                'COOP_STAFF',
              ])
            : r.pick([
                'ENTERPRISE',
                'CIVIL_SERVANT',
                'PUBLIC_INSTITUTION',
                'SELF_EMPLOYED',
                'FINANCIAL',
                'OTHER',
              ]);
    const manager = r.chance(0.6) ? r.pick(managersOf.get(outlet.id) ?? []) : null;
    await W('customers').row([
      id,
      r.pick([...SURNAMES]) + r.pick([...GIVEN]) + (r.chance(0.5) ? r.pick([...GIVEN]) : ''),
      'ID_CARD',
      id17 + idCardCheckChar(id17),
      r.pick(['M', 'F']),
      birth,
      `1${r.pick(['38', '39', '58', '86'])}${r.digits(8)}`,
      outlet.id,
      manager,
      outlet.division,
      occupation,
      since,
      age < 18 ? null : r.pick(['C1', 'C2', 'C3', 'C4', 'C5']),
      r.chance(0.85) ? 'Y' : 'N',
      r.chance(0.05) ? 'Y' : 'N',
    ]);
    if (age < 18 && adults.length) {
      await W('relationships').row([r.pick(adults.slice(-50)), id, 'GUARDIAN_OF']);
    } else if (age >= 18) adults.push(id);

    // A debit card for everyone (some social-security or county cards), other accounts by chance.
    const kind =
      county && r.chance(0.4)
        ? 'COUNTY_DEBIT'
        : r.chance(0.2)
          ? 'SSC_GEN3'
          : r.chance(0.1)
            ? 'SSC_GEN2'
            : 'STANDARD';
    const product = {
      COUNTY_DEBIT: 'DC-COUNTY',
      SSC_GEN3: 'DC-SSC3',
      SSC_GEN2: 'DC-SSC2',
      STANDARD: 'DC-STD',
    }[kind];
    const debit = card('622848');
    const openDate = since > addDays(o.asOf, -30) ? since : addDays(o.asOf, -r.int(0, 700));
    const openStaff = r.chance(0.5) ? r.pick(managersOf.get(outlet.id) ?? []) : null;
    await W('accounts').row([
      debit,
      id,
      product,
      'DEBIT_CARD',
      kind,
      openDate,
      null,
      r.chance(0.8) ? openDate : null,
      outlet.id,
      openStaff,
      r.pick(['COUNTER', 'LOBBY_PAD', 'DOOR_TEAM', 'BACKPACK_TEAM']),
    ]);
    const balanceAccounts: [string, number][] = [[debit, r.int(0, 5_000_000)]];
    if (age >= 18 && r.chance(0.3)) {
      const td = `TD${id.slice(1)}01`;
      await W('accounts').row([
        td,
        id,
        age >= 60 ? 'TD-SILVER' : 'TD-1Y',
        'TIME_DEPOSIT',
        null,
        addDays(historyStart, r.int(0, 200)),
        null,
        null,
        outlet.id,
        null,
        'COUNTER',
      ]);
      balanceAccounts.push([td, r.int(1_000_000, 30_000_000)]);
    }
    if (age >= 18 && r.chance(0.15)) {
      const wm = `WM${id.slice(1)}01`;
      await W('accounts').row([
        wm,
        id,
        'WM-R2',
        'WEALTH',
        null,
        addDays(historyStart, r.int(0, 300)),
        null,
        null,
        outlet.id,
        null,
        'APP',
      ]);
      balanceAccounts.push([wm, r.int(5_000_000, 50_000_000)]);
    }
    if (age >= 18 && r.chance(0.1)) {
      await W('accounts').row([
        card('625807'),
        id,
        county ? 'CC-COUNTY' : 'CC-STD',
        'CREDIT_CARD',
        county ? 'COUNTY_CREDIT' : 'STANDARD_CREDIT',
        addDays(historyStart, r.int(0, 300)),
        null,
        null,
        outlet.id,
        null,
        'APP',
      ]);
    }
    for (const [acct, base] of balanceAccounts) {
      let bal = base;
      for (const m of months) {
        const day = `${m}-${String(r.int(1, 28)).padStart(2, '0')}`;
        if (day > o.asOf || day < historyStart) continue;
        bal = Math.max(0, bal + r.int(-base / 5, base / 4));
        await W('balances').row([acct, day, yuan(bal)]);
      }
    }

    // Payroll for a third of working-age customers, monthly on the employer's pay day; bonus in January.
    if (age >= 18 && age < 60 && r.chance(0.35)) {
      const emp = employers[c % employers.length] as { id: string };
      const salary = r.int(400_000, 2_500_000);
      const stopsAt = r.chance(0.05) ? months[months.length - 3] : null;
      for (const m of months) {
        if (stopsAt && m >= stopsAt) break;
        const day = `${m}-10`;
        if (day > o.asOf || day < historyStart) continue;
        const bonus = m.endsWith('-01') ? salary * 2 : 0;
        await W('payroll').row([nextId('P'), emp.id, `${emp.id}-P1`, id, debit, day, yuan(salary + bonus)]);
      }
    }
    // Pension here (benefit credits) or elsewhere (incoming transfers with a pension remark).
    if (age >= 60) {
      const here = r.chance(0.6);
      for (const m of months.slice(-3)) {
        const day = `${m}-15`;
        if (day > o.asOf) continue;
        if (here)
          await W('benefit_credits').row([
            nextId('BC'),
            id,
            debit,
            'BP-PEN-4201',
            day,
            yuan(r.int(200_000, 600_000)),
          ]);
        else
          await W('transfers').row([
            nextId('T'),
            id,
            debit,
            day,
            'IN',
            yuan(r.int(200_000, 600_000)),
            '某某银行',
            '他行',
            '养老金',
          ]);
      }
    }
    if (county && r.chance(0.3))
      await W('benefit_credits').row([
        nextId('BC'),
        id,
        debit,
        'BP-FARM-42',
        addDays(o.asOf, -r.int(1, 200)),
        yuan(r.int(10_000, 200_000)),
      ]);
    // Utility payments by transfer, and signed auto-debit agreements.
    if (age >= 18 && r.chance(0.3)) {
      for (let k = 0; k < 3; k++)
        await W('transfers').row([
          nextId('T'),
          id,
          debit,
          addDays(o.asOf, -r.int(1, 80)),
          'OUT',
          yuan(r.int(5_000, 40_000)),
          r.pick(['武汉市自来水公司', '国网湖北省电力公司', '中国移动']),
          null,
          '缴费',
        ]);
    }
    if (age >= 18 && r.chance(0.2))
      await W('bill_agreements').row([
        nextId('BA'),
        id,
        debit,
        r.pick(['WATER', 'POWER', 'GAS', 'TELECOM']),
        addDays(o.asOf, -r.int(1, 600)),
        null,
      ]);
    // Tuition remittances to listed (and unlisted) institutions.
    if (age >= 35 && age < 60 && r.chance(0.04)) {
      const inst = r.pick(INSTITUTIONS);
      const name = r.pick([
        String(inst[1]),
        String(inst[1]).toUpperCase(),
        String(inst[5] ?? inst[1]).split('|')[0] as string,
      ]);
      await W('remittances').row([
        nextId('R'),
        id,
        addDays(o.asOf, -r.int(30, 1000)),
        'USD',
        yuan(r.int(1_000_000, 5_000_000)),
        yuan(r.int(7_000_000, 35_000_000)),
        name,
        String(inst[4]),
        String(inst[3]),
        String(inst[2]),
        'TUITION',
      ]);
      if (r.chance(0.3))
        await W('bill_agreements').row([
          nextId('BA'),
          id,
          debit,
          'TUITION_CROSS_BORDER',
          addDays(o.asOf, -r.int(1, 300)),
          null,
        ]);
    }
    // County app, e-CNY wallets, credit card applications.
    if (county && r.chance(0.4)) {
      const reg = addDays(o.asOf, -r.int(1, 300));
      await W('app_events').row([id, 'COUNTY_APP', 'REGISTER', reg]);
      if (r.chance(0.5))
        await W('app_events').row([
          id,
          'COUNTY_APP',
          'FIRST_PAYMENT',
          minDate(addDays(reg, r.int(0, 20)), o.asOf),
        ]);
    }
    if (age >= 18 && r.chance(0.3))
      await W('app_events').row([id, 'MOBILE_BANK', 'REGISTER', addDays(o.asOf, -r.int(1, 900))]);
    if (r.chance(0.1))
      await W('ecny_wallets').row([
        nextId('W'),
        id,
        addDays(o.asOf, -r.int(1, 400)),
        r.chance(0.8) ? debit : null,
      ]);
    if (county && age >= 18 && r.chance(0.08)) {
      const status = r.pick(['PENDING', 'APPROVED', 'DECLINED']);
      const applied = addDays(o.asOf, -r.int(5, 100));
      await W('credit_card_applications').row([
        nextId('CCA'),
        id,
        'CC-COUNTY',
        applied,
        status,
        status === 'PENDING' ? null : addDays(applied, 3),
      ]);
    }
    // Merchants owned by some self-employed customers, with daily acquiring.
    if (occupation === 'SELF_EMPLOYED' && r.chance(0.5)) {
      const mid = `M${String(++merchantNo).padStart(6, '0')}`;
      const type = r.pick([
        'CHAIN',
        'SUPPLY_CHAIN_DEALER',
        'PRO_MARKET',
        'BUSINESS_DISTRICT',
        'STREET',
        'VEG_MARKET',
      ]);
      const rate = r.pick(['0.0060', '0.0055', '0.0038']);
      await W('merchants').row([
        mid,
        `商户${merchantNo}`,
        id,
        debit,
        type,
        `${type}集群`,
        outlet.id,
        r.chance(0.2) ? r.pick(employers).id : null,
        addDays(o.asOf, -r.int(1, 800)),
        rate,
      ]);
      for (let d = addDays(o.asOf, -89); d <= o.asOf; d = addDays(d, 1)) {
        if (!r.chance(0.7)) continue;
        const amt = r.int(10_000, 2_000_000);
        const income = Math.round(amt * Number(rate));
        await W('acquiring').row([
          mid,
          d,
          r.int(1, 80),
          yuan(amt),
          yuan(income),
          yuan(Math.round(amt * (r.chance(0.1) ? 0.007 : 0.003))),
        ]);
      }
    }
  }
  // Prospects from partner schools and agencies.
  for (let p = 1; p <= Math.max(5, Math.round(o.customers / 100)); p++) {
    const r = rng(`prospect:${p}`);
    await W('prospects').row([
      `PR${String(p).padStart(6, '0')}`,
      r.pick([...SURNAMES]) + r.pick([...GIVEN]),
      `1${r.pick(['38', '59'])}${r.digits(8)}`,
      null,
      r.pick(['SCHOOL', 'UNIVERSITY', 'STUDY_AGENCY']),
      '某国际学校',
      r.pick(INSTITUTIONS)[1],
      r.pick(DISTRICTS),
      r.chance(0.7) ? 'Y' : 'N',
      addDays(o.asOf, -r.int(1, 60)),
    ]);
  }

  const files: SampleResult['files'] = {};
  for (const e of EXTRACTS) files[e.name] = await W(e.name).close();
  writeFileSync(join(o.out, 'manifest.json'), `${JSON.stringify({ as_of: o.asOf, files }, null, 2)}\n`);
  return { out: o.out, asOf: o.asOf, files };
}

function addMonths(firstOfMonth: string, n: number): string {
  const y = Number(firstOfMonth.slice(0, 4));
  const m = Number(firstOfMonth.slice(5, 7)) - 1 + n;
  return `${y + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
}

const minDate = (a: string, b: string) => (a < b ? a : b);
