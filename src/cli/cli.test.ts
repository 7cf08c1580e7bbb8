import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { loadDrop } from '../extracts/loader.js';
import { PACKAGE_ROOT } from '../paths.js';
import { ROLES } from '../server/roles.js';
import { checkReadOnlyStatement, SqlRefused } from './commands/sql.js';
import { run } from './main.js';

const FIXTURES = join(PACKAGE_ROOT, 'test', 'fixtures');

/** Run the CLI in-process; returns exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    const code = await run(['node', 'wangji', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

it('the SQL console takes one read statement only', () => {
  expect(checkReadOnlyStatement('select 1;')).toBe('select 1');
  expect(checkReadOnlyStatement('-- count\nWITH x AS (SELECT 1) SELECT * FROM x')).toMatch(/^WITH/);
  for (const bad of [
    'DELETE FROM payroll',
    'select 1; drop table payroll',
    "COPY customers TO '/tmp/x.csv'",
    "ATTACH 'x.duckdb'",
    'EXPLAIN ANALYZE SELECT 1',
    'SUMMARIZE customers',
    'SELECT name FROM main.customers',
    'SELECT name FROM "public" . customers',
    '   ',
  ]) {
    expect(() => checkReadOnlyStatement(bad), bad).toThrow(SqlRefused);
  }
});

it('season show prints the resolved season as a table or JSON', async () => {
  const json = await cli('season', 'show', '--season', '2026', '--json');
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout)).toMatchObject({
    label: '2026-27',
    springFestival: '2027-02-06',
    lanternFestival: '2027-02-20',
    phases: [
      { phase: 'YEAR_END' },
      { phase: 'NEW_YEAR', end: '2027-02-20' },
      { phase: 'CONSOLIDATION', start: '2027-02-21' },
    ],
  });
  const text = await cli('season', 'show', '--season', '2026');
  expect(text.stdout).toMatch(/新春攻坚 开门红\s+NEW_YEAR\s+2027-01-01\s+2027-02-20\s+51/);
  const bad = await cli('season', 'show', '--config', '/nonexistent.yaml');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/nonexistent\.yaml: cannot read \(ENOENT\)/);
});

describeEachEngine('wangji demo', (engine) => {
  it('generates a bank on first run, loads it, runs the pipeline, and reuses the bank after', async () => {
    const db = await engine.open();
    const sample = join(await mkdtemp(join(tmpdir(), 'wangji-demo-')), 'sample');
    try {
      await db.release();
      const args = [
        'demo',
        '--customers',
        '400',
        '--as-of',
        '2026-12-15',
        '--sample',
        sample,
        '--db',
        db.target.location,
        '--json',
        '--no-serve',
      ];
      const first = await cli(...args);
      expect(first.code).toBe(0);
      const out = JSON.parse(first.stdout);
      expect(out.load).toMatchObject({ status: 'APPLIED', asOf: '2026-12-15', totals: { quarantined: 0 } });
      expect(out.run).toMatchObject({ status: 'PUBLISHED', asOf: '2026-12-15' });
      // The headline: HQ first with the whole bank, then the branches; the seven segments at HQ.
      expect(out.headline.orgs[0]).toMatchObject({ level: 'HQ', customers: 400 });
      expect(out.headline.orgs.slice(1).every((o: { level: string }) => o.level === 'BRANCH')).toBe(true);
      expect(out.headline.segments.map((s: { segment: string }) => s.segment)).toEqual([
        'PAYROLL',
        'SILVER',
        'MINOR',
        'GUARDIAN',
        'PAYMENT',
        'MERCHANT',
        'COUNTY',
      ]);
      expect(first.stderr).toMatch(/Generating a bank of 400 customers/);
      // The week's briefing, with demo targets split from HQ down to staff: a workbook whose first sheet
      // is the summary and whose KPI sheets list the branches against their targets.
      expect(first.stderr).toMatch(/Demo targets: \d+ set/);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(out.briefingFile);
      expect(book.worksheets.length).toBeGreaterThan(1);
      const [summary, firstKpi] = book.worksheets;
      expect(summary?.getCell('A1').value).toBe('旺季营销按周通报');
      expect(firstKpi?.getCell('A1').value).toBe('机构号');
      const targets = await cli('targets', 'list', '--db', db.target.location, '--json');
      const rows = JSON.parse(targets.stdout) as { scope_kind: string }[];
      expect(rows.some((r) => r.scope_kind === 'STAFF')).toBe(true);
      // A demo sign-in per role, its password shown this once.
      expect(out.signIns.map((u: { role: string }) => u.role).sort()).toEqual([...ROLES].sort());
      expect(out.signIns.every((u: { password: string | null }) => (u.password ?? '').length >= 16)).toBe(
        true,
      );
      const again = await cli(...args.filter((a) => a !== '--json'));
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/Using the bank already in/);
      expect(again.stdout).toMatch(/核心指标 Headline measures as of 2026-12-15/);
      expect(again.stdout).toMatch(/hq-admin\s+\(set before\)\s+HQ_ADMIN/);
      expect(again.stdout).toMatch(/县域 county\s+\d+/);
      expect(again.stdout).toMatch(/本周通报 This week's briefing: .*weekly-2026-12-15\.xlsx/);
      expect(again.stdout).toMatch(/线索 Leads: 在办 open \d+ · 新建 new 0 \(对照组 control 0\)/); // the same date again: nothing new
      expect(out.run.leads.leads.open).toBeGreaterThan(0);

      // The lead lists, a staff member's tasks, and recording outcomes (refusals exit 1 with the reason).
      const db2 = ['--db', db.target.location];
      const leads = await cli('leads', ...db2, '--limit', '500', '--json');
      expect(leads.code).toBe(0);
      const list = JSON.parse(leads.stdout) as {
        lead_id: number;
        task_id: number | null;
        staff_id: string | null;
        channel: string;
        customer_name: string | null;
        reason: string;
      }[];
      expect(list.length).toBeGreaterThan(10);
      expect(list.every((l) => l.reason.length > 0)).toBe(true);
      expect(list.some((l) => /^.\*+.?$/u.test(l.customer_name ?? ''))).toBe(true);
      // The season file's masking rules apply to what the CLI prints: names all stars here.
      const strictSeason = join(mkdtempSync(join(tmpdir(), 'wangji-mask-')), 'season.yaml');
      writeFileSync(
        strictSeason,
        readFileSync(join(PACKAGE_ROOT, 'season', 'default.yaml'), 'utf8').replace(
          /name: \{[^}]*\}/,
          'name: { keep_head: 0, keep_tail: 0, min_length: 1, short: STARS }',
        ),
      );
      const strict = await cli('leads', ...db2, '--limit', '50', '--json', '--config', strictSeason);
      const starred = JSON.parse(strict.stdout) as { customer_name: string | null }[];
      expect(starred.filter((l) => l.customer_name).length).toBeGreaterThan(0);
      for (const l of starred) if (l.customer_name) expect(l.customer_name).toMatch(/^\*+$/);
      const mine = list.find((l) => l.staff_id && l.channel === 'MANAGER');
      expect(mine).toBeDefined();
      const tasks = await cli('tasks', '--staff', mine?.staff_id as string, ...db2);
      expect(tasks.code).toBe(0);
      expect(tasks.stdout).toContain(String(mine?.task_id));
      const at = ['--at', '2026-12-16T10:00:00+08:00'];
      expect((await cli('outcome', String(mine?.task_id), 'contacted', ...at, ...db2)).stdout).toMatch(
        /已记录 Recorded: task #\d+ CONTACTED/,
      );
      const bad = await cli('outcome', String(mine?.task_id), 'INVALID', ...at, ...db2);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/refused \(REASON_REQUIRED\)/);
      const late = await cli(
        'outcome',
        String(mine?.task_id),
        'INTERESTED',
        '--at',
        '2026-12-16T22:30:00+08:00',
        ...db2,
      );
      expect(late.code).toBe(0); // a manager's visit or call, not SMS or an outbound call: no quiet hours
      const third = await cli(
        'outcome',
        String(mine?.task_id),
        'APPOINTMENT',
        '--at',
        '2026-12-17T10:00:00+08:00',
        ...db2,
      );
      expect(third.code).toBe(1);
      expect(third.stderr).toMatch(/CONTACT_CAP/);
    } finally {
      await db.close();
      await rm(dirname(sample), { recursive: true, force: true });
    }
  }, 120_000);
});

describeEachEngine('wangji CLI', (engine) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await engine.open();
  });
  afterEach(async () => db?.close());

  it('load prints the report as JSON and exits 0; a failed drop exits 1 with the reason', async () => {
    await db.release();
    const ok = await cli('load', join(FIXTURES, 'base'), '--db', db.target.location, '--json');
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout);
    expect(report).toMatchObject({ status: 'APPLIED', totals: { read: 31, loaded: 31, quarantined: 0 } });
    expect(ok.stderr).toMatch(/\[1\/13\] orgs\.csv/);
    const bad = await cli('load', join(FIXTURES, 'bad-input', 'empty-file'), '--db', db.target.location);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAILED/);
    expect(bad.stdout).toMatch(/payroll\.csv: empty file: no header row/);
    const text = await cli(
      'load',
      join(FIXTURES, 'bad-input', 'unknown-customer'),
      '--db',
      db.target.location,
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /file\s+encoding\s+read\s+loaded\s+quarantined\s+collapsed\s+inserted\s+updated\s+removed\s+unchanged\s+warnings/,
    );
    expect(text.stdout).toMatch(/payroll\.csv\s+UTF-8\s+3\s+1\s+2\s+0\s+1\s+0\s+0\s+0\n/);
    expect(text.stdout).toMatch(/load-reports\/load-[a-z0-9_]+-4\.json/);
    expect(text.stdout).toMatch(/C999\s+unknown customers\.customer_id/);
  });

  it('checksum prints rows and a checksum per table, the same for a second load of the same drop', async () => {
    await db.release();
    await cli('load', join(FIXTURES, 'base'), '--db', db.target.location);
    const first = await cli(
      'checksum',
      'customers',
      'accounts',
      'no_such',
      '--db',
      db.target.location,
      '--json',
    );
    expect(first.code).toBe(0);
    const sums = JSON.parse(first.stdout) as { table: string; rows?: number; digest?: string }[];
    expect(sums.map((s) => s.table)).toEqual(['customers', 'accounts', 'no_such']);
    expect(sums[0]?.rows).toBeGreaterThan(0);
    expect(sums[2]).toEqual({ table: 'no_such', absent: true });
    await cli('load', join(FIXTURES, 'base'), '--db', db.target.location);
    const again = await cli(
      'checksum',
      'customers',
      'accounts',
      'no_such',
      '--db',
      db.target.location,
      '--json',
    );
    expect(JSON.parse(again.stdout)).toEqual(sums);
    const text = await cli('checksum', 'customers', '--db', db.target.location);
    expect(text.stdout).toMatch(/table\s+rows\s+checksum\n[\s\S]*customers\s+\d+\s+-?\d+/);
  });

  it('sql prints masked personal data, decimals as strings, and refuses writes', async () => {
    await loadDrop(db, join(FIXTURES, 'base'), { today: '2026-11-28' });
    await db.release();
    const res = await cli(
      'sql',
      `SELECT customer_id, name, id_no, phone, (SELECT sum(amount) FROM payroll) AS total, 1 AS one
         FROM customers WHERE customer_id = 'C001'`,
      '--db',
      db.target.location,
      '--json',
    );
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([
      {
        customer_id: 'C001',
        name: '张*丰',
        id_no: '420102********1009',
        phone: '138****0001',
        total: '17000.00',
        one: 1,
      },
    ]);
    const refused = await cli('sql', 'DELETE FROM payroll', '--db', db.target.location);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused: the console only reads/);
    // A data-modifying CTE passes the statement check, but the read-only connection refuses it.
    const cte = await cli(
      'sql',
      'WITH d AS (DELETE FROM payroll RETURNING 1) SELECT count(*) FROM d',
      '--db',
      db.target.location,
    );
    expect(cte.code).not.toBe(0);
    const still = await cli('sql', 'SELECT count(*) AS n FROM payroll', '--db', db.target.location, '--json');
    expect(JSON.parse(still.stdout)).toEqual([{ n: 2 }]);
  });

  it('sql keeps raw personal data out of reach, however the statement is written', async () => {
    await loadDrop(db, join(FIXTURES, 'base'), { today: '2026-11-28' });
    await db.release();
    const catalog = engine.kind === 'duckdb' ? 'test' : 'public';
    const attacks = [
      `SELECT name, id_no, phone FROM ${catalog}.customers`,
      `SELECT name, id_no FROM ${catalog}.main.customers`,
      `SELECT * FROM query('SELECT name, id_no FROM ma' || 'in.customers')`,
      `SELECT * FROM query_table('customers')`,
      `SELECT query_to_xml('SELECT name, id_no FROM pub' || 'lic.customers', false, false, '')`,
      `SELECT name FROM U&"publi\\0063".customers`,
      `SELECT pg_read_file('${join(FIXTURES, 'base', 'customers.csv')}')`,
      `SELECT lo_import('/etc/hostname')`,
      `SELECT left(id_no, 6) || replace(CAST(birth_date AS VARCHAR), '-', '') || right(id_no, 4) AS rebuilt FROM customers`,
      `SELECT value FROM quarantine`,
    ];
    for (const attack of attacks) {
      const res = await cli('sql', attack, '--db', db.target.location, '--json');
      const out = res.stdout + res.stderr;
      // C002 (born 1955-03-15): its ID number must not be rebuildable from the masked view either.
      expect([attack, /张三丰|王秀英|420222195503152007|13900000002|ENTERPRISE,2018/.test(out)]).toEqual([
        attack,
        false,
      ]);
    }
    const masked = await cli(
      'sql',
      `SELECT birth_date FROM customers WHERE customer_id = 'C002'`,
      '--db',
      db.target.location,
      '--json',
    );
    expect(JSON.parse(masked.stdout)).toEqual([{ birth_date: '1955-01-01' }]);
    expect(
      JSON.parse(
        (await cli('sql', 'SELECT count(*) AS n FROM payroll', '--db', db.target.location, '--json')).stdout,
      ),
    ).toEqual([{ n: 2 }]);
  });
});
