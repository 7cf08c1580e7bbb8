// Field operations through the API on a small hand-made bank, on both engines: every field route for
// each role inside and outside its scope (no cross-scope read or write; out of scope = 404 like
// missing, audited DENIED when the record exists), validation errors, double booking, exactly one
// audit entry per write (none for a refused one), the results of an event from the accounts, the P7
// tables with progress, the pension pay-day calendar, and a scan of every response body for personal
// data.
//
// Org tree: H → B1 → S1 → O1 (420102), O2 (420103); H → B2 → O3 (330102); H → RC. D = 2027-01-20;
// the app's clock is 10:00 bank time on D + 1.
// Employers: E1 (S1, corporate RM RM1), E2 (O1), E3 (O3). Tasks: 1 AM1's (C1, O1), 2 AM2's (C3, O2),
// 3 remote (C2, RC, credited to O1).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const EVENT_DAY = '2027-01-22';
const config = noopSeasonConfig();

const RAW = {
  C1: { id: '420102199001011234', phone: '13800000001', name: '张三丰' },
  C2: { id: '420102198502023456', phone: '13900000002', name: '李四' },
  C3: { id: '42010219700303567X', phone: '13700000003', name: '王五六' },
  C4: { id: '330102196004047890', phone: '15800000004', name: '赵六' },
};
/** Typed by people into free text and contacts: never answered unmasked. */
const TYPED_PHONE = '13912345678';
const CONTACT = { name: '陈老师', phone: '13512345678' };
const PROSPECT = { name: '周同学', phone: '13612345678', id: '420102200501011234' };

const customer = (id: keyof typeof RAW, org: string, manager: string | null) =>
  `('${id}', '${RAW[id].name}', 'ID_CARD', '${RAW[id].id}', 'F', DATE '1950-06-01', '${RAW[id].phone}', '${org}', ${manager ? `'${manager}'` : 'NULL'}, '420102', 'C3', 'Y', 'N', DATE '2020-01-01')`;

const bank: [string, string, string[]][] = [
  [
    'orgs',
    'org_id, org_name, level, parent_id, division_code',
    [
      "('H', '总行', 'HQ', NULL, '420100')",
      "('B1', '分行一', 'BRANCH', 'H', '420100')",
      "('S1', '支行一', 'SUBBRANCH', 'B1', '420102')",
      "('O1', '网点一', 'OUTLET', 'S1', '420102')",
      "('O2', '网点二', 'OUTLET', 'S1', '420103')",
      "('B2', '分行二', 'BRANCH', 'H', '330100')",
      "('O3', '网点三', 'OUTLET', 'B2', '330102')",
      "('RC', '远程银行中心', 'REMOTE_CENTER', 'H', '420100')",
    ],
  ],
  [
    'staff',
    'staff_id, org_id, staff_name, role, team',
    [
      "('AM1', 'O1', '经理一', 'ACCOUNT_MANAGER', 'CARE')",
      "('AM1B', 'O1', '经理一乙', 'ACCOUNT_MANAGER', 'CARE')",
      "('AM2', 'O2', '经理二', 'ACCOUNT_MANAGER', NULL)",
      "('AM3', 'O3', '经理三', 'ACCOUNT_MANAGER', NULL)",
      "('RM1', 'S1', '对公一', 'CORPORATE_RM', NULL)",
      "('OM1', 'O1', '网点主任', 'OUTLET_MANAGER', NULL)",
      "('BM1', 'B1', '分行长', 'BRANCH_MANAGER', NULL)",
      "('RA1', 'RC', '坐席一', 'REMOTE_AGENT', NULL)",
      "('L1', 'O1', '大堂一', 'LOBBY', NULL)",
    ],
  ],
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    [
      customer('C1', 'O1', 'AM1'),
      customer('C2', 'O1', 'AM1B'),
      customer('C3', 'O2', 'AM2'),
      customer('C4', 'O3', 'AM3'),
    ],
  ],
  [
    'employers',
    'employer_id, employer_name, is_government, org_id, corporate_rm_id, division_code',
    [
      "('E1', '单位一', 'Y', 'S1', 'RM1', '420102')",
      "('E2', '单位二', 'N', 'O1', NULL, '420102')",
      "('E3', '单位三', 'N', 'O3', NULL, '330102')",
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, card_kind, open_date, open_org_id, open_staff_id, open_channel',
    [
      // At the caring team's event of EVENT_DAY (staff AM1): only A_CARE counts.
      `('A_CARE', 'C1', NULL, 'DEBIT_CARD', 'SSC_GEN3', DATE '${EVENT_DAY}', 'O1', 'AM1', 'CARE_TEAM')`,
      `('A_COUNTER', 'C2', NULL, 'DEBIT_CARD', 'STANDARD', DATE '${EVENT_DAY}', 'O1', 'AM1', 'COUNTER')`,
      `('A_OTHER', 'C2', NULL, 'CREDIT_CARD', NULL, DATE '${EVENT_DAY}', 'O1', 'OM1', 'CARE_TEAM')`,
      `('A_SAV', 'C1', NULL, 'SAVINGS', NULL, DATE '${EVENT_DAY}', 'O1', 'AM1', 'CARE_TEAM')`,
      `('A_DAYAFTER', 'C1', NULL, 'DEBIT_CARD', 'STANDARD', DATE '2027-01-23', 'O1', 'AM1', 'CARE_TEAM')`,
      "('A4', 'C4', NULL, 'SAVINGS', NULL, DATE '2020-01-01', 'O3', NULL, 'COUNTER')",
    ],
  ],
  [
    'benefit_programs',
    'program_id, program_name, kind, division_code, into_ssc, pay_day, start_date, end_date',
    [
      "('PEN42', '湖北养老金', 'PENSION', '420000', 'Y', 15, DATE '2020-01-01', NULL)",
      "('PEN4201', '武汉养老金', 'PENSION', '420100', 'Y', 31, NULL, NULL)",
      "('PENOLD', '旧养老金', 'PENSION', '420000', 'N', 5, DATE '2020-01-01', DATE '2026-12-31')",
      "('FARM', '耕地补贴', 'FARM_SUBSIDY', '420102', 'Y', 10, NULL, NULL)",
      "('PEN33', '浙江养老金', 'PENSION', '330000', 'Y', 20, NULL, NULL)",
    ],
  ],
  [
    'benefit_credits',
    'credit_id, customer_id, account_id, program_id, credit_date, amount',
    [
      "('BC1', 'C1', 'A_CARE', 'FARM', DATE '2027-01-10', 120.00)",
      "('BC2', 'C2', 'A_COUNTER', 'FARM', DATE '2027-01-10', 120.00)",
      "('BC3', 'C4', 'A4', 'PEN33', DATE '2027-01-10', 3000.00)",
    ],
  ],
  [
    'assistance_actions',
    'action_id, division_code, counterpart, action, owner_org_id, due_date, status',
    [
      "('AA1', '420102', '某村委会', '上门办理社保卡', 'O1', DATE '2027-02-01', 'PLANNED')",
      "('AA3', '330102', '某社区', '养老金认证', 'O3', DATE '2027-02-01', 'PLANNED')",
    ],
  ],
  [
    'prospects',
    'prospect_id, name, phone, id_no, source, source_name, division_code, consent, collected_date',
    [
      `('P1', '${PROSPECT.name}', '${PROSPECT.phone}', '${PROSPECT.id}', 'SCHOOL', '外国语学校', '420102', 'Y', DATE '2027-01-05')`,
      "('P2', '吴同学', '13612340000', NULL, 'SCHOOL', '外国语学校', '420102', 'N', DATE '2027-01-05')",
      "('P3', '郑同学', '13612340001', NULL, 'UNIVERSITY', '外国语学校', '420102', 'Y', DATE '2027-01-05')",
    ],
  ],
];

const USERS: TestUser[] = [
  { user: 'hq', role: 'HQ_ADMIN', org: 'H', staff: null },
  { user: 'branch', role: 'BRANCH_MANAGER', org: 'B1', staff: 'BM1' },
  { user: 'outlet', role: 'OUTLET_MANAGER', org: 'O1', staff: 'OM1' },
  { user: 'am1', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1' },
  { user: 'am1b', role: 'ACCOUNT_MANAGER', org: 'O1', staff: 'AM1B' },
  { user: 'am2', role: 'ACCOUNT_MANAGER', org: 'O2', staff: 'AM2' },
  { user: 'am3', role: 'ACCOUNT_MANAGER', org: 'O3', staff: 'AM3' },
  { user: 'rm1', role: 'CORPORATE_RM', org: 'S1', staff: 'RM1' },
  { user: 'lobby', role: 'LOBBY', org: 'O1', staff: 'L1' },
  { user: 'agent', role: 'REMOTE_AGENT', org: 'RC', staff: 'RA1' },
  { user: 'auditor', role: 'AUDITOR', org: 'H', staff: null },
];

/** One kind of field record: where it lives, how to create and change it, and its audit action. */
interface Resource {
  path: string;
  listKey: string;
  idKey: string;
  action: string;
  /** The bodies am1 (outlet O1) and am3 (outlet O3) create. */
  am1: Record<string, unknown>;
  am3: Record<string, unknown>;
  patch: Record<string, unknown>;
  /** The field the patch changes and its value in the answer. */
  changed: [string, unknown];
}

const RESOURCES: Resource[] = [
  {
    path: '/api/field/visits',
    listKey: 'visits',
    idKey: 'visit_id',
    action: 'FIELD_VISIT',
    am1: {
      kind: 'EMPLOYER',
      employer_id: 'E2',
      visited_on: D,
      outcome: 'INTERESTED',
      summary: `财务科联系人 ${TYPED_PHONE}`,
      next_step: '送代发方案',
      next_date: '2027-01-25',
    },
    am3: { kind: 'EMPLOYER', employer_id: 'E3', visited_on: D, outcome: 'MET' },
    patch: { outcome: 'AGREED' },
    changed: ['outcome', 'AGREED'],
  },
  {
    path: '/api/field/events',
    listKey: 'events',
    idKey: 'event_id',
    action: 'FIELD_EVENT',
    am1: {
      team: 'CARE',
      place: '幸福社区',
      community: '幸福社区',
      event_date: EVENT_DAY,
      staff_ids: ['AM1'],
    },
    am3: { team: 'BACKPACK', place: '某村', community: '某村', event_date: EVENT_DAY, staff_ids: ['AM3'] },
    patch: { status: 'DONE', cards_opened: 3, participants: 25 },
    changed: ['status', 'DONE'],
  },
  {
    path: '/api/field/service-points',
    listKey: 'service_points',
    idKey: 'service_point_id',
    action: 'FIELD_SERVICE_POINT',
    am1: {
      name: '集市服务点',
      place: '镇集市',
      start_date: '2027-01-22',
      end_date: '2027-01-24',
      staff_ids: ['AM1'],
    },
    am3: {
      name: '村口服务点',
      place: '村口',
      start_date: '2027-01-22',
      end_date: '2027-01-22',
      staff_ids: ['AM3'],
    },
    patch: { end_date: '2027-01-26' },
    changed: ['end_date', '2027-01-26'],
  },
  {
    path: '/api/field/stations',
    listKey: 'stations',
    idKey: 'station_id',
    action: 'FIELD_STATION',
    am1: {
      name: '幸福驿站',
      place: '幸福社区',
      services: [
        { family: 'WEALTH', service: '金融知识普及基地' },
        { family: 'HAPPINESS', service: '康养服务' },
      ],
      partners: [{ partner_name: '社区卫生服务中心', partner_kind: '卫生院', family: 'HAPPINESS' }],
    },
    am3: { name: '乡村驿站', place: '某村' },
    patch: { status: 'CLOSED' },
    changed: ['status', 'CLOSED'],
  },
  {
    path: '/api/field/service-plans',
    listKey: 'plans',
    idKey: 'plan_id',
    action: 'FIELD_SERVICE_PLAN',
    am1: {
      employer_id: 'E2',
      pain_points: '发薪流程慢',
      offers: ['PAYROLL_PROCESS', 'AUTO_DEBIT'],
      auto_debit_kinds: ['WATER', 'POWER'],
    },
    am3: { employer_id: 'E3', offers: ['GOLD_PLAN'] },
    patch: { status: 'PROPOSED' },
    changed: ['status', 'PROPOSED'],
  },
  {
    path: '/api/field/tuition-partners',
    listKey: 'partners',
    idKey: 'partner_id',
    action: 'FIELD_TUITION_PARTNER',
    am1: {
      name: '外国语学校',
      kind: 'SCHOOL',
      contact_name: CONTACT.name,
      contact_phone: CONTACT.phone,
      lists_received: 2,
      last_list_on: '2027-01-05',
    },
    am3: { name: '某留学中介', kind: 'STUDY_AGENCY' },
    patch: { status: 'ACTIVE', lists_received: 3 },
    changed: ['status', 'ACTIVE'],
  },
];

describeEachEngine('field operations through the API', (engine) => {
  let db: TestDb;
  let server: TestServer;
  const call: TestServer['call'] = (method, url, o) => server.call(method, url, o);
  const audits = (action: string) => server.audits(action);
  /** The ids created by am1 and am3, per resource path. */
  const made = new Map<string, { am1: number; am3: number }>();

  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, bank);
    await markLoaded(db, D);
    const run = await runPipeline(db, { asOf: D, config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
    const lead = (n: number, c: string) =>
      `(${n}, DATE '2026-11-15', 'WEALTH', 'CUSTOMER', '${c}', '${c}', '${c}', NULL, '{}', '{}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, 0.5, FALSE, FALSE)`;
    await db.exec(
      `INSERT INTO leads VALUES ${[lead(1, 'C1'), lead(2, 'C3'), lead(3, 'C2'), lead(4, 'C4')].join(', ')}`,
    );
    const task = (
      n: number,
      c: string,
      org: string,
      staff: string | null,
      channel: string,
      credit: string,
      status = 'OPEN',
    ) =>
      `(${n}, ${n}, 'WEALTH', '${c}', '${org}', ${staff ? `'${staff}'` : 'NULL'}, '${channel}', '${credit}', '${status}', DATE '${D}', DATE '${D}', DATE '2027-01-27')`;
    await db.exec(
      `INSERT INTO tasks (task_id, lead_id, activity_id, customer_id, org_id, staff_id, channel, credit_org_id, status, created_on, assigned_on, due_date)
       VALUES ${[
         task(1, 'C1', 'O1', 'AM1', 'MANAGER', 'O1'),
         task(2, 'C3', 'O2', 'AM2', 'MANAGER', 'O2'),
         task(3, 'C2', 'RC', null, 'OUTBOUND_CALL', 'O1'),
         task(4, 'C4', 'O1', 'AM1', 'MANAGER', 'O1', 'CLOSED'),
       ].join(', ')}`,
    );
    server = await startTestServer({ db, config, users: USERS, now: NOW });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  /** The ids of a list answer. */
  const ids = async (as: string, r: Resource, query = '') => {
    const res = await call('GET', `${r.path}${query}`, { as });
    expect(res.statusCode, `${as} GET ${r.path}: ${res.body}`).toBe(200);
    return (res.json()[r.listKey] as Record<string, number>[]).map((x) => x[r.idKey]);
  };

  describe('every record kind', () => {
    it('is created in the user’s own org, audited once, and read back with its free text masked', async () => {
      for (const r of RESOURCES) {
        const ids: Partial<Record<'am1' | 'am3', number>> = {};
        for (const as of ['am1', 'am3'] as const) {
          const before = await audits(r.action);
          const res = await call('POST', r.path, { as, body: r[as] });
          expect(res.statusCode, `${as} POST ${r.path}: ${res.body}`).toBe(200);
          expect(await audits(r.action), `${r.action} after one create`).toBe(before + 1);
          const body = res.json();
          expect(body.org_id ?? body.employer_org_id).toBe(as === 'am1' ? 'O1' : 'O3');
          ids[as] = body[r.idKey] as number;
        }
        made.set(r.path, ids as { am1: number; am3: number });
      }
      const [entry] = await db.query(
        `SELECT actor, subject, detail FROM audit_log WHERE action = 'FIELD_VISIT' ORDER BY seq LIMIT 1`,
      );
      expect(entry).toEqual({ actor: 'am1', subject: 'visit:1', detail: JSON.stringify({ op: 'CREATE' }) });
      const visit = (await call('GET', '/api/field/visits/1', { as: 'am1' })).json();
      expect(visit.summary).toBe('财务科联系人 139****5678');
      expect(visit.next_step).toBe('送代发方案');
      const partner = (
        await call('GET', `/api/field/tuition-partners/${made.get('/api/field/tuition-partners')?.am1}`, {
          as: 'am1',
        })
      ).json();
      expect(partner).toMatchObject({
        contact_name: '陈*师',
        contact_phone: '135****5678',
        prospects: { received: 2, consented: 1 },
      });
    });

    it('lists carry no free text', async () => {
      const list = (await call('GET', '/api/field/visits', { as: 'am1' })).json().visits;
      expect(list[0]).toMatchObject({ visit_id: 1, has_notes: true, next_date: '2027-01-25' });
      expect(list[0]).not.toHaveProperty('summary');
      expect(list[0]).not.toHaveProperty('next_step');
    });

    it('shows each role what is in its scope and nothing else (lists and details)', async () => {
      // Who sees am1's record (O1) and am3's (O3).
      const sees: Record<string, [boolean, boolean]> = {
        hq: [true, true],
        branch: [true, false],
        outlet: [true, false],
        am1: [true, false],
        am1b: [true, false], // the outlet's records are the outlet's
        am2: [false, false],
        am3: [false, true],
        rm1: [false, false], // S1's own records only, and their employers'
      };
      for (const r of RESOURCES) {
        const m = made.get(r.path) as { am1: number; am3: number };
        for (const [as, [one, three]] of Object.entries(sees)) {
          const listed = await ids(as, r);
          expect(listed.includes(m.am1), `${as} lists am1's ${r.path}`).toBe(one);
          expect(listed.includes(m.am3), `${as} lists am3's ${r.path}`).toBe(three);
          for (const [id, visible] of [
            [m.am1, one],
            [m.am3, three],
          ] as const) {
            const denied = await audits('DENIED');
            const res = await call('GET', `${r.path}/${id}`, { as });
            expect(res.statusCode, `${as} GET ${r.path}/${id}`).toBe(visible ? 200 : 404);
            expect(await audits('DENIED')).toBe(denied + (visible ? 0 : 1));
          }
        }
        // A missing record answers the same 404, without a DENIED entry.
        const denied = await audits('DENIED');
        const missing = await call('GET', `${r.path}/999`, { as: 'am1' });
        expect(missing.statusCode).toBe(404);
        expect(missing.json().error.code).toBe('NOT_FOUND');
        expect(await audits('DENIED')).toBe(denied);
        const hidden = await call('GET', `${r.path}/${m.am3}`, { as: 'am1' });
        expect(hidden.json().error.code).toBe('NOT_FOUND');
      }
    });

    it('changes a record in scope (audited once) and refuses one outside it with 404, changing nothing', async () => {
      for (const r of RESOURCES) {
        const m = made.get(r.path) as { am1: number; am3: number };
        const before = await audits(r.action);
        const outside = await call('PATCH', `${r.path}/${m.am3}`, { as: 'am1', body: r.patch });
        expect(outside.statusCode, `am1 PATCH am3's ${r.path}`).toBe(404);
        const mid = await call('PATCH', `${r.path}/${m.am1}`, { as: 'branch', body: r.patch });
        expect(mid.statusCode, `branch PATCH ${r.path}: ${mid.body}`).toBe(200);
        expect(mid.json()[r.changed[0]]).toEqual(r.changed[1]);
        expect(await audits(r.action)).toBe(before + 1);
        const untouched = (await call('GET', `${r.path}/${m.am3}`, { as: 'hq' })).json();
        expect(untouched[r.changed[0]]).not.toEqual(r.changed[1]);
        const noScope = await call('PATCH', `${r.path}/${m.am3}`, { as: 'branch', body: r.patch });
        expect(noScope.statusCode).toBe(404);
        expect(await audits(r.action)).toBe(before + 1);
      }
    });

    it('refuses the roles without field permissions (403, audited)', async () => {
      for (const as of ['lobby', 'agent', 'auditor']) {
        for (const r of RESOURCES) {
          const denied = await audits('DENIED');
          expect((await call('GET', r.path, { as })).statusCode).toBe(403);
          expect((await call('POST', r.path, { as, body: r.am1 })).statusCode).toBe(403);
          expect(await audits('DENIED')).toBe(denied + 2);
        }
        for (const path of [
          '/api/appointments',
          '/api/field/assistance-actions',
          '/api/field/benefit-programs',
          '/api/field/pension-days',
        ])
          expect((await call('GET', path, { as })).statusCode, `${as} ${path}`).toBe(403);
      }
      // A write without the CSRF token is refused before anything is written.
      const before = await audits('FIELD_VISIT');
      const res = await call('POST', '/api/field/visits', { as: 'am1', csrf: null, body: RESOURCES[0]?.am1 });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('CSRF');
      expect(await audits('FIELD_VISIT')).toBe(before);
    });
  });

  describe('references outside the scope', () => {
    it('refuses a write naming an employer, org, staff member, station or customer outside the scope', async () => {
      const cases: [string, string, Record<string, unknown>][] = [
        [
          '/api/field/visits',
          'employer',
          { kind: 'EMPLOYER', employer_id: 'E3', visited_on: D, outcome: 'MET' },
        ],
        [
          '/api/field/visits',
          'org',
          { kind: 'GOVERNMENT', counterpart: '人社局', org_id: 'O3', visited_on: D, outcome: 'MET' },
        ],
        [
          '/api/field/events',
          'staff',
          { team: 'DOOR', place: '某厂', event_date: D, staff_ids: ['AM1', 'AM3'] },
        ],
        [
          '/api/field/events',
          'station',
          {
            team: 'DOOR',
            place: '某厂',
            event_date: D,
            staff_ids: ['AM1'],
            station_id: made.get('/api/field/stations')?.am3,
          },
        ],
        ['/api/field/service-plans', 'employer', { employer_id: 'E1', offers: ['OTHER'] }],
        [
          '/api/appointments',
          'customer',
          {
            customer_id: 'C3',
            reason: 'SSC_CARD',
            slot_start: '2027-01-25T10:00:00+08:00',
            slot_end: '2027-01-25T11:00:00+08:00',
          },
        ],
      ];
      for (const [path, what, body] of cases) {
        const denied = await audits('DENIED');
        const total = await db.query('SELECT count(*) AS n FROM audit_log');
        const res = await call('POST', path, { as: 'am1', body });
        expect(res.statusCode, `${path} ${what}: ${res.body}`).toBe(404);
        expect(await audits('DENIED'), `${path} ${what} audited`).toBe(denied + 1);
        const after = await db.query('SELECT count(*) AS n FROM audit_log');
        expect(Number(after[0]?.n)).toBe(Number(total[0]?.n) + 1); // the denial, nothing else
      }
      // An unknown employer is a 404 too, without a denial.
      const denied = await audits('DENIED');
      const unknown = await call('POST', '/api/field/visits', {
        as: 'am1',
        body: { kind: 'EMPLOYER', employer_id: 'E9', visited_on: D, outcome: 'MET' },
      });
      expect(unknown.statusCode).toBe(404);
      expect(await audits('DENIED')).toBe(denied);
      // An account manager records their own visits only.
      const other = await call('POST', '/api/field/visits', {
        as: 'am1',
        body: { kind: 'EMPLOYER', employer_id: 'E2', visited_on: D, outcome: 'MET', staff_id: 'AM1B' },
      });
      expect(other.statusCode).toBe(400);
      expect(other.json().error.fields[0].field).toBe('body.staff_id');
    });

    it('lets a corporate RM record visits to their own employers, seen by them and the managers above', async () => {
      const res = await call('POST', '/api/field/visits', {
        as: 'rm1',
        body: { kind: 'GOVERNMENT', employer_id: 'E1', visited_on: D, outcome: 'MET' },
      });
      expect(res.statusCode, res.body).toBe(200);
      const id = res.json().visit_id as number;
      expect(res.json()).toMatchObject({ org_id: 'S1', staff_id: 'RM1', employer_name: '单位一' });
      const visits = RESOURCES[0] as Resource;
      expect(await ids('rm1', visits)).toContain(id);
      expect(await ids('branch', visits)).toContain(id);
      expect(await ids('am1', visits)).not.toContain(id);
      expect(await ids('outlet', visits)).not.toContain(id);
      // Their employer's visit by someone else is theirs to see too.
      expect(await ids('rm1', visits, '?employer=E1')).toEqual([id]);
      expect(
        (
          await call('POST', '/api/field/visits', {
            as: 'rm1',
            body: { kind: 'EMPLOYER', employer_id: 'E2', visited_on: D, outcome: 'MET' },
          })
        ).statusCode,
      ).toBe(404);
    });
  });

  it('validates bodies, queries and parameters with the field at fault', async () => {
    const bad: [string, string, Record<string, unknown> | undefined, string][] = [
      ['POST', '/api/field/visits', { kind: 'EMPLOYER', visited_on: D, outcome: 'MET' }, 'body.employer_id'],
      [
        'POST',
        '/api/field/visits',
        { kind: 'EMPLOYER', employer_id: 'E2', visited_on: '2027-02-30', outcome: 'MET' },
        'body.visited_on',
      ],
      [
        'POST',
        '/api/field/visits',
        { kind: 'EMPLOYER', employer_id: 'E2', visited_on: D, outcome: 'MAYBE' },
        'body.outcome',
      ],
      [
        'POST',
        '/api/field/visits',
        { kind: 'EMPLOYER', employer_id: 'E2', visited_on: D, outcome: 'MET', next_date: '2027-01-01' },
        'body.next_date',
      ],
      [
        'POST',
        '/api/field/events',
        { team: 'CARE', place: '某地', event_date: D, staff_ids: [] },
        'body.staff_ids',
      ],
      [
        'POST',
        '/api/field/events',
        { team: 'CHOIR', place: '某地', event_date: D, staff_ids: ['AM1'] },
        'body.team',
      ],
      [
        'POST',
        '/api/field/service-points',
        { name: 'x', place: 'y', start_date: D, end_date: '2027-01-01', staff_ids: ['AM1'] },
        'body.end_date',
      ],
      [
        'POST',
        '/api/field/stations',
        { name: '驿站', place: '某地', services: [{ family: 'FUN', service: 'x' }] },
        'body.services.0.family',
      ],
      [
        'POST',
        '/api/field/service-plans',
        { employer_id: 'E2', offers: ['GOLD_PLAN'], auto_debit_kinds: ['WATER'] },
        'body.auto_debit_kinds',
      ],
      [
        'POST',
        '/api/field/tuition-partners',
        { name: '某校', kind: 'SCHOOL', contact_phone: 'call me' },
        'body.contact_phone',
      ],
      ['PATCH', '/api/field/visits/1', {}, 'body'],
      ['GET', '/api/field/visits/abc', undefined, 'params.id'],
      ['GET', '/api/field/events?from=yesterday', undefined, 'querystring.from'],
      ['GET', '/api/field/pension-days?month=2027-13', undefined, 'querystring.month'],
      ['GET', '/api/appointments?date=2027-1-2', undefined, 'querystring.date'],
      [
        'POST',
        '/api/field/benefit-programs/FARM/progress',
        { recipients_reached: 2, paid_into_card: 3 },
        'body.paid_into_card',
      ],
      ['POST', '/api/field/assistance-actions/AA1/progress', { status: 'SOMETIME' }, 'body.status'],
    ];
    const total = await db.query('SELECT count(*) AS n FROM audit_log');
    for (const [method, url, body, field] of bad) {
      const res = await call(method as 'GET', url, { as: 'am1', body });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION');
      expect(res.json().error.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    // A visit dated after today at the bank (D + 1) has not been made: it would convert the lead then.
    const future = await call('POST', '/api/field/visits', {
      as: 'am1',
      body: { kind: 'EMPLOYER', employer_id: 'E2', visited_on: '2027-01-22', outcome: 'AGREED' },
    });
    expect(future.statusCode, future.body).toBe(400);
    expect(future.json().error.fields[0].field).toBe('body.visited_on');
    expect((await db.query('SELECT count(*) AS n FROM audit_log'))[0]?.n).toEqual(total[0]?.n);
  });

  describe('appointments', () => {
    const slot = (from: string, to: string) => ({
      slot_start: `${EVENT_DAY}T${from}:00+08:00`,
      slot_end: `${EVENT_DAY}T${to}:00+08:00`,
    });

    it('books from a task with the task’s customer (masked), and refuses a double booking of the staff member or the team', async () => {
      const before = await audits('APPOINTMENT');
      const res = await call('POST', '/api/tasks/1/appointment', {
        as: 'am1',
        body: {
          ...slot('10:00', '11:00'),
          team: 'CARE',
          reason: 'SSC_CARD',
          notes: `家属电话 ${TYPED_PHONE}`,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        appointment_id: 1,
        customer_id: 'C1',
        customer_name: '张*丰',
        customer_phone: '138****0001',
        task_id: 1,
        org_id: 'O1',
        staff_id: 'AM1',
        team: 'CARE',
        status: 'BOOKED',
        slot_start: '2027-01-22T02:00:00.000Z',
        slot_end: '2027-01-22T03:00:00.000Z',
        notes: '家属电话 139****5678',
      });
      expect(await audits('APPOINTMENT')).toBe(before + 1);
      const [entry] = await db.query(
        `SELECT subject, detail FROM audit_log WHERE action = 'APPOINTMENT' ORDER BY seq DESC LIMIT 1`,
      );
      expect(entry).toEqual({
        subject: 'appointment:1',
        detail: JSON.stringify({ op: 'BOOK', fields: ['task:1'] }),
      });

      // The same staff member in an overlapping slot.
      // (C4 is am1's through task 4.)
      const staff = await call('POST', '/api/appointments', {
        as: 'am1',
        body: { customer_id: 'C4', ...slot('10:30', '11:30'), reason: 'PENSION' },
      });
      expect(staff.statusCode).toBe(409);
      expect(staff.json().error).toMatchObject({ code: 'DOUBLE_BOOKED' });
      expect(staff.json().error.message).toContain('staff member AM1');
      // The caring team of O1, by a colleague, in an overlapping slot.
      const team = await call('POST', '/api/appointments', {
        as: 'am1b',
        body: { customer_id: 'C2', ...slot('09:30', '10:15'), team: 'CARE', reason: 'PENSION' },
      });
      expect(team.statusCode).toBe(409);
      expect(team.json().error.message).toContain('CARE team of O1');
      expect(await audits('APPOINTMENT')).toBe(before + 1);
      // Slots that only touch do not overlap; another staff member without the team is free.
      const next = await call('POST', '/api/appointments', {
        as: 'am1',
        body: { customer_id: 'C4', ...slot('11:00', '12:00'), reason: 'PENSION' },
      });
      expect(next.statusCode, next.body).toBe(200);
      const colleague = await call('POST', '/api/appointments', {
        as: 'am1b',
        body: { customer_id: 'C2', ...slot('10:00', '11:00'), reason: 'ACCOUNT' },
      });
      expect(colleague.statusCode, colleague.body).toBe(200);
      expect(await audits('APPOINTMENT')).toBe(before + 3);
    });

    it('refuses a slot that does not end after it starts, or lasts a day', async () => {
      for (const [s, e] of [
        ['10:00', '10:00'],
        ['11:00', '10:00'],
      ]) {
        const res = await call('POST', '/api/tasks/1/appointment', {
          as: 'am1',
          body: { ...slot(s as string, e as string), reason: 'SSC_CARD' },
        });
        expect(res.statusCode).toBe(400);
        expect(res.json().error.fields[0]).toMatchObject({
          field: 'body.slot_end',
          message: 'the slot must end after it starts',
        });
      }
      const long = await call('POST', '/api/tasks/1/appointment', {
        as: 'am1',
        body: { ...slot('08:00', '19:00'), reason: 'SSC_CARD' },
      });
      expect(long.statusCode).toBe(400);
      const noZone = await call('POST', '/api/tasks/1/appointment', {
        as: 'am1',
        body: { slot_start: '2027-01-22T10:00:00', slot_end: '2027-01-22T11:00:00', reason: 'SSC_CARD' },
      });
      expect(noZone.statusCode).toBe(400);
    });

    it('books only from a task in scope that is open and has a customer, and lets a remote agent book the customer’s outlet', async () => {
      const denied = await audits('DENIED');
      const outside = await call('POST', '/api/tasks/2/appointment', {
        as: 'am1',
        body: { ...slot('14:00', '15:00'), reason: 'WEALTH' },
      });
      expect(outside.statusCode).toBe(404);
      expect(await audits('DENIED')).toBe(denied + 1);
      const missing = await call('POST', '/api/tasks/99/appointment', {
        as: 'am1',
        body: { ...slot('14:00', '15:00'), reason: 'WEALTH' },
      });
      expect(missing.statusCode).toBe(404);
      expect(await audits('DENIED')).toBe(denied + 1);
      const closed = await call('POST', '/api/tasks/4/appointment', {
        as: 'am1',
        body: { ...slot('14:00', '15:00'), reason: 'WEALTH' },
      });
      expect(closed.statusCode).toBe(409);
      expect(closed.json().error.code).toBe('TASK_CLOSED');
      // The remote task is credited to O1: the agent books O1's caring team (and may not pick an O2 colleague).
      const agent = await call('POST', '/api/tasks/3/appointment', {
        as: 'agent',
        body: { ...slot('14:00', '15:00'), team: 'CARE', reason: 'PENSION' },
      });
      expect(agent.statusCode, agent.body).toBe(200);
      expect(agent.json()).toMatchObject({
        org_id: 'O1',
        staff_id: null,
        team: 'CARE',
        customer_name: '李*',
      });
      const elsewhere = await call('POST', '/api/tasks/3/appointment', {
        as: 'agent',
        body: { ...slot('16:00', '17:00'), staff_id: 'AM2', reason: 'PENSION' },
      });
      expect(elsewhere.statusCode).toBe(409);
      expect(elsewhere.json().error.code).toBe('STAFF_ELSEWHERE');
      // The agent has no field:read: the day list is the outlet's.
      expect((await call('GET', '/api/appointments', { as: 'agent' })).statusCode).toBe(403);
    });

    it('lists a day’s slots by team and staff within the scope', async () => {
      const list = async (as: string, q = '') =>
        (
          (await call('GET', `/api/appointments?date=${EVENT_DAY}${q}`, { as })).json().appointments as {
            appointment_id: number;
          }[]
        ).map((a) => a.appointment_id);
      // 1 AM1 + CARE 10–11 (task 1), 2 AM1 11–12, 3 AM1B 10–11, 4 CARE team 14–15 (the agent's).
      expect(await list('am1')).toEqual([1, 2, 4]); // mine, and my caring team's
      expect(await list('am1b')).toEqual([1, 3, 4]); // a colleague of the caring team
      expect(await list('outlet')).toEqual([1, 3, 2, 4]);
      expect(await list('outlet', '&team=CARE')).toEqual([1, 4]);
      expect(await list('outlet', '&staff=AM1B')).toEqual([3]);
      expect(await list('am2')).toEqual([]);
      expect(await list('am3')).toEqual([]);
      expect(await list('hq')).toEqual([1, 3, 2, 4]);
      expect(await list('hq', '&status=CANCELLED')).toEqual([]);
      const other = await call('GET', '/api/appointments?date=2027-01-23', { as: 'hq' });
      expect(other.json().appointments).toEqual([]);
      expect((await call('GET', '/api/appointments/3', { as: 'am1' })).statusCode).toBe(404);
      expect((await call('GET', '/api/appointments/3', { as: 'am1b' })).statusCode).toBe(200);
    });

    it('closes an appointment once; a cancelled one frees its slot', async () => {
      const before = await audits('APPOINTMENT');
      const outside = await call('PATCH', '/api/appointments/1', {
        as: 'am2',
        body: { status: 'CANCELLED' },
      });
      expect(outside.statusCode).toBe(404);
      const cancel = await call('PATCH', '/api/appointments/1', { as: 'am1', body: { status: 'CANCELLED' } });
      expect(cancel.statusCode, cancel.body).toBe(200);
      expect(cancel.json().status).toBe('CANCELLED');
      const again = await call('PATCH', '/api/appointments/1', { as: 'am1', body: { status: 'DONE' } });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('APPOINTMENT_CLOSED');
      const bad = await call('PATCH', '/api/appointments/2', { as: 'am1', body: { status: 'BOOKED' } });
      expect(bad.statusCode).toBe(400);
      expect(await audits('APPOINTMENT')).toBe(before + 1);
      const rebook = await call('POST', '/api/appointments', {
        as: 'am1b',
        body: { customer_id: 'C2', ...slot('09:30', '10:00'), team: 'CARE', reason: 'PENSION' },
      });
      expect(rebook.statusCode, rebook.body).toBe(200);
      expect(await audits('APPOINTMENT')).toBe(before + 2);
    });
  });

  it('shows an event’s results: the cards the team typed and those the accounts show for its staff, channel and day', async () => {
    const id = made.get('/api/field/events')?.am1;
    const ev = (await call('GET', `/api/field/events/${id}`, { as: 'am1' })).json();
    // Typed 3 (the patch above); the accounts: A_CARE only (not the counter's card, not OM1's — not
    // staff of the event —, not a savings account, not the next day's).
    expect(ev.results).toEqual({
      cards_opened: 3,
      cards_opened_accounts: 1,
      appointments_taken: null,
      participants: 25,
    });
    expect(ev.staff_ids).toEqual(['AM1']);
    const more = await call('PATCH', `/api/field/events/${id}`, {
      as: 'outlet',
      body: { staff_ids: ['AM1', 'OM1'] },
    });
    expect(more.statusCode, more.body).toBe(200);
    expect(more.json().results.cards_opened_accounts).toBe(2);
    // The backpack team's event counts BACKPACK_TEAM cards: none.
    const bp = (
      await call('GET', `/api/field/events/${made.get('/api/field/events')?.am3}`, { as: 'am3' })
    ).json();
    expect(bp.results.cards_opened_accounts).toBe(0);
  });

  it('shows a station with its services, partners, events and participants', async () => {
    const stationId = made.get('/api/field/stations')?.am1 as number;
    const ev = await call('POST', '/api/field/events', {
      as: 'am1',
      body: {
        team: 'LOBBY_SALON',
        place: '驿站',
        event_date: D,
        staff_ids: ['AM1'],
        station_id: stationId,
        participants: 12,
        status: 'DONE',
      },
    });
    expect(ev.statusCode, ev.body).toBe(200);
    const res = await call('GET', `/api/field/stations/${stationId}`, { as: 'outlet' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.station).toMatchObject({
      services: [
        { family: 'HAPPINESS', service: '康养服务' },
        { family: 'WEALTH', service: '金融知识普及基地' },
      ],
      partners: [{ partner_name: '社区卫生服务中心', partner_kind: '卫生院', family: 'HAPPINESS' }],
      events: 1,
      participants: 12,
    });
    expect(body.events.map((e: { event_id: number }) => e.event_id)).toEqual([ev.json().event_id]);
    const wealth = (await call('GET', '/api/field/stations?family=WEALTH', { as: 'hq' })).json().stations;
    expect(wealth.map((s: { station_id: number }) => s.station_id)).toEqual([stationId]);
  });

  describe('the P7 tables', () => {
    it('lists the assistance actions owned in scope with their progress, and records progress (audited)', async () => {
      const list = async (as: string) =>
        (
          (await call('GET', '/api/field/assistance-actions', { as })).json().actions as {
            action_id: string;
          }[]
        ).map((a) => a.action_id);
      expect(await list('am1')).toEqual(['AA1']);
      expect(await list('am3')).toEqual(['AA3']);
      expect(await list('branch')).toEqual(['AA1']);
      expect(await list('hq')).toEqual(['AA1', 'AA3']);
      const before = await audits('FIELD_PROGRESS');
      const res = await call('POST', '/api/field/assistance-actions/AA1/progress', {
        as: 'am1',
        body: { status: 'IN_PROGRESS', note: `已联系村主任 ${TYPED_PHONE}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        action_id: 'AA1',
        progress: { records: 1, status: 'IN_PROGRESS', recorded_on: '2027-01-21', org_id: 'O1' },
        history: [{ status: 'IN_PROGRESS', note: '已联系村主任 139****5678', recorded_by: 'am1' }],
      });
      expect(await audits('FIELD_PROGRESS')).toBe(before + 1);
      const denied = await audits('DENIED');
      const outside = await call('POST', '/api/field/assistance-actions/AA3/progress', {
        as: 'am1',
        body: { status: 'DONE' },
      });
      expect(outside.statusCode).toBe(404);
      expect(await audits('DENIED')).toBe(denied + 1);
      expect(await audits('FIELD_PROGRESS')).toBe(before + 1);
      const listed = (
        await call('GET', '/api/field/assistance-actions?progress=IN_PROGRESS', { as: 'hq' })
      ).json().actions;
      expect(listed.map((a: { action_id: string }) => a.action_id)).toEqual(['AA1']);
      expect(listed[0]).not.toHaveProperty('history');
    });

    it('lists the benefit programs covering orgs in scope with recorded and credited progress', async () => {
      const list = async (as: string) =>
        (
          (await call('GET', '/api/field/benefit-programs', { as })).json().programs as {
            program_id: string;
          }[]
        ).map((p) => p.program_id);
      expect(await list('am1')).toEqual(['FARM', 'PEN42', 'PEN4201', 'PENOLD']);
      expect(await list('am3')).toEqual(['PEN33']);
      expect(await list('hq')).toEqual(['FARM', 'PEN33', 'PEN42', 'PEN4201', 'PENOLD']);
      const before = await audits('FIELD_PROGRESS');
      const res = await call('POST', '/api/field/benefit-programs/FARM/progress', {
        as: 'am1',
        body: { recipients_reached: 10, paid_into_card: 4 },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        program_id: 'FARM',
        progress: { orgs: 1, recipients_reached: 10, paid_into_card: 4, last_recorded_on: '2027-01-21' },
        // C1 into an SSC card, C2 into a standard card (both home O1).
        credited: { customers: 2, into_ssc: 1 },
      });
      // The latest record of an org counts, not the sum of its records.
      await call('POST', '/api/field/benefit-programs/FARM/progress', {
        as: 'am1',
        body: { recipients_reached: 12, paid_into_card: 6 },
      });
      const farm = (await call('GET', '/api/field/benefit-programs/FARM', { as: 'branch' })).json();
      expect(farm.progress).toMatchObject({ orgs: 1, recipients_reached: 12, paid_into_card: 6 });
      expect(farm.history.map((h: { recipients_reached: number }) => h.recipients_reached)).toEqual([12, 10]);
      expect(await audits('FIELD_PROGRESS')).toBe(before + 2);
      // am3 sees nothing of FARM; an O3 credit counts for O3 only.
      expect((await call('GET', '/api/field/benefit-programs/FARM', { as: 'am3' })).statusCode).toBe(404);
      const pen33 = (await call('GET', '/api/field/benefit-programs/PEN33', { as: 'am3' })).json();
      expect(pen33.credited).toEqual({ customers: 1, into_ssc: 0 });
      expect(pen33.history).toEqual([]);
      // A program that does not cover the recording org's division.
      const notCovered = await call('POST', '/api/field/benefit-programs/FARM/progress', {
        as: 'am2',
        body: { recipients_reached: 1, paid_into_card: 0 },
      });
      expect(notCovered.statusCode).toBe(404); // FARM covers 420102 only: O2 (420103) does not see it
      const hq = await call('POST', '/api/field/benefit-programs/PEN33/progress', {
        as: 'hq',
        body: { recipients_reached: 1, paid_into_card: 0 },
      });
      expect(hq.statusCode).toBe(409);
      expect(hq.json().error.code).toBe('NOT_COVERED');
      expect(await audits('FIELD_PROGRESS')).toBe(before + 2);
    });

    it('gives each outlet’s pension pay days of a month', async () => {
      const res = await call('GET', '/api/field/pension-days?month=2027-02', { as: 'am1' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        org_id: 'O1',
        month: '2027-02',
        outlets: [
          {
            org_id: 'O1',
            org_name: '网点一',
            division_code: '420102',
            days: [
              {
                date: '2027-02-15',
                programs: [expect.objectContaining({ program_id: 'PEN42', pay_day: 15 })],
              },
              // pay day 31 falls on February's last day; PENOLD ended in December, FARM is no pension.
              {
                date: '2027-02-28',
                programs: [expect.objectContaining({ program_id: 'PEN4201', pay_day: 31 })],
              },
            ],
          },
        ],
      });
      const dec = (await call('GET', '/api/field/pension-days?month=2026-12', { as: 'am1' })).json();
      expect(dec.outlets[0].days.map((d: { date: string }) => d.date)).toEqual([
        '2026-12-05',
        '2026-12-15',
        '2026-12-31',
      ]);
      const branch = (
        await call('GET', '/api/field/pension-days?org=B1&month=2027-02', { as: 'branch' })
      ).json();
      expect(branch.outlets.map((o: { org_id: string }) => o.org_id)).toEqual(['O1', 'O2']);
      const hq = (await call('GET', '/api/field/pension-days?org=B2&month=2027-02', { as: 'hq' })).json();
      expect(hq.outlets).toEqual([
        expect.objectContaining({ org_id: 'O3', days: [expect.objectContaining({ date: '2027-02-20' })] }),
      ]);
      const now = (await call('GET', '/api/field/pension-days', { as: 'am3' })).json();
      expect(now.month).toBe('2027-01');
      const denied = await audits('DENIED');
      expect((await call('GET', '/api/field/pension-days?org=O3', { as: 'am1' })).statusCode).toBe(404);
      expect((await call('GET', '/api/field/pension-days?org=B2', { as: 'branch' })).statusCode).toBe(404);
      expect(await audits('DENIED')).toBe(denied + 2);
    });
  });

  it('never answers personal data unmasked', () => {
    expect(server.bodies.length).toBeGreaterThan(100);
    expectNoPersonalData(server.bodies, [
      ...Object.values(RAW).flatMap((c) => [c.id, c.phone, c.name]),
      TYPED_PHONE,
      CONTACT.name,
      CONTACT.phone,
      PROSPECT.name,
      PROSPECT.phone,
      PROSPECT.id,
    ]);
  });
});
