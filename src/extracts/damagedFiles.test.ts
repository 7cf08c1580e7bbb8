// Files damaged the ways test/reliability/fuzz-extracts.test.ts found the loader mishandling them,
// each loaded on top of the base drop on both engines: the outcome the contract promises, exactly.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { PACKAGE_ROOT } from '../paths.js';
import { EXTRACT_BY_NAME } from './contract.js';
import { type DropFile, firstLine, matchColumns, normaliseCsv, scanFile } from './files.js';
import { loadDrop } from './loader.js';
import type { LoadReport } from './report.js';

const TODAY = '2026-11-28';
const BASE = join(PACKAGE_ROOT, 'test', 'fixtures', 'base');
const PAYROLL_HEADER = 'payroll_id,employer_id,project_code,customer_id,account_id,pay_date,amount';
const pay = (id: string, project = 'E001-P1') =>
  `${id},E001,${project},C001,6228480000000000018,2026-11-10,100.00`;

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'wangji-damaged-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A drop of one file with these bytes. */
function drop(file: string, bytes: Buffer | string): string {
  const dir = join(work, `drop-${++n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  writeFileSync(join(dir, file), bytes);
  return dir;
}

function only(r: LoadReport) {
  expect(r.status, r.message ?? '').toBe('APPLIED');
  const f = r.files[0];
  if (!f) throw new Error('no file report');
  expect(f.read).toBe(f.loaded + f.quarantined + f.collapsed);
  return f;
}

describeEachEngine('damaged files', (engine) => {
  // One database for the file: each case loads payroll rows of its own, or puts back what it replaced.
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    expect((await loadDrop(db, BASE, { today: TODAY })).status).toBe('APPLIED');
  });
  afterAll(async () => db?.close());
  const load = (dir: string) => loadDrop(db, dir, { today: TODAY });
  const quarantine = (id: number) =>
    db.query<{ line: number; column_name: string | null; value: string | null; reason: string }>(
      'SELECT line, column_name, value, reason FROM quarantine WHERE load_id = $1 ORDER BY line, column_name',
      [id],
    );

  it('a refused org whose subtree holds a collapsed repeat: the repeat is counted once, as collapsed', async () => {
    // Was: "load failed: orgs.csv: 8 read ≠ 3 loaded + 5 quarantined + 1 collapsed".
    const orgs = readFileSync(join(BASE, 'orgs.csv'), 'utf8')
      .replace('BR01,武汉分行,BRANCH,HQ', 'BR01,武汉分行,NOT_A_LEVEL,HQ')
      .concat('BR01S1O1,江岸网点,OUTLET,BR01S1,420102\n');
    const r = await load(drop('orgs.csv', orgs));
    expect(only(r)).toMatchObject({ read: 7, loaded: 2, quarantined: 4, collapsed: 1 });
    const subtree = 'refers to a row refused in this file';
    expect((await quarantine(r.loadId)).map((q) => [q.line, q.reason])).toEqual([
      [4, expect.stringMatching(/^not one of HQ, BRANCH/)],
      [5, subtree],
      [6, subtree],
      [7, subtree],
    ]);
    // The base snapshot back, for the cases after this one.
    expect((await load(drop('orgs.csv', readFileSync(join(BASE, 'orgs.csv'))))).status).toBe('APPLIED');
  });

  it('NUL bytes: the value or record is quarantined on both engines, shown as ␀', async () => {
    // Was, on PostgreSQL: the whole file refused ("invalid byte sequence for encoding UTF8: 0x00").
    const csv = `${PAYROLL_HEADER}\n${pay('P901', 'E0\0')}\n\0\n${pay('P903')}\n`;
    const r = await load(drop('payroll.csv', csv));
    expect(only(r)).toMatchObject({ read: 3, loaded: 1, quarantined: 2 });
    expect((await quarantine(r.loadId)).map((q) => [q.line, q.column_name, q.value, q.reason])).toEqual([
      [2, 'project_code', 'E0␀', 'contains a NUL character'],
      [3, null, '␀', expect.stringMatching(/^unreadable record: MISSING COLUMNS/)],
    ]);
  });

  it('mixed line ends (LF, CRLF, a CR alone) and CR-only files load every record', async () => {
    // Was: "unreadable file (Invalid Input Error: The CSV Parser state machine reached an invalid state.)",
    // and a CR-only file was one header line ("missing column amount (header: …the whole file…)").
    const mixed = `${PAYROLL_HEADER}\n${pay('P911')}\r\n${pay('P912')}\r${pay('P913', '"a\r\nb"')}\n${pay('P914')}`;
    const r = await load(drop('payroll.csv', mixed));
    expect(only(r)).toMatchObject({ read: 4, loaded: 4, quarantined: 0 });
    expect(await db.query(`SELECT project_code FROM payroll WHERE payroll_id = 'P913'`)).toEqual([
      { project_code: 'a\r\nb' },
    ]);
    const cr = `${PAYROLL_HEADER}\r${pay('P921')}\r${pay('P922')}\r`;
    expect(only(await load(drop('payroll.csv', cr)))).toMatchObject({ read: 2, loaded: 2 });
  });

  it('empty lines do not shift the line numbers of unreadable records, nor make one look like a runaway quote', async () => {
    // Was: the reader counted the empty lines in a rejected record's line (line 23 in a file of 22
    // records, or two quarantined records on one line), and put their line ends into its raw text —
    // which the unterminated-quote check then took for a quote swallowing the rest of the file.
    const csv = [
      PAYROLL_HEADER,
      pay('P971'),
      '',
      'x',
      '',
      '',
      pay('P972'),
      'P973,E001',
      '',
      pay('P974', '"E0"x'),
      pay('P975'),
      '',
    ];
    const r = await load(drop('payroll.csv', csv.join('\n')));
    expect(only(r)).toMatchObject({ read: 6, loaded: 3, quarantined: 3 });
    expect((await quarantine(r.loadId)).map((q) => [q.line, q.value, q.reason.replace(/:.*/, '')])).toEqual([
      [3, 'x', 'unreadable record'],
      [5, 'P973,E001', 'unreadable record'],
      [6, expect.stringMatching(/^P974,/), 'unreadable record'],
    ]);
    expect(await db.query(`SELECT payroll_id FROM payroll WHERE payroll_id LIKE 'P97%' ORDER BY 1`)).toEqual([
      { payroll_id: 'P971' },
      { payroll_id: 'P972' },
      { payroll_id: 'P975' },
    ]);
  });

  it('a BOM at the start of a record (files concatenated) is not part of the key', async () => {
    const p001 = readFileSync(join(BASE, 'payroll.csv'), 'utf8').split('\n')[1];
    const csv = `${PAYROLL_HEADER}\n${pay('P931')}\n\uFEFF${p001}\n`;
    const r = await load(drop('payroll.csv', csv));
    expect(only(r)).toMatchObject({ read: 2, loaded: 2, inserted: 1, unchanged: 1 });
    expect(await db.query(`SELECT count(*) AS n FROM payroll WHERE payroll_id LIKE '%P001%'`)).toEqual([
      { n: 1 },
    ]);
  });

  it('a file cut off inside its last character: the cut record is quarantined, the rest loads', async () => {
    // Was: the drop refused as "mixes UTF-8 with bytes of another encoding (1 undecodable)".
    const csv = Buffer.from(`${PAYROLL_HEADER}\n${pay('P941')}\n${pay('P942', '江岸')}`);
    const cut = csv.indexOf(Buffer.from('岸')) + 2;
    const r = await load(drop('payroll.csv', csv.subarray(0, cut)));
    expect(only(r)).toMatchObject({ encoding: 'UTF-8', read: 2, loaded: 1, quarantined: 1 });
    expect((await quarantine(r.loadId)).map((q) => [q.line, q.reason])).toEqual([
      [3, expect.stringMatching(/^unreadable record: .*(INVALID ENCODING|MISSING COLUMNS)/)],
    ]);
  });

  it('a record over 2 MB of Chinese text is quarantined, not the whole file refused', async () => {
    // Was: "unreadable file (Invalid Input Error: Invalid unicode (byte sequence mismatch) …)": the
    // reader keeps 10,000 bytes of an over-long record, cut inside a character.
    const csv = `${PAYROLL_HEADER}\n${pay('P951')}\n${pay('P952', `x${'名'.repeat(1 << 20)}`)}\n${pay('P953')}\n`;
    const r = await load(drop('payroll.csv', csv));
    expect(only(r)).toMatchObject({ read: 3, loaded: 2, quarantined: 1 });
    const [q] = await quarantine(r.loadId);
    expect(q?.reason).toMatch(/^unreadable record: LINE SIZE OVER MAXIMUM/);
    expect(q?.value?.startsWith('P952,E001,x???')).toBe(true);
  });

  it('a corrupt manifest with NUL bytes: refused in one printable line, recorded in the ledger', async () => {
    // Was, on PostgreSQL: loadDrop rejected — the FAILED load could not be recorded ("invalid byte
    // sequence for encoding UTF8: 0x00"), JSON.parse having quoted the NULs in its message.
    const dir = drop('payroll.csv', `${PAYROLL_HEADER}\n${pay('P961')}\n`);
    writeFileSync(join(dir, 'manifest.json'), Buffer.from('\u00ff\0\0 {"as_of": "2026-11-28"', 'latin1'));
    const r = await load(dir);
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(/^manifest\.json: not valid JSON \(/);
    expect(r.message).not.toMatch(/\p{Cc}/u);
    expect(await db.query('SELECT status, message FROM loads WHERE load_id = $1', [r.loadId])).toEqual([
      { status: 'FAILED', message: r.message },
    ]);
  });

  it('a header row lost: the message names the missing columns and none of the first record’s personal data', async () => {
    const customers = readFileSync(join(BASE, 'customers.csv'), 'utf8').split('\n').slice(1).join('\n');
    const r = await load(drop('customers.csv', customers));
    expect(r.status).toBe('FAILED');
    expect(r.message).toMatch(
      /^customers\.csv: missing columns customer_id, name, .* \(header: c001,\(3 characters\),id_card,\(18 characters\),m,/,
    );
    for (const personal of ['张三丰', '420102199001011009', '13800000001'])
      expect(r.message).not.toContain(personal);
  });
});

describe('files', () => {
  const csvFile = (name: string, bytes: string | Buffer): DropFile => {
    const path = join(work, name);
    writeFileSync(path, bytes);
    return { extract: EXTRACT_BY_NAME.get('payroll') as never, path, name, format: 'csv' };
  };

  it('scanFile: only mixed line ends, a CR alone or a very long line need the rewrite', async () => {
    const cases: [string, string | Buffer, boolean][] = [
      ['lf', 'a\nb\n', false],
      ['crlf', 'a\r\nb\r\n', false],
      ['lf-crlf', 'a\nb\r\n', true],
      ['cr', 'a\rb\r', true],
      ['cr-end', 'a\nb\r', true],
      ['long', `a\n${'x'.repeat(1_100_000)}\n`, true],
      ['long-lines', `${'x'.repeat(900_000)}\n`.repeat(3), false],
      ['blank', 'a\n\nb\n', true],
      ['blank-crlf', 'a\r\n\r\nb\r\n', true],
    ];
    for (const [name, text, normalise] of cases)
      expect([name, (await scanFile(csvFile(`${name}.csv`, text))).normalise]).toEqual([name, normalise]);
  });

  it('normaliseCsv: line ends outside quotes become LF, quoted values and the rest stay byte for byte', async () => {
    const src = csvFile('n.csv', 'h1,h2\r\na,"x\r\ny"\rb,"say ""hi""\n"\n\nc,d"e\r\n');
    const out = join(work, 'n.out.csv');
    await normaliseCsv(src.path, out, ',');
    expect(readFileSync(out, 'utf8')).toBe('h1,h2\na,"x\r\ny"\nb,"say ""hi""\n"\nc,d"e\n');
    // Empty lines are left out, except before the header (a file starting with one is refused).
    writeFileSync(src.path, '\nh\n\n\r\na\n\n');
    await normaliseCsv(src.path, out, ',');
    expect(readFileSync(out, 'utf8')).toBe('\nh\na\n');
  });

  it('firstLine: a reader error carrying a corrupt file’s bytes is one printable line', () => {
    // A flipped Parquet byte gave "unreadable Parquet file (Invalid Error: don't know what type: \r)".
    expect(firstLine("Invalid Error: don't know what type: \r\0\nmore")).toBe(
      "Invalid Error: don't know what type: ??",
    );
    expect(firstLine('x'.repeat(400))).toHaveLength(300);
  });

  it('matchColumns: a header of personal values is shown by lengths only', () => {
    const f = { extract: EXTRACT_BY_NAME.get('staff'), name: 'staff.csv' } as DropFile;
    expect(() => matchColumns(f, ['s001', '李娜', '13800000001'])).toThrow(
      /missing columns .* \(header: s001,\(2 characters\),\(11 characters\)\)$/,
    );
  });
});
