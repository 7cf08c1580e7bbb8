// The point of service and the reveal of personal data (MISSION X5) through the API, on both engines:
// the counter prompt and the PAD lookup for lobby and counter staff (any walk-in customer, masked, every
// PAD lookup audited; by ID number only with the server secret), and the reveal of one unmasked field
// of a customer in scope, with a reason, audited exactly once — out of scope 404, without pii:reveal 403.
//
// Org tree: H → B1 → S1 → O1, O2; H → B2 → O3. D = 2027-01-20.

import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import {
  expectNoPersonalData,
  noopSeasonConfig,
  startTestServer,
  type TestServer,
  type TestUser,
} from '../../test/server.js';
import { loadSeasonConfig } from '../config/season.js';
import { tuitionActivity } from '../leads/counterPrompt.js';
import { runPipeline } from '../pipeline/runner.js';
import { dataChanged } from './changes.js';
import { ID_SECRET_ENV, LOAD_MARK_MS } from './routes/pos.js';

const D = '2027-01-20';
const NOW = new Date('2027-01-21T02:00:00Z');
const SECRET = 'a-test-secret-of-enough-length';

const runConfig = noopSeasonConfig();
// The server's season also knows the counter's activity (the run above mines nothing with it).
const config = { ...runConfig, activities: [...runConfig.activities, tuitionActivity(loadSeasonConfig())] };

const RAW = {
  C1: { id: '420102199001011234', phone: '13800000001', name: '张三丰' },
  C3: { id: '42010219700303567X', phone: '13700000003', name: '王五六' },
  C4: { id: '420102196004047890', phone: '15800000004', name: '赵六' },
};

const customer = (id: keyof typeof RAW, org: string, manager: string | null) =>
  `('${id}', '${RAW[id].name}', 'ID_CARD', '${RAW[id].id}', 'F', DATE '1980-06-01', '${RAW[id].phone}', '${org}', ${manager ? `'${manager}'` : 'NULL'}, '420102', 'C3', 'Y', 'N', DATE '2020-01-01')`;

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
      "('OM1', 'O1', '网点主任', 'OUTLET_MANAGER')",
      "('L1', 'O1', '大堂一', 'LOBBY')",
      "('T1', 'O1', '柜员一', 'TELLER')",
    ],
  ],
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    [customer('C1', 'O1', 'AM1'), customer('C3', 'O2', null), customer('C4', 'O3', null)],
  ],
  [
    'overseas_institutions',
    'institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition',
    ["('I1', 'University of Melbourne', 'AU', 'ANZBAU3M', '012345678', NULL, 'Y')"],
  ],
];

const USERS: TestUser[] = [
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1' },
  { user: 'teller', role: 'TELLER', org: 'O1', staff: 'T1' },
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
  { user: 'hq.admin', role: 'HQ_ADMIN', org: 'H', staff: null },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null },
];

describeEachEngine('the point of service and reveal API', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const secretBefore = process.env[ID_SECRET_ENV];

  /** Every response body is scanned, but the reveals answered 200 (they carry the unmasked value by design). */
  const call = async (method: 'GET' | 'POST', url: string, as: string, body?: unknown) => {
    const res = await server.call(method, url, { as, body, unscanned: url.endsWith('/reveal') });
    if (url.endsWith('/reveal') && res.statusCode !== 200) server.bodies.push(res.body);
    return res;
  };
  const count = (action: string) => server.audits(action);

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config: runConfig });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    server = await startTestServer({ db, config, users: USERS, now: NOW, log: false });
  }, 300_000);

  afterEach(() => {
    if (secretBefore === undefined) delete process.env[ID_SECRET_ENV];
    else process.env[ID_SECRET_ENV] = secretBefore;
  });

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it('answers the counter prompt for roles with pos:counter, from the season’s tuition activity', async () => {
    for (const as of ['lobby', 'teller', 'am1', 'outlet', 'hq.admin']) {
      const res = await call('GET', '/api/pos/counter?bic=ANZBAU3M&account=012345678', as);
      expect(res.statusCode, as).toBe(200);
      expect(res.json()).toMatchObject({
        supported: true,
        match: { institutionId: 'I1', kind: 'EXACT_BIC' },
        offer: { activityId: 'CROSS_BORDER_TUITION', productCode: 'PAY-TUITION' },
      });
    }
    const byName = await call(
      'GET',
      `/api/pos/counter?name=${encodeURIComponent('University of Melbourne')}`,
      'lobby',
    );
    expect(byName.json()).toMatchObject({ supported: true, match: { kind: 'EXACT_NAME' } });
    const none = await call('GET', '/api/pos/counter?name=Nobody%20Ltd&country=GB', 'lobby');
    expect(none.json()).toEqual({ supported: false, match: null, offer: null });
    const empty = await call('GET', '/api/pos/counter?name=%20', 'lobby');
    expect(empty.statusCode).toBe(400);
    const long = await call('GET', `/api/pos/counter?name=${'x'.repeat(201)}`, 'lobby');
    expect(long.statusCode).toBe(400);
    const denied = await count('DENIED');
    expect((await call('GET', '/api/pos/counter?bic=ANZBAU3M', 'auditor')).statusCode).toBe(403);
    expect(await count('DENIED')).toBe(denied + 1);
  });

  it('looks any walk-in customer up for lobby and counter staff, masked and audited', async () => {
    const before = await count('PAD_LOOKUP');
    // C4 banks at O3, far from the lobby's outlet O1: walk-in customers come from anywhere.
    const res = await call('POST', '/api/pos/pad?lang=en', 'lobby', { customerId: 'C4' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().customer).toEqual({
      customer_id: 'C4',
      name: '赵*',
      phone: '158****0004',
      age: expect.any(Number),
      home_org_id: 'O3',
    });
    expect(await count('PAD_LOOKUP')).toBe(before + 1);
    const [row] = await db.query(
      `SELECT actor, subject FROM audit_log WHERE action = 'PAD_LOOKUP' ORDER BY seq DESC LIMIT 1`,
    );
    expect(row).toEqual({ actor: 'L1', subject: 'C4' });
    const missing = await call('POST', '/api/pos/pad', 'teller', { customerId: 'C99' });
    expect(missing.statusCode).toBe(404);
    expect(await count('PAD_LOOKUP')).toBe(before + 2);
    for (const body of [{}, { customerId: 'C1', idNo: RAW.C1.id }])
      expect((await call('POST', '/api/pos/pad', 'lobby', body)).statusCode).toBe(400);
  });

  it('looks up by ID number only with the server secret (503 without it)', async () => {
    delete process.env[ID_SECRET_ENV];
    const off = await call('POST', '/api/pos/pad', 'teller', { idNo: RAW.C3.id });
    expect(off.statusCode).toBe(503);
    expect(off.json().error.message).toContain(ID_SECRET_ENV);
    // A lookup by customer id works without it.
    expect((await call('POST', '/api/pos/pad', 'teller', { customerId: 'C3' })).statusCode).toBe(200);
    process.env[ID_SECRET_ENV] = SECRET;
    const on = await call('POST', '/api/pos/pad', 'teller', { idNo: RAW.C3.id.toLowerCase() });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().customer).toMatchObject({ customer_id: 'C3', name: '王*六', phone: '137****0003' });
    const unknown = await call('POST', '/api/pos/pad', 'teller', { idNo: '420102200001019999' });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses the PAD lookup to every role but the lobby and the counter (403, audited)', async () => {
    const denied = await count('DENIED');
    for (const user of ['am1', 'auditor', 'outlet', 'hq.admin'])
      expect((await call('POST', '/api/pos/pad', user, { customerId: 'C1' })).statusCode, user).toBe(403);
    expect(await count('DENIED')).toBe(denied + 4);
  });

  it('reveals one field of a customer in scope with a reason, audited exactly once with who, whom, what and why', async () => {
    const before = await count('REVEAL');
    const res = await call('POST', '/api/customers/C1/reveal', 'outlet', {
      field: 'id_no',
      reason: 'customer asked to verify the ID on file',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ customer_id: 'C1', field: 'id_no', value: RAW.C1.id });
    expect(await count('REVEAL')).toBe(before + 1);
    const [row] = await db.query<{ seq: number; actor: string; subject: string; detail: string }>(
      `SELECT seq, actor, subject, detail, logged_at FROM audit_log WHERE action = 'REVEAL' ORDER BY seq DESC LIMIT 1`,
    );
    expect(row).toMatchObject({ actor: 'outlet', subject: 'customer:C1' });
    expect(Number(row?.seq)).toBe(res.json().audit_seq);
    expect(JSON.parse(row?.detail as string)).toMatchObject({
      field: 'id_no',
      reason: 'customer asked to verify the ID on file',
      role: 'OUTLET_MANAGER',
    });
    // A number typed into the reason is kept masked in the audit log.
    const phone = await call('POST', '/api/customers/C4/reveal', 'hq.admin', {
      field: 'phone',
      reason: `call back on ${RAW.C4.phone}`,
    });
    expect(phone.json().value).toBe(RAW.C4.phone);
    const [last] = await db.query<{ detail: string }>(
      `SELECT detail FROM audit_log WHERE action = 'REVEAL' ORDER BY seq DESC LIMIT 1`,
    );
    expect(last?.detail).not.toContain(RAW.C4.phone);
    expect(JSON.parse(last?.detail as string).reason).toBe('call back on 158****0004');
    const name = await call('POST', '/api/customers/C3/reveal', 'outlet', { field: 'name', reason: 'short' });
    // C3 is at O2, outside the outlet manager's subtree O1.
    expect(name.statusCode).toBe(404);
    expect(await count('REVEAL')).toBe(before + 2);
  });

  it('answers a reveal outside the scope 404 (audited), without pii:reveal 403 (audited), and validates the reason', async () => {
    const reveals = await count('REVEAL');
    const denied = await count('DENIED');
    const outside = await call('POST', '/api/customers/C4/reveal', 'outlet', {
      field: 'phone',
      reason: 'need to call',
    });
    expect(outside.statusCode).toBe(404);
    const missing = await call('POST', '/api/customers/C99/reveal', 'outlet', {
      field: 'phone',
      reason: 'need to call',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual(outside.json().error);
    expect(await count('DENIED')).toBe(denied + 1); // the missing one is not an attempt on anyone
    for (const as of ['am1', 'lobby', 'teller', 'auditor']) {
      const res = await call('POST', '/api/customers/C1/reveal', as, {
        field: 'name',
        reason: 'need to call',
      });
      expect(res.statusCode, as).toBe(403);
    }
    expect(await count('DENIED')).toBe(denied + 5);
    for (const body of [
      { field: 'name', reason: 'abc' },
      { field: 'name', reason: '    abcd    ' },
      { field: 'account', reason: 'need to call' },
      { field: 'name' },
    ]) {
      const res = await call('POST', '/api/customers/C1/reveal', 'outlet', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await count('REVEAL')).toBe(reveals);
  });

  it('rebuilds the counter’s institutions and the PAD’s ID index after a newer load, not before', async () => {
    process.env[ID_SECRET_ENV] = SECRET;
    const oxford = '/api/pos/counter?name=University%20of%20Oxford&country=GB';
    const newId = '420102199912120011';
    expect((await call('GET', oxford, 'lobby')).json().supported).toBe(false);
    expect((await call('POST', '/api/pos/pad', 'lobby', { idNo: newId })).statusCode).toBe(404);
    await db.exec(
      `INSERT INTO overseas_institutions VALUES ('I2', 'University of Oxford', 'GB', 'BARCGB22', NULL, NULL, 'Y')`,
    );
    await db.exec(`INSERT INTO customers (customer_id, name, id_type, id_no, phone, home_org_id, customer_since)
      VALUES ('C9', '周九', 'ID_CARD', '${newId}', '13900000009', 'O2', DATE '2020-01-01')`);
    // Not yet applied: the lookups answer from what they read.
    expect((await call('GET', oxford, 'lobby')).json().supported).toBe(false);
    await db.exec(`INSERT INTO loads (load_id, source_dir, as_of, started_at, finished_at, status, files, rows_read, rows_loaded, rows_quarantined, rows_collapsed, report)
      SELECT 2, source_dir, as_of, started_at, finished_at, 'APPLIED', 0, 0, 0, 0, 0, '{}' FROM loads WHERE load_id = 1`);
    // A load applied by another process is seen within LOAD_MARK_MS (the latest load is not read on
    // every request); one finished in this server at once (dataChanged, below).
    await new Promise((resolve) => setTimeout(resolve, LOAD_MARK_MS + 50));
    expect((await call('GET', oxford, 'lobby')).json()).toMatchObject({
      supported: true,
      match: { institutionId: 'I2' },
    });
    const found = await call('POST', '/api/pos/pad', 'lobby', { idNo: newId });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().customer).toMatchObject({ customer_id: 'C9', name: '周*', phone: '139****0009' });

    const cambridge = '/api/pos/counter?name=University%20of%20Cambridge&country=GB';
    expect((await call('GET', cambridge, 'lobby')).json().supported).toBe(false);
    await db.exec(
      `INSERT INTO overseas_institutions VALUES ('I3', 'University of Cambridge', 'GB', 'BARCGB22', NULL, NULL, 'Y')`,
    );
    await db.exec(`INSERT INTO loads (load_id, source_dir, as_of, started_at, finished_at, status, files, rows_read, rows_loaded, rows_quarantined, rows_collapsed, report)
      SELECT 3, source_dir, as_of, started_at, finished_at, 'APPLIED', 0, 0, 0, 0, 0, '{}' FROM loads WHERE load_id = 1`);
    dataChanged(server.app);
    expect((await call('GET', cambridge, 'lobby')).json()).toMatchObject({ supported: true });
  });

  it('never answers an unmasked ID number, phone or name except in a permitted reveal', () => {
    expect(server.bodies.length).toBeGreaterThan(20);
    expectNoPersonalData(
      server.bodies,
      Object.values(RAW).flatMap((r) => [r.id, r.name]),
    );
  });
});
