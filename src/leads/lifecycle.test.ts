// The lead lifecycle on a small hand-made bank, on both engines (PLAYBOOK.md): each rule of
// arbitration, routing, the contact policy, conversions and incentives, with a test season whose
// activities are written for the purpose (no holdout here: holdouts are tested on a generated bank).
//
// Season 2026-27 (S = 2026-11-15, YEAR_END until Dec 31). Runs: D1 = 2026-12-01 creates the leads;
// D2 = 2026-12-02; D3 = 2026-12-05 (the minors' accounts were opened on 12-04, C02's wealth account
// on 12-05). Bank time is UTC+8: 10:00 there is 02:00Z.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { loadSeasonConfig, parseSeasonConfig, type SeasonConfig } from '../config/season.js';
import { withFieldWrite } from '../field/common.js';
import { createVisit } from '../field/visits.js';
import { runPipeline } from '../pipeline/runner.js';
import { PadLookup } from './pad.js';
import { listTasks, reassignTask, recordConsentRegrant, recordOutcome, WorkRefused } from './work.js';

const base = loadSeasonConfig();
const doc = JSON.parse(JSON.stringify(base)) as Record<string, unknown> & {
  thresholds: Record<string, unknown>;
  activities: Record<string, unknown>[];
};
doc.thresholds.holdout_basis_points = 0;
doc.budgets = { default: {}, branches: { BR1: { POINTS: '1000', LIJIANJIN: '25' } } };
const defaults = (id: string) => doc.activities.find((a) => a.id === id) as Record<string, unknown>;
doc.activities = [
  {
    id: 'WEALTH',
    program: 'ELDERLY_MINOR',
    name: { zh: '理财', en: 'Wealth' },
    entity: 'CUSTOMER',
    owner: 'OUTLET',
    channels: ['MANAGER', 'POOL'],
    products: ['WM-R3', 'WM-R2'],
    weight: '1',
    propensity_prior: '0.05',
    value_per_conversion: '10',
    conversion: { event: 'ACCOUNT_OPENED', account_types: ['WEALTH'] },
    incentive: { kind: 'POINTS', amount: '100' },
    mine: "SELECT customer_id AS entity_id, customer_id, age FROM {{ref:customer_features}} WHERE customer_id <> 'C08'",
    reason: { zh: '{age} 岁', en: 'aged {age}' },
  },
  {
    id: 'R3_ONLY',
    program: 'ELDERLY_MINOR',
    name: { zh: '平衡理财', en: 'Balanced wealth' },
    entity: 'CUSTOMER',
    owner: 'OUTLET',
    channels: ['POOL'],
    products: ['WM-R3'],
    weight: '1',
    propensity_prior: '0.01',
    value_per_conversion: '1',
    conversion: { event: 'ACCOUNT_OPENED' },
    mine: "SELECT customer_id AS entity_id, customer_id FROM {{ref:customer_features}} WHERE customer_id IN ('C01', 'C02', 'C10')",
    reason: { zh: '测试', en: 'test' },
  },
  {
    id: 'MERCH',
    program: 'MERCHANT',
    name: { zh: '商户', en: 'Merchant' },
    entity: 'MERCHANT',
    owner: 'MERCHANT_M2',
    channels: ['MANAGER', 'POOL'],
    weight: '1',
    propensity_prior: '0.01',
    value_per_conversion: '1',
    conversion: { event: 'RATE_APPLIED' },
    mine: 'SELECT merchant_id AS entity_id, owner_customer_id AS customer_id FROM merchants',
    reason: { zh: '测试', en: 'test' },
  },
  {
    id: 'LATE',
    program: 'PAYMENT',
    name: { zh: '后来的活动', en: 'A later activity' },
    entity: 'CUSTOMER',
    owner: 'OUTLET',
    channels: ['POOL'],
    weight: '1',
    propensity_prior: '0.01',
    value_per_conversion: '1',
    conversion: { event: 'WALLET_OPENED' },
    mine: "SELECT customer_id AS entity_id, customer_id FROM {{ref:customer_features}} WHERE customer_id = 'C10' AND {{as_of}} >= DATE '2026-12-06'",
    reason: { zh: '测试', en: 'test' },
  },
  defaults('MINOR_ACCOUNT'),
  defaults('EMPLOYER_VISIT'),
  {
    ...defaults('CROSS_BORDER_TUITION'),
    mine: "SELECT customer_id AS entity_id, customer_id FROM {{ref:customer_features}} WHERE customer_id IN ('C08', 'C05')",
    reason: { zh: '测试', en: 'test' },
  },
];
const config: SeasonConfig = parseSeasonConfig(stringify(doc), 'test season');

const [D1, D2, D3] = ['2026-12-01', '2026-12-02', '2026-12-05'];
/** 10:00 bank time on a date, plus hours. */
const bankTime = (date: string, hour = 10) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + (hour - 8) * 3_600_000);

const customer = (
  id: string,
  birth: string,
  org: string,
  manager: string | null,
  risk: string | null,
  consent = 'Y',
  dnd = 'N',
) =>
  `('${id}', '${id} 客户', DATE '${birth}', '${org}', ${manager ? `'${manager}'` : 'NULL'}, '420102', ${risk ? `'${risk}'` : 'NULL'}, '${consent}', '${dnd}', DATE '2020-01-01')`;

const bank: [string, string, string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id, division_code',
    [
      "('HQ', '总行', 'HQ', NULL, '420100')",
      "('RC', '远程银行中心', 'REMOTE_CENTER', 'HQ', '420100')",
      "('BR1', '分行', 'BRANCH', 'HQ', '420100')",
      "('SB1', '支行', 'SUBBRANCH', 'BR1', '420102')",
      "('OU1', '网点一', 'OUTLET', 'SB1', '420102')",
      "('OU2', '网点二', 'OUTLET', 'SB1', '420102')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role',
    [
      "('M1', 'OU1', '经理一', 'ACCOUNT_MANAGER')",
      "('M2', 'OU2', '经理二', 'ACCOUNT_MANAGER')",
      "('RM1', 'SB1', '对公一', 'CORPORATE_RM')",
      "('RA1', 'RC', '坐席一', 'REMOTE_AGENT')",
      "('L1', 'OU1', '大堂一', 'LOBBY')",
    ],
  ],
  [
    'products',
    'product_code, product_name, category, risk_rating, min_age, max_age',
    [
      "('WM-R2', '稳健理财', 'WEALTH', 'R2', 18, NULL)",
      "('WM-R3', '平衡理财', 'WEALTH', 'R3', 18, NULL)",
      "('SAV-MINOR', '少儿成长账户', 'DEPOSIT', NULL, 0, 17)",
      "('PAY-TUITION', '跨境缴费', 'PAYMENT', NULL, 18, NULL)",
    ],
  ],
  [
    'customers',
    'customer_id, name, birth_date, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    [
      customer('C01', '1956-06-01', 'OU1', 'M1', 'C4'), // 70: only R1–R2 although C4
      customer('C02', '1986-06-01', 'OU1', 'M1', 'C4'), // 40, C4: R3 suits
      customer('C03', '1986-06-01', 'OU1', 'M1', 'C4', 'N'), // no consent
      customer('C04', '1986-06-01', 'OU1', 'M1', 'C4', 'Y', 'Y'), // do not disturb
      customer('C05', '2011-06-01', 'OU2', 'M2', null), // 15: a minor, ward of C06
      customer('C06', '1981-06-01', 'OU2', 'M2', 'C2'), // guardian of C05 and C07
      customer('C07', '2014-06-01', 'OU2', 'M2', null), // 12
      customer('C08', '1996-06-01', 'OU1', null, null), // no manager: remote
      customer('C09', '1996-06-01', 'OU1', 'M1', null), // no risk level: no rated product
      customer('C40', '1980-06-01', 'OU1', 'M1', 'C2'), // guardian of C41 and C42; refuses MINOR_ACCOUNT for C41
      customer('C41', '2015-06-01', 'OU1', null, null),
      customer('C42', '2016-06-01', 'OU1', null, null),
      customer('C43', '1990-06-01', 'OU1', 'M1', 'C3'), // opens a wealth account on the day the lead is made
      customer('C44', '1990-06-01', 'OU1', 'M1', 'C3'), // … on the window's last day (created + 60)
      customer('C45', '1990-06-01', 'OU1', 'M1', 'C3'), // … the day after it
      // Merchant owners (no risk level: no WEALTH lead), for M2 routing.
      customer('C50', '1980-06-01', 'OU1', null, null),
      customer('C51', '1980-06-01', 'OU1', 'M2', null), // their manager sits in OU2, outside OU1
      customer('C52', '1980-06-01', 'OU1', null, null),
      customer('C53', '1980-06-01', 'OU1', 'M1', null),
      customer('C54', '1980-06-01', 'OU1', null, null),
      ...Array.from({ length: 25 }, (_, i) => customer(`C${10 + i}`, '1996-06-01', 'OU2', 'M2', 'C3')),
    ],
  ],
  [
    'relationships',
    'customer_id, related_customer_id, relation',
    [
      "('C06', 'C05', 'GUARDIAN_OF')",
      "('C06', 'C07', 'GUARDIAN_OF')",
      "('C40', 'C41', 'GUARDIAN_OF')",
      "('C40', 'C42', 'GUARDIAN_OF')",
    ],
  ],
  [
    'employers',
    'employer_id, employer_name, is_government, org_id, corporate_rm_id',
    ["('E1', '单位一', 'Y', 'SB1', 'RM1')", "('E2', '单位二', 'N', 'OU1', NULL)"],
  ],
  [
    'merchants',
    'merchant_id, merchant_name, owner_customer_id, merchant_type, org_id, near_employer_id',
    [
      "('M_CHAIN', '连锁', 'C50', 'CHAIN', 'OU1', NULL)", // → the branch above: BR1
      "('M_STREET', '街边', 'C51', 'STREET', 'OU1', NULL)", // → its outlet OU1
      "('M_PRO', '专业市场', 'C52', 'PRO_MARKET', 'OU1', NULL)", // → the sub-branch above: SB1
      "('M_NEAR', '菜场', 'C53', 'VEG_MARKET', 'OU2', 'E2')", // → the outlet of the nearby employer's org: OU1
      "('M_HIGH', '街边二', 'C54', 'STREET', 'SB1', NULL)", // sits above outlet level: SB1's pool
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, open_date',
    [
      "('A05', 'C05', 'SAV-MINOR', 'SAVINGS', DATE '2026-12-04')",
      "('A07', 'C07', 'SAV-MINOR', 'SAVINGS', DATE '2026-12-04')",
      "('A02', 'C02', 'WM-R3', 'WEALTH', DATE '2026-12-05')",
      "('A43', 'C43', 'WM-R2', 'WEALTH', DATE '2026-12-01')",
      "('A44', 'C44', 'WM-R3', 'WEALTH', DATE '2027-01-30')",
      "('A45', 'C45', 'WM-R3', 'WEALTH', DATE '2027-01-31')",
    ],
  ],
];

describeEachEngine('the lead lifecycle on a hand-made bank', (engine) => {
  let db: TestDb;
  const run = async (asOf: string) => {
    const r = await runPipeline(db, { asOf, config });
    expect(r.status, r.message ?? '').toBe('PUBLISHED');
    return r;
  };
  const leadOf = async (activity: string, entity: string) =>
    (
      await db.query<Record<string, string | number | boolean | null>>(
        'SELECT * FROM leads WHERE activity_id = $1 AND entity_id = $2',
        [activity, entity],
      )
    )[0];
  const visitConversion = () =>
    db.query(
      `SELECT x.event_kind, x.event_date, x.event_ref, x.service FROM conversions x JOIN leads l ON l.lead_id = x.lead_id
        WHERE l.activity_id = 'EMPLOYER_VISIT' AND l.entity_id = 'E2'`,
    );
  const taskOf = async (activity: string, entity: string) =>
    (
      await db.query<Record<string, string | number | null>>(
        'SELECT t.* FROM tasks t JOIN leads l ON l.lead_id = t.lead_id WHERE l.activity_id = $1 AND l.entity_id = $2',
        [activity, entity],
      )
    )[0];

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await db.exec("UPDATE customers SET id_no = '42010219560601123X' WHERE customer_id = 'C01'");
    await markLoaded(db, '2027-01-31');
    await run(D1);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('gives a customer without consent, or on do-not-disturb, no marketing lead', async () => {
    const rows = await db.query<{ entity_id: string }>(
      `SELECT entity_id FROM leads WHERE customer_id IN ('C03', 'C04')`,
    );
    expect(rows).toEqual([]);
    const [w] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM lead_candidates WHERE customer_id IN ('C03', 'C04')`,
    );
    expect(w?.n).toBe(2); // mined by WEALTH, then refused by arbitration
  });

  it('never offers a 70-year-old C4 customer an R3 product', async () => {
    expect((await leadOf('WEALTH', 'C01'))?.product_code).toBe('WM-R2'); // R3 first in the list, R2 suits
    expect((await leadOf('WEALTH', 'C02'))?.product_code).toBe('WM-R3'); // aged 40: R3 suits C4
    expect(await leadOf('R3_ONLY', 'C01')).toBeUndefined();
    expect(await leadOf('R3_ONLY', 'C02')).toBeDefined();
    expect(await leadOf('WEALTH', 'C05')).toBeUndefined(); // 15: under the activity's 18
    // Without a risk level, only unrated products: WEALTH offers two rated ones.
    expect(await leadOf('WEALTH', 'C09')).toBeUndefined();
    expect(await leadOf('WEALTH', 'C43')).toMatchObject({ product_code: 'WM-R3' }); // holds WM-R2 already
  });

  it('reaches a minor only through the guardian', async () => {
    const minors = await db.query<{
      entity_id: string;
      customer_id: string;
      holder_id: string;
      product_code: string;
    }>(
      `SELECT entity_id, customer_id, holder_id, product_code FROM leads WHERE activity_id = 'MINOR_ACCOUNT' AND customer_id = 'C06' ORDER BY entity_id`,
    );
    expect(minors).toEqual([
      { entity_id: 'C05', customer_id: 'C06', holder_id: 'C05', product_code: 'SAV-MINOR' },
      { entity_id: 'C07', customer_id: 'C06', holder_id: 'C07', product_code: 'SAV-MINOR' },
    ]);
    // The 15-year-old mined directly by an activity for adults gets no lead.
    expect(await leadOf('CROSS_BORDER_TUITION', 'C05')).toBeUndefined();
    const [blocked] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM leads WHERE customer_id IN ('C05', 'C07')`,
    );
    expect(blocked?.n).toBe(0);
  });

  it('keeps at most 2 open leads per customer, the best first', async () => {
    // C06: two minors (priority 0.05 × 200 × 0.8 = 8 each) beat WEALTH (0.05 × 10 × 1 = 0.5).
    const c06 = await db.query<{ activity_id: string; priority: string }>(
      `SELECT activity_id, CAST(priority AS VARCHAR) AS priority FROM leads WHERE customer_id = 'C06' AND status = 'OPEN' ORDER BY entity_id`,
    );
    expect(c06.map((l) => l.activity_id)).toEqual(['MINOR_ACCOUNT', 'MINOR_ACCOUNT']);
    expect(Number(c06[0]?.priority)).toBe(8);
    const [over] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM (SELECT customer_id FROM leads WHERE status = 'OPEN' AND customer_id IS NOT NULL
         GROUP BY customer_id HAVING count(*) > 2) x`,
    );
    expect(over?.n).toBe(0);
  });

  it('routes merchants by M2 and the owner’s manager only within the owning org', async () => {
    const route = async (m: string) => {
      const t = await taskOf('MERCH', m);
      return [t?.org_id, t?.staff_id, t?.channel];
    };
    expect(await route('M_CHAIN')).toEqual(['BR1', null, 'POOL']);
    expect(await route('M_STREET')).toEqual(['OU1', null, 'POOL']); // M2 works in OU2
    expect(await route('M_PRO')).toEqual(['SB1', null, 'POOL']);
    expect(await route('M_NEAR')).toEqual(['OU1', 'M1', 'MANAGER']);
    expect(await route('M_HIGH')).toEqual(['SB1', null, 'POOL']);
  });

  it('answers the lobby PAD by customer id or scanned ID number: masked, suitable, audited', async () => {
    const pad = await PadLookup.open(db, config, 'a-server-secret-of-the-bank');
    const byId = await pad.lookup({ customerId: 'C01' }, { staffId: 'L1' });
    expect(byId?.customer).toEqual({
      customer_id: 'C01',
      name: 'C****户',
      phone: null,
      age: 70,
      home_org_id: 'OU1',
    });
    expect(byId?.leads.map((l) => [l.activity_id, l.product_code, l.reason])).toEqual([
      ['WEALTH', 'WM-R2', '70 岁'],
    ]);
    // Products: WM-R3 is not suitable at 70, SAV-MINOR is for minors; WM-R2 carries WEALTH's priority and reason.
    expect(byId?.matches.map((m) => [m.product_code, m.score, m.reason])).toEqual([
      ['PAY-TUITION', '2.000000000000', '符合客户年龄、地区与风险等级的产品'],
      ['WM-R2', '0.500000000000', '70 岁'],
    ]);
    const scanned = await pad.lookup({ idNo: '42010219560601123x' }, { staffId: 'L1' }, 'en');
    expect(scanned?.customer.customer_id).toBe('C01');
    expect(scanned?.matches[0]?.reason).toBe("Fits the customer's age, region and risk level");
    expect(await pad.lookup({ idNo: '110101199001011234' }, { staffId: 'L1' })).toBeNull();
    const audit = await db.query<{ actor: string; action: string; subject: string | null }>(
      'SELECT actor, action, subject FROM audit_log ORDER BY logged_at, subject',
    );
    expect(audit.map((a) => `${a.actor} ${a.action} ${a.subject ?? '(not found)'}`).sort()).toEqual([
      'L1 PAD_LOOKUP (not found)',
      'L1 PAD_LOOKUP C01',
      'L1 PAD_LOOKUP C01',
    ]);
    await expect(PadLookup.open(db, config, 'short')).rejects.toThrow(/at least 16 characters/);
  });

  it('routes to the manager, the corporate RM, or remote channels, within 20 new tasks a day', async () => {
    expect(await taskOf('WEALTH', 'C02')).toMatchObject({
      staff_id: 'M1',
      org_id: 'OU1',
      channel: 'MANAGER',
      status: 'OPEN',
    });
    expect(await taskOf('EMPLOYER_VISIT', 'E1')).toMatchObject({ staff_id: 'RM1', channel: 'CORPORATE_RM' });
    // C08 has no manager: the tuition activity allows SMS, sent from the remote centre, credited to OU1.
    expect(await taskOf('CROSS_BORDER_TUITION', 'C08')).toMatchObject({
      staff_id: null,
      org_id: 'RC',
      channel: 'SMS',
      credit_org_id: 'OU1',
    });
    const m2 = await db.query<{ status: string; queue_reason: string | null; n: number }>(
      `SELECT status, queue_reason, CAST(count(*) AS INTEGER) AS n FROM tasks WHERE staff_id = 'M2' GROUP BY status, queue_reason ORDER BY status`,
    );
    // 25 WEALTH customers of M2 + 2 minors' leads for C06: 27, of which 20 today, in priority order.
    expect(m2).toEqual([
      { status: 'OPEN', queue_reason: null, n: 20 },
      { status: 'QUEUED', queue_reason: 'CAPACITY', n: 7 },
    ]);
    expect((await taskOf('MINOR_ACCOUNT', 'C05'))?.status).toBe('OPEN'); // higher priority goes first
    const list = await listTasks(db, config, { staffId: 'M1' });
    expect(list.find((t) => t.customer_id === 'C02')).toMatchObject({
      customer_name: 'C****户',
      reason: '40 岁',
      talking_points: '理财：40 岁；推荐：平衡理财；告知客户可随时拒绝营销联系',
      product_code: 'WM-R3',
    });
  });

  it('suppresses an activity for 180 days after a refusal: the guardian’s other ward', async () => {
    const t = Number((await taskOf('MINOR_ACCOUNT', 'C41'))?.task_id);
    await recordOutcome(db, config, { taskId: t, outcome: 'REFUSED', at: bankTime(D1, 16) });
    expect(await leadOf('MINOR_ACCOUNT', 'C41')).toMatchObject({
      status: 'REFUSED',
      status_reason: 'REFUSED',
    });
    expect(await leadOf('MINOR_ACCOUNT', 'C42')).toMatchObject({ status: 'OPEN' }); // until the next run
  });

  it('refuses the 3rd marketing contact in 7 days and an SMS at 22:00; service visits are exempt', async () => {
    const t = Number((await taskOf('WEALTH', 'C02'))?.task_id);
    await recordOutcome(db, config, { taskId: t, outcome: 'CONTACTED', at: bankTime(D1, 10) });
    await recordOutcome(db, config, { taskId: t, outcome: 'NOT_REACHED', at: bankTime(D1, 11) }); // not a contact
    await recordOutcome(db, config, { taskId: t, outcome: 'INTERESTED', at: bankTime(D1, 15) });
    await expect(
      recordOutcome(db, config, { taskId: t, outcome: 'APPOINTMENT', at: bankTime('2026-12-07', 9) }),
    ).rejects.toMatchObject({ code: 'CONTACT_CAP' });
    // 7 × 24 hours after the first contact it may be recorded.
    await recordOutcome(db, config, {
      taskId: t,
      outcome: 'CONVERTED_CLAIMED',
      at: bankTime('2026-12-08', 10),
    });
    const sms = Number((await taskOf('CROSS_BORDER_TUITION', 'C08'))?.task_id);
    await expect(
      recordOutcome(db, config, { taskId: sms, outcome: 'CONTACTED', at: bankTime(D1, 22) }),
    ).rejects.toMatchObject({
      code: 'QUIET_HOURS',
    });
    await expect(
      recordOutcome(db, config, { taskId: sms, outcome: 'CONTACTED', at: bankTime(D2, 8) }),
    ).rejects.toThrow(/no SMS between 21:00 and 09:00/);
    await recordOutcome(db, config, { taskId: sms, outcome: 'CONTACTED', at: bankTime(D2, 9) });
    // A customer who turns the bank down is always heard: a refusal at the cap is recorded.
    const r3 = Number((await taskOf('R3_ONLY', 'C02'))?.task_id);
    expect(
      await recordOutcome(db, config, { taskId: r3, outcome: 'REFUSED', at: bankTime(D1, 16) }),
    ).toMatchObject({
      lead_status: 'REFUSED',
    });
    const visit = Number((await taskOf('EMPLOYER_VISIT', 'E1'))?.task_id);
    for (const h of [9, 10, 11])
      await recordOutcome(db, config, { taskId: visit, outcome: 'CONTACTED', at: bankTime(D2, h) });
    await expect(recordOutcome(db, config, { taskId: visit, outcome: 'INVALID' })).rejects.toBeInstanceOf(
      WorkRefused,
    );
  });

  it('records employer visits in field operations: a NOT_MET visit is no visit', async () => {
    expect(await leadOf('EMPLOYER_VISIT', 'E2')).toMatchObject({ status: 'OPEN', created_on: D1 });
    const visit = (visited_on: string, outcome: 'NOT_MET' | 'MET') =>
      withFieldWrite(db, (tx) =>
        createVisit(
          tx,
          { kind: 'EMPLOYER', employer_id: 'E2', org_id: 'OU1', staff_id: 'M1', visited_on, outcome },
          { username: 'test', at: bankTime(visited_on) },
        ),
      );
    expect(await visit(D2, 'NOT_MET')).toBe(1);
    expect(await visit('2026-12-03', 'MET')).toBe(2);
  });

  it('does not count a claimed conversion without data; counts the account opened later, once', async () => {
    await run(D2);
    expect(await leadOf('WEALTH', 'C02')).toMatchObject({ status: 'OPEN' });
    expect(await leadOf('MINOR_ACCOUNT', 'C42')).toMatchObject({
      status: 'DROPPED',
      status_reason: 'REFUSED_RECENTLY',
    });
    expect((await taskOf('MINOR_ACCOUNT', 'C42'))?.status).toBe('CLOSED');
    const [none] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM conversions WHERE customer_id = 'C02'`,
    );
    expect(none?.n).toBe(0);
    await run(D3);
    expect(await leadOf('WEALTH', 'C02')).toMatchObject({ status: 'CONVERTED', status_on: '2026-12-05' });
    const conv = await db.query(
      "SELECT event_kind, event_date, event_ref, credit_org_id, credit_staff_id FROM conversions WHERE customer_id = $1 AND activity_id = 'WEALTH'",
      ['C02'],
    );
    expect(conv).toEqual([
      {
        event_kind: 'ACCOUNT_OPENED',
        event_date: '2026-12-05',
        event_ref: 'A02',
        credit_org_id: 'OU1',
        credit_staff_id: 'M1',
      },
    ]);
    expect((await taskOf('WEALTH', 'C02'))?.status).toBe('DONE');
    // The employer visit recorded on D2 converts the service lead, which is no marketing conversion.
    expect(await leadOf('EMPLOYER_VISIT', 'E1')).toMatchObject({ status: 'CONVERTED', service: true });
    // So does a visit recorded in field operations: E2's on 12-03 (its NOT_MET visit on D2 is none, and
    // the run of D2 could not see a visit after D2).
    expect(await leadOf('EMPLOYER_VISIT', 'E2')).toMatchObject({
      status: 'CONVERTED',
      status_on: '2026-12-03',
    });
    expect(await visitConversion()).toEqual([
      { event_kind: 'VISIT_RECORDED', event_date: '2026-12-03', event_ref: 'visit:2', service: true },
    ]);
  });

  it('grants once per customer, activity and event, and never over the budget', async () => {
    const ledger = await db.query<{
      customer_id: string;
      activity_id: string;
      kind: string;
      amount: string;
      status: string;
      reason: string | null;
    }>(
      'SELECT customer_id, activity_id, kind, amount, status, reason FROM incentive_ledger ORDER BY entry_id',
    );
    expect(ledger).toEqual([
      // Both of C06's wards opened accounts on 12-04: the first grant pays, the second is the same event.
      {
        customer_id: 'C06',
        activity_id: 'MINOR_ACCOUNT',
        kind: 'LIJIANJIN',
        amount: '20.00',
        status: 'GRANTED',
        reason: null,
      },
      {
        customer_id: 'C06',
        activity_id: 'MINOR_ACCOUNT',
        kind: 'LIJIANJIN',
        amount: '20.00',
        status: 'REFUSED',
        reason: 'already granted for this customer, activity and event',
      },
      {
        customer_id: 'C02',
        activity_id: 'WEALTH',
        kind: 'POINTS',
        amount: '100.00',
        status: 'GRANTED',
        reason: null,
      },
    ]);
    const budgets = await db.query(
      'SELECT branch_id, kind, budget, granted, remaining FROM budgets ORDER BY kind',
    );
    expect(budgets).toEqual([
      { branch_id: 'BR1', kind: 'LIJIANJIN', budget: '25.00', granted: '20.00', remaining: '5.00' },
      { branch_id: 'BR1', kind: 'POINTS', budget: '1000.00', granted: '100.00', remaining: '900.00' },
    ]);
    // A conversion whose 立减金 would exceed what is left (5.00 of 25.00) is refused and reported.
    await db.execute(
      `INSERT INTO bill_agreements (agreement_id, customer_id, account_id, biller_kind, signed_date) VALUES ('G08', 'C08', NULL, 'TUITION_CROSS_BORDER', DATE '2026-12-05')`,
    );
    const r = await run(D3);
    expect(r.leads?.incentives).toMatchObject({ granted: 0, refused: 1 });
    expect(r.leads?.incentives.refusals[0]).toMatch(/budget LIJIANJIN of BR1: 5\.00 left, 50\.00 needed/);
    // A rerun of the same date changes no lead or task, grants nothing twice and appends nothing.
    const state = async () => ({
      ledger: await db.query('SELECT * FROM incentive_ledger ORDER BY entry_id'),
      leads: await db.query('SELECT * FROM leads ORDER BY lead_id'),
      tasks: await db.query('SELECT * FROM tasks ORDER BY task_id'),
      conversions: await db.query('SELECT * FROM conversions ORDER BY lead_id'),
    });
    const before = await state();
    await run(D3);
    expect(await state()).toEqual(before);
  });

  it('honours a refusal of all marketing in the next run, until a re-grant recorded after it', async () => {
    const t = await listTasks(db, config, { staffId: 'M2' });
    const c10 = t.find((x) => x.customer_id === 'C10' && x.status === 'OPEN');
    expect(c10).toBeDefined();
    await recordOutcome(db, config, {
      taskId: c10?.task_id as number,
      outcome: 'REFUSED_ALL',
      at: bankTime(D3, 10),
    });
    expect(await leadOf('WEALTH', 'C10')).toMatchObject({ status: 'REFUSED' });
    // Its other marketing leads stop at once; nothing more may be recorded on them.
    expect(await leadOf('R3_ONLY', 'C10')).toMatchObject({ status: 'DROPPED', status_reason: 'REFUSED_ALL' });
    expect((await taskOf('R3_ONLY', 'C10'))?.status).toBe('CLOSED');
    await run(D3);
    const [open] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM leads WHERE customer_id = 'C10' AND status = 'OPEN'`,
    );
    expect(open?.n).toBe(0);
    expect(await leadOf('R3_ONLY', 'C10')).toMatchObject({ status: 'DROPPED', status_reason: 'REFUSED_ALL' });
    // The extract still says marketing_consent = Y: that does not lift it. A re-grant recorded in
    // Wangji on 12-07 does, from that day on.
    await recordConsentRegrant(db, { customerId: 'C10', staffId: 'M2', at: bankTime('2026-12-07', 10) });
    await run('2026-12-06');
    expect(await leadOf('LATE', 'C10')).toBeUndefined();
    await run('2026-12-07');
    expect(await leadOf('LATE', 'C10')).toMatchObject({ status: 'OPEN', created_on: '2026-12-07' });
    // WEALTH and R3_ONLY stay as they ended: a lead's key is spent for the season.
    expect(await leadOf('WEALTH', 'C10')).toMatchObject({ status: 'REFUSED' });
  });

  it('reassigns within capacity and refuses work on closed tasks', async () => {
    const done = Number((await taskOf('WEALTH', 'C02'))?.task_id);
    await expect(
      recordOutcome(db, config, { taskId: done, outcome: 'CONTACTED', at: bankTime(D3) }),
    ).rejects.toMatchObject({
      code: 'TASK_CLOSED',
    });
    const open = await db.query<{ task_id: number; staff_id: string | null }>(
      "SELECT task_id, staff_id FROM tasks WHERE status IN ('OPEN', 'IN_PROGRESS', 'QUEUED') ORDER BY task_id",
    );
    const a = Number(open.find((t) => t.staff_id === null)?.task_id);
    const b = Number(open.find((t) => Number(t.task_id) !== a)?.task_id);
    // The day is the latest lead run's (2026-12-07): due a week later.
    expect(await reassignTask(db, config, { taskId: a as number, staffId: 'M1' })).toMatchObject({
      staff_id: 'M1',
      org_id: 'OU1',
      channel: 'MANAGER',
      due_date: '2026-12-14',
    });
    const tight = { ...config, thresholds: { ...config.thresholds, staff_daily_capacity: 1 } };
    await expect(reassignTask(db, tight, { taskId: b as number, staffId: 'M1' })).rejects.toMatchObject({
      code: 'CAPACITY',
    });
    expect(await reassignTask(db, config, { taskId: a as number, poolOrgId: 'OU2' })).toMatchObject({
      staff_id: null,
      channel: 'POOL',
    });
    await expect(reassignTask(db, config, { taskId: a as number, staffId: 'NOBODY' })).rejects.toMatchObject({
      code: 'UNKNOWN_STAFF',
    });
  });

  it('counts an event only inside (created_on, created_on + 60], and expires the lead after', async () => {
    // Leads of C43–C45 were created on D1 = 2026-12-01: the window is 12-02 … 2027-01-30.
    await run('2027-01-31');
    expect(await leadOf('WEALTH', 'C44')).toMatchObject({ status: 'CONVERTED', status_on: '2027-01-30' });
    expect(await leadOf('WEALTH', 'C45')).toMatchObject({ status: 'EXPIRED', status_on: '2027-01-30' });
    expect(await leadOf('WEALTH', 'C43')).toMatchObject({ status: 'EXPIRED' }); // opened on created_on: not after it
    const [c] = await db.query<{ n: number }>(
      "SELECT CAST(count(*) AS INTEGER) AS n FROM conversions WHERE customer_id IN ('C43', 'C45')",
    );
    expect(c?.n).toBe(0);
    // Later runs leave E2's conversion by the field visit as it was.
    expect(await visitConversion()).toEqual([
      { event_kind: 'VISIT_RECORDED', event_date: '2026-12-03', event_ref: 'visit:2', service: true },
    ]);
  });
});
