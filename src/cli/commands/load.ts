// wangji load DIR: load one drop and print its report (also written as a file beside the database).

import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { LoadReport } from '../../extracts/report.js';
import { auditedLoad } from '../../ops/audited.js';
import { type Output, renderTable } from '../output.js';
import { cliActor } from './users.js';

export interface LoadCommandOptions {
  delimiter?: string;
}

export async function loadCommand(
  target: DbTarget,
  dir: string,
  opts: LoadCommandOptions,
  out: Output,
): Promise<number> {
  const db = await openDb(target);
  let report: LoadReport;
  try {
    // Audited as LOAD, applied or failed.
    report = await auditedLoad(db, dir, {
      actor: cliActor(),
      delimiter: opts.delimiter,
      onProgress: (m) => out.progress(m),
    });
  } finally {
    await db.close();
  }
  // A report file that cannot be written (the disk the load failed on is full) must not hide the report.
  let file: string | null = null;
  let unwritten = '';
  try {
    file = writeReportFile(target, report);
  } catch (e) {
    unwritten = (e as Error).message.split('\n')[0] ?? '';
  }
  out.result({ ...report, reportFile: file }, () => [
    ...describeReport(report),
    '',
    file ? `报告 Report: ${file}` : `报告 Report: not written (${unwritten})`,
  ]);
  return report.status === 'APPLIED' ? 0 : 1;
}

/** The report file beside the database (DuckDB), or under ./data (PostgreSQL): load-<database>-<id>.json. */
export function writeReportFile(target: DbTarget, report: LoadReport): string {
  const base = target.kind === 'duckdb' ? dirname(resolve(target.location)) : resolve('data');
  const dir = join(base, 'load-reports');
  mkdirSync(dir, { recursive: true });
  // Named after the database too: load ids restart in every database.
  const db =
    target.kind === 'duckdb'
      ? basename(target.location).replace(/\.[^.]*$/, '')
      : new URL(target.location).pathname.slice(1) || 'postgres';
  const file = join(dir, `load-${db}-${report.loadId}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export function describeReport(r: LoadReport): string[] {
  const head = `载入 Load #${r.loadId} ${r.status === 'APPLIED' ? '已应用 APPLIED' : '失败 FAILED'} — ${r.sourceDir} (as of ${r.asOf})`;
  if (r.status === 'FAILED')
    return [head, `原因 Reason: ${r.message}`, '未应用任何数据 Nothing of this drop was applied.'];
  const rows: unknown[][] = r.files.map((f) => [
    f.file,
    f.encoding,
    f.read,
    f.loaded,
    f.quarantined,
    f.collapsed,
    f.inserted,
    f.updated,
    f.removed,
    f.unchanged,
    [
      ...Object.entries(f.warnings).map(([c, n]) => `${c}: ${n} unknown`),
      ...(f.extraColumns.length ? [`ignored columns: ${f.extraColumns.join(', ')}`] : []),
    ].join('; '),
  ]);
  rows.push([
    'total',
    '',
    r.totals.read,
    r.totals.loaded,
    r.totals.quarantined,
    r.totals.collapsed,
    null,
    null,
    null,
    null,
    '',
  ]);
  const lines = [
    head,
    '',
    ...renderTable(
      [
        'file',
        'encoding',
        'read',
        'loaded',
        'quarantined',
        'collapsed',
        'inserted',
        'updated',
        'removed',
        'unchanged',
        'warnings',
      ],
      rows,
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    ),
    '',
    `核对 Reconciliation: read ${r.totals.read} = loaded ${r.totals.loaded} + quarantined ${r.totals.quarantined} + collapsed ${r.totals.collapsed}`,
  ];
  if (r.quarantineSample.length) {
    lines.push(
      '',
      `隔离区 Quarantine (first ${r.quarantineSample.length}; all in table quarantine, load_id = ${r.loadId}):`,
      ...renderTable(
        ['file', 'line', 'column', 'value', 'reason'],
        r.quarantineSample.map((q) => [q.file, q.line, q.column, q.value, q.reason]),
      ),
    );
  }
  return lines;
}
