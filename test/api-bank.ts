// The hand-made bank of the API tests (src/server/api.test.ts, access.test.ts): a small org tree, its
// staff and customers (with the personal data as delivered, which no answer may carry), two payroll
// employers, and the leads, tasks and contacts inserted after the pipeline's runs.
//
// Org tree: H → B1 → S1 → O1, O2; H → B2 → O3; H → RC (remote-banking centre). D = 2027-01-20
// (NEW_YEAR, which ends on the Lantern Festival 2027-02-20: 31 days left after D). The app's clock
// is 10:00 bank time on D + 1 (outside the quiet hours).
//
// Tasks (inserted after the run):      org  staff  channel        customer
//   1  AM1's own                        O1   AM1    MANAGER        C1 (manager AM1, home O1)
//   2  O1's pool                        O1   —      POOL           C2 (home O1)
//   3  AM2's own                        O2   AM2    MANAGER        C3 (manager AM2, home O2)
//   4  AM3's own, the other branch      O3   AM3    MANAGER        C4 (home O3)
//   5  remote                           RC   —      OUTBOUND_CALL  C5 (home O2)
//   6  RM1's own                        S1   RM1    CORPORATE_RM   C6 (manager RM1, home S1)
// Employers: E1 at O1 (corporate RM RM1), E2 at O3, E3 at O2 (no RM). Assistance actions AA_<org> owned
// by O1, O2, S1 and O3; benefit programs PEN42 (covers every org) and PEN33 (covers none).

import type { Db } from '../src/db/types.js';
import { noopSeasonConfig } from './server.js';

export const D = '2027-01-20';
export const WEEK_BEFORE = '2027-01-13';
export const NOW = new Date('2027-01-21T02:00:00Z'); // 10:00 bank time

export const config = noopSeasonConfig([
  { kpi: 'NEW_CUSTOMERS', level: 'OUTLET', period: 'SEASON', target: 4 },
]);

/** Personal data as delivered: none of it may appear in any response or log line. */
export const RAW = {
  C1: { id: '420102199001011234', phone: '13800000001', name: '张三丰' },
  C2: { id: '420102198502023456', phone: '13900000002', name: '李四' },
  C3: { id: '42010219700303567X', phone: '13700000003', name: '王五六' },
  C4: { id: '420102196004047890', phone: '15800000004', name: '赵六' },
  C5: { id: '420102195505051111', phone: '18600000005', name: '钱七八' },
  C6: { id: '420102198806062222', phone: '13600000006', name: '孙九' },
};

const customer = (id: keyof typeof RAW, org: string, manager: string | null, since: string) =>
  `('${id}', '${RAW[id].name}', 'ID_CARD', '${RAW[id].id}', 'F', DATE '1980-06-01', '${RAW[id].phone}', '${org}', ${manager ? `'${manager}'` : 'NULL'}, '420102', 'C3', 'Y', 'N', DATE '${since}')`;

export const bank: [string, string, string[]][] = [
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
      "('AM2', 'O2', '经理二', 'ACCOUNT_MANAGER')",
      "('AM3', 'O3', '经理三', 'ACCOUNT_MANAGER')",
      "('RM1', 'S1', '对公一', 'CORPORATE_RM')",
      "('OM1', 'O1', '网点主任', 'OUTLET_MANAGER')",
      "('SM1', 'S1', '支行长', 'SUBBRANCH_MANAGER')",
      "('BM1', 'B1', '分行长', 'BRANCH_MANAGER')",
      "('RA1', 'RC', '坐席一', 'REMOTE_AGENT')",
      "('L1', 'O1', '大堂一', 'LOBBY')",
      "('T1', 'O1', '柜员一', 'TELLER')",
    ],
  ],
  [
    'customers',
    'customer_id, name, id_type, id_no, gender, birth_date, phone, home_org_id, manager_id, division_code, risk_level, marketing_consent, dnd, customer_since',
    [
      customer('C1', 'O1', 'AM1', '2026-12-01'),
      customer('C2', 'O1', null, '2027-01-15'),
      customer('C3', 'O2', 'AM2', '2020-01-01'),
      customer('C4', 'O3', 'AM3', '2020-01-01'),
      customer('C5', 'O2', null, '2020-01-01'),
      customer('C6', 'S1', 'RM1', '2020-01-01'),
    ],
  ],
  [
    'employers',
    'employer_id, employer_name, uscc, industry, is_government, org_id, corporate_rm_id, division_code',
    [
      "('E1', '一号单位', NULL, NULL, 'N', 'O1', 'RM1', '420102')",
      "('E2', '二号单位', NULL, NULL, 'N', 'O3', NULL, '420102')",
      "('E3', '三号单位', NULL, NULL, 'N', 'O2', NULL, '420102')",
    ],
  ],
  [
    'assistance_actions',
    'action_id, division_code, counterpart, action, owner_org_id, due_date, status',
    ['O1', 'O2', 'S1', 'O3'].map(
      (org) =>
        `('AA_${org}', '420102', '某村委会', '上门办理社保卡', '${org}', DATE '2027-02-01', 'PLANNED')`,
    ),
  ],
  [
    'benefit_programs',
    'program_id, program_name, kind, division_code, into_ssc, pay_day, start_date, end_date',
    [
      "('PEN42', '湖北养老金', 'PENSION', '420000', 'Y', 15, DATE '2020-01-01', NULL)",
      "('PEN33', '浙江养老金', 'PENSION', '330000', 'Y', 20, NULL, NULL)",
    ],
  ],
  [
    'accounts',
    'account_id, customer_id, product_code, account_type, open_date, open_org_id',
    [
      "('A1', 'C1', NULL, 'SAVINGS', DATE '2026-12-01', 'O1')",
      "('A3', 'C3', NULL, 'SAVINGS', DATE '2020-01-01', 'O2')",
      "('A4', 'C4', NULL, 'SAVINGS', DATE '2020-01-01', 'O3')",
    ],
  ],
  [
    'balances',
    'account_id, balance_date, balance',
    [
      "('A1', DATE '2026-12-01', 1000.00)",
      "('A3', DATE '2020-01-01', 2000.50)",
      "('A4', DATE '2020-01-01', 300.25)",
    ],
  ],
];

/** The leads, tasks and contacts of the table above (after the pipeline's runs, which mine nothing). */
export async function insertWork(db: Db): Promise<void> {
  const lead = (id: number, c: string, priority: string) =>
    `(${id}, DATE '2026-11-15', 'WEALTH', 'CUSTOMER', '${c}', '${c}', '${c}', NULL, '{"age": 46}', '{"age": 46}', DATE '${D}', DATE '${D}', 'OPEN', DATE '${D}', NULL, 0.05, 10, 1, ${priority}, FALSE, FALSE)`;
  await db.exec(
    `INSERT INTO leads VALUES ${[
      lead(1, 'C1', '0.5'),
      lead(2, 'C2', '0.9'),
      lead(3, 'C3', '0.5'),
      lead(4, 'C4', '0.5'),
      lead(5, 'C5', '0.5'),
      lead(6, 'C6', '0.5'),
    ].join(', ')}`,
  );
  const task = (id: number, c: string, org: string, staff: string | null, channel: string, credit: string) =>
    `(${id}, ${id}, 'WEALTH', '${c}', '${org}', ${staff ? `'${staff}'` : 'NULL'}, '${channel}', '${credit}', 'OPEN', NULL, DATE '${D}', DATE '${D}', DATE '2027-01-27', NULL, NULL, NULL)`;
  await db.exec(
    `INSERT INTO tasks VALUES ${[
      task(1, 'C1', 'O1', 'AM1', 'MANAGER', 'O1'),
      task(2, 'C2', 'O1', null, 'POOL', 'O1'),
      task(3, 'C3', 'O2', 'AM2', 'MANAGER', 'O2'),
      task(4, 'C4', 'O3', 'AM3', 'MANAGER', 'O3'),
      task(5, 'C5', 'RC', null, 'OUTBOUND_CALL', 'O2'),
      task(6, 'C6', 'S1', 'RM1', 'CORPORATE_RM', 'S1'),
    ].join(', ')}`,
  );
  // C3 was contacted twice in the last days (by another activity): a third marketing contact within
  // 7 × 24 hours would break the cap of 2.
  await db.exec(`INSERT INTO contacts VALUES
      (1, 3, 3, 'WEALTH', 'C3', 'AM2', 'MANAGER', 'CONTACTED', NULL, NULL, TIMESTAMP '2027-01-18 02:00:00', TIMESTAMP '2027-01-18 02:00:00', TRUE, TRUE),
      (2, 3, 3, 'WEALTH', 'C3', 'AM2', 'MANAGER', 'INTERESTED', NULL, NULL, TIMESTAMP '2027-01-19 02:00:00', TIMESTAMP '2027-01-19 02:00:00', TRUE, TRUE)`);
}
