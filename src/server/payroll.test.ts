// Payroll monitoring through the API, on both engines: employers in scope (by org for SUBTREE and BANK,
// by corporate_rm_id for a corporate RM), tier, alert and retention; an employer's and an org's 13
// months with YoY; out of scope 404 (audited), without payroll:read 403; no personal data.
//
// Org tree: H → B1 → S1 → O1, O2; H → B2 → O3. D = 2027-01-20, so L = 2026-12 and W13 = 2025-12 … 2026-12.
//   E1  O1  RM1  pays C1 every month: 5,000.00 in 2025-12, 6,000.00 in 2026-12 (YoY 1.2)
//   E2  O2  RM2  pays P1 … P6 every month to 2026-11, nobody in 2026-12 (STOPPED)
//   E3  O3  —    pays C4 in 2026-12 only

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import {
  expectNoPersonalData,
  noopSeasonConfig,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../test/server.js';
import { monthStart } from '../domain/dates.js';
import { runPipeline } from '../pipeline/runner.js';

const D = '2027-01-20';
const NOW = new Date('2027-01-21T02:00:00Z');
const W13 = Array.from({ length: 13 }, (_, i) => monthStart('2026-12-01', i - 12));

const config = noopSeasonConfig();

const PEOPLE = ['C1', 'C4', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6'];
const idOf = (i: number) => `4201021980010${String(1000 + i).padStart(4, '0')}1`.slice(0, 18);
const phoneOf = (i: number) => `1380000${String(1000 + i)}`;

const payroll: string[] = [];
let pid = 0;
const pay = (employer: string, customer: string, month: string, amount: string) =>
  payroll.push(
    `('PR${++pid}', '${employer}', NULL, '${customer}', NULL, DATE '${month.slice(0, 8)}15', ${amount})`,
  );
W13.forEach((m, i) => {
  pay('E1', 'C1', m, i === 12 ? '6000.00' : '5000.00');
  if (i < 12) for (let p = 1; p <= 6; p++) pay('E2', `P${p}`, m, '3000.00');
});
pay('E3', 'C4', W13[12] as string, '4000.00');

const bank: [string, string, string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id, division_code',
    [
      "('H', '总行', 'HQ', NULL, '420100')",
      "('B1', '分行一', 'BRANCH', 'H', '420100')",
      "('S1', '支行一', 'SUBBRANCH', 'B1', '420102')",
      "('O1', '网点一', 'OUTLET', 'S1', '420102')",
      "('O2', '网点二', 'OUTLET', 'S1', '420102')",
      "('B2', '分行二', 'BRANCH', 'H', '420100')",
      "('O3', '网点三', 'OUTLET', 'B2', '420102')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role',
    [
      "('AM1', 'O1', '经理一', 'ACCOUNT_MANAGER')",
      "('RM1', 'S1', '对公一', 'CORPORATE_RM')",
      "('RM2', 'S1', '对公二', 'CORPORATE_RM')",
      "('OM1', 'O1', '网点主任', 'OUTLET_MANAGER')",
      "('SM1', 'S1', '支行长', 'SUBBRANCH_MANAGER')",
      "('L1', 'O1', '大堂一', 'LOBBY')",
    ],
  ],
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    PEOPLE.map(
      (c, i) =>
        `('${c}', '员工${i}号', 'ID_CARD', '${idOf(i)}', 'F', DATE '1980-01-01', '${phoneOf(i)}', '${c === 'C4' ? 'O3' : 'O1'}', NULL, '420102', 'C3', 'Y', 'N', DATE '2020-01-01')`,
    ),
  ],
  [
    'employers',
    'employer_id, employer_name, uscc, industry, is_government, org_id, corporate_rm_id, division_code',
    [
      "('E1', '甲公司', '91420100000000001A', 'MANUFACTURING', 'N', 'O1', 'RM1', '420102')",
      "('E2', '乙公司', '91420100000000002B', 'RETAIL', 'N', 'O2', 'RM2', '420102')",
      "('E3', '丙公司', '91420100000000003C', 'RETAIL', 'N', 'O3', NULL, '420102')",
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, open_date, open_org_id',
    ["('A1', 'C1', NULL, 'SAVINGS', DATE '2020-01-01', 'O1')"],
  ],
  ['balances', 'account_id, balance_date, balance', ["('A1', DATE '2020-01-01', 10000.00)"]],
  ['payroll', 'payroll_id, employer_id, project_code, customer_id, account_id, pay_date, amount', payroll],
];

const USERS: TestUser[] = [
  { user: 'hq', role: 'HQ_OPS', org: 'H', staff: null },
  { user: 'subbranch', role: 'SUBBRANCH_MANAGER', org: 'S1', staff: 'SM1' },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
  { user: 'rm1', role: 'CORPORATE_RM', org: 'S1', staff: 'RM1' },
  { user: 'rm2', role: 'CORPORATE_RM', org: 'S1', staff: 'RM2' },
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1' },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null },
];

describeEachEngine('the payroll API', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const get = (url: string, as: string) => server.call('GET', url, { as });
  const ids = (res: LightMyRequestResponse) =>
    (res.json().employers as { employer_id: string }[]).map((e) => e.employer_id).sort();
  const denied = () => server.audits('DENIED');

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    server = await startTestServer({ db, config, users: USERS, now: NOW, log: false });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('lists the employers in scope: by org subtree, and a corporate RM only their own', async () => {
    const expected: Record<string, string[]> = {
      hq: ['E1', 'E2', 'E3'],
      subbranch: ['E1', 'E2'],
      outlet: ['E1'],
      rm1: ['E1'],
      rm2: ['E2'],
    };
    for (const [as, want] of Object.entries(expected)) {
      const res = await get('/api/payroll/employers', as);
      expect(res.statusCode, as).toBe(200);
      expect(ids(res), as).toEqual(want);
      expect(res.json().total, as).toBe(want.length);
      expect(res.json().months).toEqual(W13);
    }
    for (const as of ['am1', 'lobby', 'auditor'])
      expect((await get('/api/payroll/employers', as)).statusCode, as).toBe(403);
  });

  it('shows tier, the churn alert and retention, and filters by org, tier and alert', async () => {
    const all = (await get('/api/payroll/employers', 'hq')).json();
    // The stopped employer comes first.
    expect(all.employers[0]).toMatchObject({
      employer_id: 'E2',
      employer_name: '乙公司',
      org_id: 'O2',
      corporate_rm_id: 'RM2',
      tier: 'C',
      alert: { kind: 'STOPPED', headcount_l: 0, amount_l: expect.stringMatching(/^0(\.0+)?$/) },
    });
    const e1 = all.employers.find((e: { employer_id: string }) => e.employer_id === 'E1');
    expect(e1).toMatchObject({ tier: 'C', alert: null, retention: { month: '2026-12-01' } });
    expect(e1.retention.rate).toMatch(/^\d+(\.\d+)?$/);
    expect(ids(await get('/api/payroll/employers?alert=STOPPED', 'hq'))).toEqual(['E2']);
    expect(ids(await get('/api/payroll/employers?alert=ANY', 'hq'))).toEqual(['E2']);
    expect(ids(await get('/api/payroll/employers?alert=NONE', 'hq'))).toEqual(['E1', 'E3']);
    expect(ids(await get('/api/payroll/employers?alert=DROP', 'hq'))).toEqual([]);
    expect(ids(await get('/api/payroll/employers?tier=C', 'hq'))).toEqual(['E1', 'E2', 'E3']);
    expect(ids(await get('/api/payroll/employers?tier=A', 'hq'))).toEqual([]);
    expect(ids(await get('/api/payroll/employers?org=B1', 'hq'))).toEqual(['E1', 'E2']);
    expect(ids(await get('/api/payroll/employers?org=O2', 'subbranch'))).toEqual(['E2']);
    expect(ids(await get('/api/payroll/employers?org=S1', 'rm1'))).toEqual(['E1']);
    const before = await denied();
    const outside = await get('/api/payroll/employers?org=O3', 'subbranch');
    expect(outside.statusCode).toBe(404);
    expect(await denied()).toBe(before + 1);
    expect((await get('/api/payroll/employers?tier=D', 'hq')).statusCode).toBe(400);
  });

  it('shows an employer’s 13 months with YoY where the year-earlier month is in the series', async () => {
    const res = await get('/api/payroll/employers/E1', 'rm1');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.employer).toMatchObject({ employer_id: 'E1', corporate_rm_id: 'RM1' });
    expect(body.months.map((m: { month: string }) => m.month)).toEqual(W13);
    expect(body.months[0]).toMatchObject({ headcount: 1, amount: '5000.00', yoy_ratio: null });
    expect(body.months[12]).toMatchObject({ headcount: 1, amount: '6000.00', yoy_ratio: '1.2000000000' });
    for (const m of body.months.slice(0, 12)) expect(m.yoy_ratio).toBeNull();
    const e3 = (await get('/api/payroll/employers/E3', 'hq')).json();
    // A month without payroll counts 0; no YoY against a year-earlier month without payroll.
    expect(e3.months[0]).toMatchObject({ headcount: 0, amount: '0.00', retention_rate: null });
    expect(e3.months[12]).toMatchObject({ headcount: 1, amount: '4000.00', yoy_ratio: null });
  });

  it('answers an employer outside the scope 404 (audited), as a missing one', async () => {
    for (const [as, id] of [
      ['rm1', 'E2'],
      ['rm2', 'E1'],
      ['outlet', 'E2'],
      ['subbranch', 'E3'],
    ] as const) {
      const before = await denied();
      const res = await get(`/api/payroll/employers/${id}`, as);
      expect(res.statusCode, `${as} ${id}`).toBe(404);
      expect(await denied()).toBe(before + 1);
      expect(res.json().error).toEqual((await get('/api/payroll/employers/E99', as)).json().error);
    }
    for (const as of ['am1', 'lobby', 'auditor'])
      expect((await get('/api/payroll/employers/E1', as)).statusCode, as).toBe(403);
  });

  it('shows an org’s 13 months over its subtree’s employers, with retention; 404 outside the scope', async () => {
    const s1 = (await get('/api/payroll/orgs/S1', 'subbranch')).json();
    expect(s1).toMatchObject({ org_id: 'S1', employers: 2 });
    expect(s1.months.map((m: { month: string }) => m.month)).toEqual(W13);
    expect(s1.months[0]).toMatchObject({ headcount: 7, amount: '23000.00' });
    expect(s1.months[11]).toMatchObject({ headcount: 7, amount: '23000.00' });
    expect(s1.months[12]).toMatchObject({ headcount: 1, amount: '6000.00', yoy_ratio: '0.2608695652' });
    expect(s1.months[12].retention_rate).toMatch(/^\d+(\.\d+)?$/);
    const h = (await get('/api/payroll/orgs/H', 'hq')).json();
    expect(h.employers).toBe(3);
    expect(h.months[12]).toMatchObject({ headcount: 2, amount: '10000.00' });
    // A corporate RM sees the figures of their own org (aggregates, as on the dashboard), no other.
    expect((await get('/api/payroll/orgs/S1', 'rm1')).statusCode).toBe(200);
    const before = await denied();
    expect((await get('/api/payroll/orgs/O1', 'rm1')).statusCode).toBe(404);
    expect((await get('/api/payroll/orgs/B2', 'subbranch')).statusCode).toBe(404);
    expect((await get('/api/payroll/orgs/NOPE', 'subbranch')).statusCode).toBe(404);
    expect(await denied()).toBe(before + 2);
    for (const as of ['am1', 'lobby', 'auditor'])
      expect((await get('/api/payroll/orgs/S1', as)).statusCode, as).toBe(403);
  });

  it('answers no personal data', () => {
    const { bodies } = server;
    expect(bodies.length).toBeGreaterThan(30);
    expectNoPersonalData(bodies);
    for (const body of bodies) {
      expect(body).not.toMatch(/员工\d号/);
      for (const c of PEOPLE) expect(body).not.toContain(`"${c}"`);
    }
  });
});
