// Reports, targets, funnels and merchants over the API (issue #7), on both engines, on a small
// hand-made bank: each route in scope, out of scope (404, audited) and without the permission (403);
// the weekly download as a workbook that exceljs reads back holding only the orgs of the user's
// subtree; target files uploaded as CSV (loaded, a validation report naming rows and columns, a row
// outside the scope refusing the whole file); EXPORT and TARGETS_LOAD audited exactly once each.
//
// Org tree: H → B1 → S1 → O1, O2; H → B2 → O3; H → RC. D = 2027-01-20. Merchants: M1 at O1 (its fees
// do not cover its costs), M2 at O3 (they do).

import ExcelJS from 'exceljs';
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
import { runPipeline } from '../pipeline/runner.js';

const D = '2027-01-20';
const NOW = new Date('2027-01-21T02:00:00Z');

const config = noopSeasonConfig([{ kpi: 'NEW_CUSTOMERS', level: 'OUTLET', period: 'SEASON', target: 4 }]);

const OWNER_NAMES = ['张三丰', '赵六'];

const customer = (id: string, name: string, org: string, since: string) =>
  `('${id}', '${name}', 'ID_CARD', '42010219900101${id.slice(1).padStart(4, '0')}', 'F', DATE '1980-06-01', '1380000000${id.slice(1)}', '${org}', NULL, '420102', 'C3', 'Y', 'N', DATE '${since}')`;

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
      "('RC', '远程银行中心', 'REMOTE_CENTER', 'H', '420100')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role',
    [
      "('AM1', 'O1', '经理一', 'ACCOUNT_MANAGER')",
      "('AM3', 'O3', '经理三', 'ACCOUNT_MANAGER')",
      "('OM1', 'O1', '网点主任', 'OUTLET_MANAGER')",
      "('BM1', 'B1', '分行长', 'BRANCH_MANAGER')",
    ],
  ],
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    [
      customer('C1', '张三丰', 'O1', '2026-12-01'),
      customer('C2', '李四', 'O2', '2026-12-02'),
      customer('C4', '赵六', 'O3', '2026-12-03'),
    ],
  ],
  [
    'merchants',
    'merchant_id, merchant_name, owner_customer_id, settlement_account_id, merchant_type, cluster_name, org_id, near_employer_id, onboard_date, fee_rate',
    [
      "('M1', '一号小吃', 'C1', NULL, 'CATERING', NULL, 'O1', NULL, DATE '2026-01-01', 0.006)",
      "('M2', '三号超市', 'C4', NULL, 'RETAIL', NULL, 'O3', NULL, DATE '2026-01-01', 0.006)",
    ],
  ],
  [
    'acquiring',
    'merchant_id, txn_date, txn_count, txn_amount, fee_income, fee_cost',
    [
      "('M1', DATE '2027-01-10', 3, 100.00, 1.00, 5.00)",
      "('M2', DATE '2027-01-10', 9, 2000.00, 12.00, 2.00)",
    ],
  ],
];

const USERS: TestUser[] = [
  { user: 'admin', role: 'HQ_ADMIN', org: 'H', staff: null },
  { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1' },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
];

/** Every text of a workbook, sheet by sheet. */
async function workbookText(body: Buffer): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((ws) => {
    out.push(`#${ws.name}`);
    ws.eachRow((row) => {
      row.eachCell((cell) => {
        out.push(String(cell.value));
      });
    });
  });
  return out.join('\n');
}

describeEachEngine('reports, targets and funnels over the API', (engine) => {
  let db: TestDb;
  let server: TestServer;
  /** Every export's text (workbooks read back), for the personal-data scan. */
  const exported: string[] = [];

  const call = (
    method: 'GET' | 'POST',
    url: string,
    o: { as: string; body?: string | Buffer; type?: string },
  ) => server.call(method, url, { as: o.as, payload: o.body, contentType: o.type });
  const get = (url: string, as: string) => call('GET', url, { as });

  const audits = async (action: string, detailLike = '%') => {
    const [r] = await db.query<{ n: number }>(
      'SELECT count(*) AS n FROM audit_log WHERE action = $1 AND coalesce(detail, subject, $2) LIKE $2',
      [action, detailLike],
    );
    return Number(r?.n ?? 0);
  };

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

  it('KPI progress: the org and its children in scope; outside → 404 (audited); no permission → 403', async () => {
    const mine = await get('/api/kpis?org=S1&kpi=NEW_CUSTOMERS&period=SEASON', 'branch');
    expect(mine.statusCode, mine.body).toBe(200);
    const body = mine.json();
    expect(body.asOf).toBe(D);
    expect(body.org.org_id).toBe('S1');
    const ids = new Set(body.rows.map((r: { scope_id: string }) => r.scope_id));
    expect(ids).toEqual(new Set(['S1', 'O1', 'O2']));
    expect(body.rows[0].scope_id).toBe('S1');
    const o1 = body.rows.find((r: { scope_id: string }) => r.scope_id === 'O1');
    expect(o1).toMatchObject({ kpi: 'NEW_CUSTOMERS', target: expect.stringMatching(/^4(\.0+)?$/) });

    const all = await get('/api/kpis?kpi=NEW_CUSTOMERS', 'admin');
    expect(all.statusCode).toBe(200);
    expect(all.json().rows.map((r: { scope_id: string }) => r.scope_id)).toContain('B2');

    const denied = await audits('DENIED');
    expect((await get('/api/kpis?org=B2', 'branch')).statusCode).toBe(404);
    expect((await get('/api/kpis?org=NOPE', 'branch')).statusCode).toBe(404);
    expect(await audits('DENIED')).toBe(denied + 1);
    expect((await get('/api/kpis?org=S1', 'outlet')).statusCode).toBe(404);
    expect((await get('/api/kpis', 'am1')).statusCode).toBe(403);
  });

  it('the weekly workbook holds only the orgs of the subtree; EXPORT audited once per download', async () => {
    const before = await audits('EXPORT');
    const res = await get('/api/reports/weekly?level=OUTLET&format=xlsx&lang=en', 'branch');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="weekly-2027-01-20-OUTLET\.xlsx"$/,
    );
    const text = await workbookText(res.rawPayload);
    exported.push(text);
    expect(text).toContain('O1');
    expect(text).toContain('O2');
    expect(text).not.toContain('O3');
    expect(text).not.toContain('网点三');
    expect(await audits('EXPORT')).toBe(before + 1);
    const [entry] = await db.query<{ actor: string; detail: string }>(
      "SELECT actor, detail FROM audit_log WHERE action = 'EXPORT' ORDER BY seq DESC LIMIT 1",
    );
    expect(entry?.actor).toBe('branch');
    expect(JSON.parse(entry?.detail ?? '{}')).toMatchObject({ format: 'xlsx', level: 'OUTLET', rows: 2 });

    const bankWide = await get('/api/reports/weekly?level=OUTLET&format=xlsx', 'admin');
    expect(bankWide.statusCode).toBe(200);
    const bankWideText = await workbookText(bankWide.rawPayload);
    exported.push(bankWideText);
    expect(bankWideText).toContain('O3');

    const csv = await get('/api/reports/weekly?level=OUTLET&format=csv', 'outlet');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('.csv"');
    expect(csv.body).toContain('O1');
    expect(csv.body).not.toContain('O2');

    const json = await get('/api/reports/weekly?level=OUTLET&format=json', 'outlet');
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const ids = json
      .json()
      .kpis.flatMap((k: { rows: { scope_id: string }[] }) => k.rows.map((r) => r.scope_id));
    expect(new Set(ids)).toEqual(new Set(['O1']));
    expect(json.json().headline?.org_id ?? 'O1').toBe('O1');
    expect(await audits('EXPORT')).toBe(before + 4);

    expect((await get('/api/reports/weekly', 'am1')).statusCode).toBe(403);
    expect((await get('/api/reports/weekly?view=NOPE', 'branch')).statusCode).toBe(400);
    expect(await audits('EXPORT')).toBe(before + 4);
  });

  it('targets: a CSV upload in scope loads (TARGETS_LOAD audited once) and is listed in scope only', async () => {
    const before = await audits('TARGETS_LOAD');
    const csv =
      'kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,O1,,SEASON,10\r\nNEW_CUSTOMERS,O2,,SEASON,12\r\n';
    const res = await call('POST', '/api/targets', { as: 'branch', body: csv, type: 'text/csv' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ format: 'csv', rows: 2, inserted: 2, replaced: 0, unchanged: 0 });
    expect(res.json()).not.toHaveProperty('file');
    expect(await audits('TARGETS_LOAD')).toBe(before + 1);

    const admin = 'kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,O3,,SEASON,7\r\n';
    expect(
      (await call('POST', '/api/targets', { as: 'admin', body: admin, type: 'text/csv' })).statusCode,
    ).toBe(200);
    expect(await audits('TARGETS_LOAD')).toBe(before + 2);

    const branchList = await get('/api/targets?kpi=NEW_CUSTOMERS', 'branch');
    expect(branchList.statusCode).toBe(200);
    expect(branchList.json().targets.map((t: { scope_id: string }) => t.scope_id)).toEqual(['O1', 'O2']);
    const adminList = await get('/api/targets', 'admin');
    expect(adminList.json().targets.map((t: { scope_id: string }) => t.scope_id)).toEqual(['O1', 'O2', 'O3']);
    const outletList = await get('/api/targets', 'outlet');
    expect(outletList.json().targets.map((t: { scope_id: string }) => t.scope_id)).toEqual(['O1']);
    expect((await get('/api/targets', 'am1')).statusCode).toBe(403);
  });

  it('targets: a file with problems answers the validation report; a row outside the scope refuses the file', async () => {
    const before = await audits('TARGETS_LOAD');
    const bad =
      'kpi,org_id,staff_id,period,target\r\nNOT_A_KPI,O1,,SEASON,10\r\nNEW_CUSTOMERS,O2,,SEASON,1.5\r\n';
    const res = await call('POST', '/api/targets', { as: 'branch', body: bad, type: 'text/csv' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('TARGET_FILE');
    expect(res.json().problems).toEqual([
      expect.stringMatching(/^row 2, column kpi: /),
      expect.stringMatching(/^row 3, column target: /),
    ]);
    expect(res.json().total).toBe(2);

    const denied = await audits('DENIED');
    const outside =
      'kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,O1,,SEASON,11\r\nNEW_CUSTOMERS,O3,,SEASON,99\r\n';
    const refused = await call('POST', '/api/targets', { as: 'branch', body: outside, type: 'text/csv' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('OUT_OF_SCOPE');
    expect(refused.json().problems).toEqual([expect.stringMatching(/^row 3, column org_id: "O3"/)]);
    expect(await audits('DENIED')).toBe(denied + 1);
    // Nothing of the file was loaded: O1 keeps its 10, O3 its 7.
    const rows = await db.query<{ scope_id: string; target: string }>(
      "SELECT scope_id, target FROM targets WHERE kpi = 'NEW_CUSTOMERS' ORDER BY scope_id",
    );
    expect(rows.map((r) => [r.scope_id, Number(r.target)])).toEqual([
      ['O1', 10],
      ['O2', 12],
      ['O3', 7],
    ]);
    expect(await audits('TARGETS_LOAD')).toBe(before);

    const json = await call('POST', '/api/targets', {
      as: 'branch',
      body: JSON.stringify({ kpi: 'NEW_CUSTOMERS' }),
      type: 'application/json',
    });
    expect(json.statusCode).toBe(400);
    const noPermission = await call('POST', '/api/targets', { as: 'am1', body: bad, type: 'text/csv' });
    expect(noPermission.statusCode).toBe(403);
    // The file parsers are the target route's own: no other route takes a CSV body.
    const elsewhere = await call('POST', '/api/tasks/1/outcome', { as: 'am1', body: bad, type: 'text/csv' });
    expect(elsewhere.statusCode).toBe(415);
  });

  it('targets: an .xlsx workbook and a GBK CSV load; a body over 5 MB is refused (413)', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('targets');
    ws.addRow(['kpi', 'org_id', 'staff_id', 'period', 'target']);
    ws.addRow(['NEW_CUSTOMERS', 'O2', '', 'SEASON', 13]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const before = await audits('TARGETS_LOAD');
    const res = await call('POST', '/api/targets', {
      as: 'branch',
      body: xlsx,
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ format: 'xlsx', rows: 1, replaced: 1 });
    // "kpi,机构,staff_id,period,目标" in GBK.
    const gbk = Buffer.concat([
      Buffer.from('kpi,'),
      Buffer.from('bbfab9b9', 'hex'),
      Buffer.from(',staff_id,period,'),
      Buffer.from('c4bfb1ea', 'hex'),
      Buffer.from('\r\nNEW_CUSTOMERS,O2,,SEASON,12\r\n'),
    ]);
    const fromGbk = await call('POST', '/api/targets', {
      as: 'branch',
      body: gbk,
      type: 'text/csv; charset=gbk',
    });
    expect(fromGbk.statusCode, fromGbk.body).toBe(200);
    expect(fromGbk.json()).toMatchObject({ format: 'csv', encoding: 'GBK', rows: 1, replaced: 1 });
    expect(await audits('TARGETS_LOAD')).toBe(before + 2);
    const huge = `kpi,org_id,staff_id,period,target\r\n${'NEW_CUSTOMERS,O1,,SEASON,10\r\n'.repeat(200_000)}`;
    const tooLarge = await call('POST', '/api/targets', { as: 'branch', body: huge, type: 'text/csv' });
    expect(tooLarge.statusCode).toBe(413);
    expect(await audits('TARGETS_LOAD')).toBe(before + 2);
  });

  it('the briefing as JSON for the page: the scope’s rows, the views, and no EXPORT audit', async () => {
    const before = await audits('EXPORT');
    const res = await get('/api/reports/briefing?level=OUTLET&lang=en', 'branch');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.asOf).toBe(D);
    expect(body.levels).toEqual(['OUTLET']);
    expect(Array.isArray(body.views)).toBe(true);
    const ids = body.kpis.flatMap((k: { rows: { scope_id: string }[] }) => k.rows.map((r) => r.scope_id));
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids)).toEqual(new Set(['O1', 'O2']));
    const all = await get('/api/reports/briefing?level=OUTLET', 'admin');
    const allIds = all
      .json()
      .kpis.flatMap((k: { rows: { scope_id: string }[] }) => k.rows.map((r) => r.scope_id));
    expect(new Set(allIds)).toEqual(new Set(['O1', 'O2', 'O3']));
    expect(await audits('EXPORT')).toBe(before);
    const one = await get('/api/reports/briefing?level=OUTLET&kpi=NEW_CUSTOMERS', 'branch');
    expect(one.json().kpis.map((k: { kpi: string }) => k.kpi)).toEqual(['NEW_CUSTOMERS']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      (await get('/api/reports/weekly?level=OUTLET&kpi=NEW_CUSTOMERS', 'branch'))
        .rawPayload as unknown as ArrayBuffer,
    );
    expect(wb.worksheets.length).toBe(2); // the summary and the one KPI
    expect((await get('/api/reports/briefing?period=Q9', 'branch')).statusCode).toBe(400);
    expect((await get('/api/reports/briefing', 'am1')).statusCode).toBe(403);
  });

  it('targets: a cascade previewed writes nothing; saved with edits that sum to the parent; audited; scoped', async () => {
    const parent = 'kpi,org_id,staff_id,period,target\r\nNEW_CUSTOMERS,S1,,SEASON,11\r\n';
    expect(
      (await call('POST', '/api/targets', { as: 'branch', body: parent, type: 'text/csv' })).statusCode,
    ).toBe(200);
    const count = async () => {
      const [r] = await db.query<{ n: number; s: string }>(
        "SELECT count(*) AS n, CAST(sum(target) AS VARCHAR) AS s FROM targets WHERE source = 'SPLIT'",
      );
      return `${Number(r?.n)}:${r?.s}`;
    };
    const before = await count();
    const q = 'kpi=NEW_CUSTOMERS&period=SEASON&from=S1&by=CUSTOMERS';
    const preview = await get(`/api/targets/split?${q}`, 'branch');
    expect(preview.statusCode, preview.body).toBe(200);
    // One customer each at O1 and O2: 11 → 6 and 5 (the unit left over to the lower id).
    expect(preview.json()).toMatchObject({ parent_target: '11', parent_source: 'TARGETS', unit: 'COUNT' });
    expect(
      preview.json().rows.map((r: { scope_id: string; target: string }) => [r.scope_id, r.target]),
    ).toEqual([
      ['O1', '6'],
      ['O2', '5'],
    ]);
    expect(await count()).toBe(before);

    const split = (as: string, targets?: { scope_id: string; target: string }[]) =>
      server.call('POST', '/api/targets/split', {
        as,
        body: { kpi: 'NEW_CUSTOMERS', period: 'SEASON', from: 'S1', by: 'CUSTOMERS', targets },
      });
    const audited = await audits('TARGETS_SPLIT');
    const wrongSum = await split('branch', [
      { scope_id: 'O1', target: '7' },
      { scope_id: 'O2', target: '5' },
    ]);
    expect(wrongSum.statusCode).toBe(400);
    expect(wrongSum.json().error.message).toContain('sum to 12.00, not the parent');
    const fraction = await split('branch', [
      { scope_id: 'O1', target: '6.5' },
      { scope_id: 'O2', target: '4.5' },
    ]);
    expect(fraction.statusCode).toBe(400);
    expect(fraction.json().error.message).toContain('not a whole number');
    const stranger = await split('branch', [
      { scope_id: 'O1', target: '11' },
      { scope_id: 'O3', target: '0' },
    ]);
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.message).toContain('O3: not a child of S1');
    expect(await count()).toBe(before);
    expect(await audits('TARGETS_SPLIT')).toBe(audited);

    const saved = await split('branch', [
      { scope_id: 'O1', target: '8' },
      { scope_id: 'O2', target: '3' },
    ]);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(
      saved
        .json()
        .rows.map((r: { scope_id: string; target: string; edited: boolean }) => [
          r.scope_id,
          r.target,
          r.edited,
        ]),
    ).toEqual([
      ['O1', '8', true],
      ['O2', '3', true],
    ]);
    expect(await audits('TARGETS_SPLIT')).toBe(audited + 1);
    const listed = (await get('/api/targets?kpi=NEW_CUSTOMERS', 'branch')).json().targets as {
      scope_id: string;
      target: string;
      source: string;
      source_ref: string;
    }[];
    const o1 = listed.find((t) => t.scope_id === 'O1');
    expect(o1).toMatchObject({ source: 'SPLIT', source_ref: 'split of S1 by CUSTOMERS, edited by branch' });
    expect(Number(o1?.target)).toBe(8);
    expect(Number(listed.find((t) => t.scope_id === 'O2')?.target)).toBe(3);

    // Without edits: the proportional split itself is written.
    expect((await split('branch')).json().rows.map((r: { target: string }) => r.target)).toEqual(['6', '5']);
    expect(await audits('TARGETS_SPLIT')).toBe(audited + 2);

    // Outside the scope: 404 (and nothing written); without the permission: 403.
    const outside = await server.call('POST', '/api/targets/split', {
      as: 'branch',
      body: { kpi: 'NEW_CUSTOMERS', period: 'SEASON', from: 'B2', by: 'EQUAL' },
    });
    expect(outside.statusCode).toBe(404);
    expect(
      (await get('/api/targets/split?kpi=NEW_CUSTOMERS&period=SEASON&from=B2', 'branch')).statusCode,
    ).toBe(404);
    expect((await get(`/api/targets/split?${q}`, 'am1')).statusCode).toBe(403);
    expect((await split('am1')).statusCode).toBe(403);
    expect(await audits('TARGETS_SPLIT')).toBe(audited + 2);
  });

  it('county and social-security funnels: the org and its children in scope', async () => {
    for (const path of ['/api/funnels/county', '/api/funnels/ssc']) {
      const res = await get(`${path}?org=S1`, 'branch');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().rows.map((r: { org_id: string }) => r.org_id)).toEqual(['S1', 'O1', 'O2']);
      const own = await get(path, 'outlet');
      expect(own.statusCode).toBe(200);
      expect(own.json().rows.map((r: { org_id: string }) => r.org_id)).toEqual(['O1']);
      const h = await get(path, 'admin');
      expect(h.json().rows.map((r: { org_id: string }) => r.org_id)).toEqual(['H', 'B1', 'B2', 'RC']);
      expect((await get(`${path}?org=O3`, 'branch')).statusCode).toBe(404);
      expect((await get(path, 'am1')).statusCode).toBe(403);
    }
  });

  it('the lead funnel: bank-wide counts for report readers', async () => {
    const res = await get('/api/funnels/leads', 'branch');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().rows.map((r: { activity_id: string }) => r.activity_id)).toContain('WEALTH');
    expect((await get('/api/funnels/leads', 'am1')).statusCode).toBe(403);
  });

  it('merchant pricing: merchants of orgs in scope, negative contributors, owners masked', async () => {
    const all = await get('/api/merchants/pricing', 'admin');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().merchants.map((m: { merchant_id: string }) => m.merchant_id)).toEqual(['M1', 'M2']);
    const negative = await get('/api/merchants/pricing?negative=true', 'admin');
    expect(negative.json().merchants.map((m: { merchant_id: string }) => m.merchant_id)).toEqual(['M1']);
    expect(negative.json().merchants[0]).toMatchObject({ coverage_ok: false, owner_name: '张*丰' });
    const branch = await get('/api/merchants/pricing', 'branch');
    expect(branch.json().merchants.map((m: { merchant_id: string }) => m.merchant_id)).toEqual(['M1']);
    expect((await get('/api/merchants/pricing?org=B2', 'branch')).statusCode).toBe(404);
    expect((await get('/api/merchants/pricing', 'am1')).statusCode).toBe(403);
    for (const name of OWNER_NAMES) expect(all.body).not.toContain(name);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const res = await server.call('GET', '/api/docs/json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/kpis',
      '/api/reports/weekly',
      '/api/reports/briefing',
      '/api/targets',
      '/api/targets/split',
      '/api/funnels/county',
      '/api/funnels/ssc',
      '/api/funnels/leads',
      '/api/merchants/pricing',
    ])
      expect(paths).toContain(p);
  });

  it('no response and no export, at any level or format, carries personal data', async () => {
    for (const as of ['admin', 'branch', 'outlet'])
      for (const level of ['BRANCH', 'OUTLET', 'STAFF'])
        for (const format of ['xlsx', 'csv', 'json']) {
          const res = await get(`/api/reports/weekly?level=${level}&format=${format}`, as);
          if (res.statusCode !== 200) continue; // a level the org does not have
          exported.push(format === 'xlsx' ? await workbookText(res.rawPayload) : res.body);
        }
    expect(exported.length).toBeGreaterThan(10);
    expectNoPersonalData([...server.bodies, ...exported], OWNER_NAMES);
  });
});
