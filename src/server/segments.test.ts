// GET /api/segments on both engines, over the hand-made bank of test/api-bank.ts with two customers
// more, worked by hand. S = 2026-11-15, D = 2027-01-20 (67 days); SAVINGS spread 1.8 %:
//   C1  O1  SAVINGS 1,000.00 from 2026-12-01 (51 days): value × 360 = 918.00         → GUARDIAN (of C8)
//   C3  O2  SAVINGS 2,000.50 all season:                value × 360 = 2,412.603
//   C4  O3  SAVINGS   300.25 all season:                value × 360 = 362.1015
//   C7  O2  born 1950, lives in 阳新县 420222, a FARMER; SAVINGS 3,600.00 all season:
//           value × 360 = 4,341.60 → value_season 12.06                             → SILVER, COUNTY, FARMER
//   C8  O1  born 2015, no account                                                   → MINOR
// S1 (O1 + O2 + C6 at S1): Σ value × 360 = 7,672.203 → 21.31; SILVER's share 12.06 / 21.31 = 0.5659314876.
// O2: 6,754.203 → 18.76; SILVER 12.06 / 18.76 = 0.6428571429. O1: GUARDIAN 2.55 of 2.55 = 1.
// H: + C4 → 8,034.3045 → 22.32.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { bank as apiBank, config, D, NOW } from '../../test/api-bank.js';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { startTestServer, type TestServer, type TestUser } from '../../test/server.js';
import { runPipeline } from '../pipeline/runner.js';

const bank: [string, string, string[]][] = [
  ...apiBank,
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, occupation, risk_level, marketing_consent, dnd, customer_since',
    [
      "('C7', '周老伯', 'ID_CARD', '420222195003011111', 'M', DATE '1950-03-01', '13500000007', 'O2', NULL, '420222', 'FARMER', 'C2', 'Y', 'N', DATE '2020-01-01')",
      "('C8', '吴小宝', 'ID_CARD', '420102201505012222', 'M', DATE '2015-05-01', NULL, 'O1', NULL, '420102', 'STUDENT', NULL, 'N', 'N', DATE '2020-01-01')",
    ],
  ],
  ['relationships', 'customer_id, related_customer_id, relation', ["('C1', 'C8', 'GUARDIAN_OF')"]],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, open_date, open_org_id',
    ["('A7', 'C7', NULL, 'SAVINGS', DATE '2020-01-01', 'O2')"],
  ],
  ['balances', 'account_id, balance_date, balance', ["('A7', DATE '2020-01-01', 3600.00)"]],
];

const USERS: TestUser[] = [
  { user: 'hq', role: 'HQ_OPS', org: 'H', staff: null },
  { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1' },
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1' },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null },
];

type Row = { members: number; aum_d: string; value_season: string; value_share: string | null };
const zero = { members: 0, aum_d: '0.00', value_season: '0.00', value_share: '0.0000000000' };

describeEachEngine('the segments API', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const get = (url: string, as: string) => server.call('GET', url, { as });
  const bySegment = (body: { segments: (Row & { segment: string })[] }) =>
    Object.fromEntries(body.segments.map(({ segment, ...r }) => [segment, r]));

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

  it('shows the segments of a sub-branch with their members, AUM, value and share of the org’s value', async () => {
    const res = await get('/api/segments?org=S1', 'branch');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.asOf).toBe(D);
    expect(body.org).toMatchObject({ org_id: 'S1', org_name: '支行一' });
    expect(body.orgValue).toBe('21.31');
    expect(body.segments.map((s: { segment: string }) => s.segment)).toEqual([
      'PAYROLL',
      'SILVER',
      'MINOR',
      'GUARDIAN',
      'PAYMENT',
      'MERCHANT',
      'COUNTY',
    ]);
    expect(bySegment(body)).toEqual({
      PAYROLL: zero,
      SILVER: { members: 1, aum_d: '3600.00', value_season: '12.06', value_share: '0.5659314876' },
      MINOR: { members: 1, aum_d: '0.00', value_season: '0.00', value_share: '0.0000000000' },
      GUARDIAN: { members: 1, aum_d: '1000.00', value_season: '2.55', value_share: '0.1196621305' },
      PAYMENT: zero,
      MERCHANT: zero,
      COUNTY: { members: 1, aum_d: '3600.00', value_season: '12.06', value_share: '0.5659314876' },
    });
    expect(body.countyGroups).toEqual([
      {
        county_group: 'FARMER',
        members: 1,
        aum_d: '3600.00',
        value_season: '12.06',
        value_share: '0.5659314876',
      },
      { county_group: 'RURAL_WORKER', ...zero },
      { county_group: 'MIGRANT_WORKER', ...zero },
      { county_group: 'RURAL_TRANSFER', ...zero },
    ]);
    // The members agree with the dashboard's segment sizes.
    const dash = (await get('/api/dashboard?org=S1', 'branch')).json();
    for (const s of dash.segments) expect(bySegment(body)[s.segment]?.members, s.segment).toBe(s.members);
  });

  it('rolls up by the home org: an outlet, the whole bank', async () => {
    const o2 = (await get('/api/segments?org=O2', 'branch')).json();
    expect(o2.orgValue).toBe('18.76');
    expect(bySegment(o2).SILVER).toEqual({
      members: 1,
      aum_d: '3600.00',
      value_season: '12.06',
      value_share: '0.6428571429',
    });
    expect(bySegment(o2).GUARDIAN).toEqual(zero);
    const o1 = (await get('/api/segments', 'am1')).json();
    expect(o1.org.org_id).toBe('O1');
    expect(o1.orgValue).toBe('2.55');
    expect(bySegment(o1).GUARDIAN).toEqual({
      members: 1,
      aum_d: '1000.00',
      value_season: '2.55',
      value_share: '1.0000000000',
    });
    expect(bySegment(o1).MINOR?.members).toBe(1);
    expect(bySegment(o1).SILVER).toEqual(zero);
    const h = (await get('/api/segments', 'hq')).json();
    expect(h.orgValue).toBe('22.32');
    expect(bySegment(h).SILVER?.value_share).toBe('0.5403225806');
    // An org with no value: shares are null, not a division by zero.
    const o3 = (await get('/api/segments?org=B2', 'hq')).json();
    expect(o3.orgValue).toBe('1.01');
    const rc = (await get('/api/segments?org=RC', 'hq')).json();
    expect(rc.orgValue).toBe('0.00');
    expect(bySegment(rc).SILVER).toEqual({ ...zero, value_share: null });
  });

  it('answers 404 outside the scope (audited) and 403 without dashboard:read', async () => {
    const before = await server.audits('DENIED');
    expect((await get('/api/segments?org=B2', 'branch')).statusCode).toBe(404);
    expect((await get('/api/segments?org=S1', 'am1')).statusCode).toBe(404);
    expect((await get('/api/segments?org=NOPE', 'branch')).statusCode).toBe(404);
    expect(await server.audits('DENIED')).toBe(before + 2);
    for (const as of ['lobby', 'auditor']) expect((await get('/api/segments', as)).statusCode, as).toBe(403);
  });
});
