// wangji demo: the Quickstart's main job. Generates the synthetic bank on first run (or uses the one
// already in the folder), loads it, runs the season pipeline for its data date, and prints both reports
// and the headline: the bank's and branches' measures and the segment sizes.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { appendAudit } from '../../audit/log.js';
import type { SeasonConfig } from '../../config/season.js';
import type { DbTarget } from '../../db/open.js';
import { openDb } from '../../db/open.js';
import type { Db } from '../../db/types.js';
import type { LoadReport } from '../../extracts/report.js';
import { generateBank } from '../../generator/bank.js';
import { makeDemoTargets } from '../../kpis/demoTargets.js';
import { auditedLoad, auditedRun } from '../../ops/audited.js';
import { readSeasonFile, type SeasonFile } from '../../ops/season.js';
import type { RunReport } from '../../pipeline/runner.js';
import { buildBriefing } from '../../reports/briefing.js';
import { writeBriefingXlsx } from '../../reports/xlsx.js';
import { type DemoUser, seedDemoUsers } from '../../server/auth/demoUsers.js';
import type { Output } from '../output.js';
import { describeHeadline, type Headline, readHeadline } from './headline.js';
import { describeReport, writeReportFile } from './load.js';
import { describeRun } from './run.js';

const DEMO_ACTOR = 'cli:demo';

export interface DemoOptions {
  sample: string;
  customers: number;
  seed: number;
  asOf: string;
  /** End by serving the API (the Quickstart); false for scripts and tests. */
  serve?: boolean;
  port?: number;
}

export async function demoCommand(target: DbTarget, o: DemoOptions, out: Output): Promise<number> {
  if (existsSync(join(o.sample, 'manifest.json'))) {
    out.progress(`使用已有数据 Using the bank already in ${o.sample}`);
  } else {
    out.progress(
      `生成模拟银行 Generating a bank of ${o.customers.toLocaleString('en-US')} customers (seed ${o.seed}, as of ${o.asOf}) in ${o.sample}`,
    );
    await generateBank({
      customers: o.customers,
      seed: o.seed,
      asOf: o.asOf,
      out: o.sample,
      onProgress: (m) => out.progress(m),
    });
  }
  const season = readSeasonFile();
  const db = await openDb(target);
  let load: LoadReport;
  let run: RunReport | null = null;
  let headline: Headline | null = null;
  let briefingFile: string | null = null;
  let signIns: DemoUser[] = [];
  try {
    // The demo's loads, runs and targets are audited like the commands' (actor cli:demo).
    load = await auditedLoad(db, o.sample, { actor: DEMO_ACTOR, onProgress: (m) => out.progress(m) });
    if (load.status === 'APPLIED') {
      run = await auditedRun(db, {
        actor: DEMO_ACTOR,
        asOf: load.asOf,
        season,
        onProgress: (m) => out.progress(m),
      });
      if (run.status === 'PUBLISHED') {
        headline = await readHeadline(db, run.asOf);
        briefingFile = await writeDemoBriefing(db, season, run.asOf, target, out);
        signIns = await seedDemoUsers(db, { actor: DEMO_ACTOR });
      }
    }
  } finally {
    await db.close();
  }
  const file = writeReportFile(target, load);
  out.result({ load: { ...load, reportFile: file }, run, headline, briefingFile, signIns }, () => [
    ...describeReport(load),
    '',
    `报告 Report: ${file}`,
    ...(run ? ['', ...describeRun(run)] : []),
    ...(headline ? ['', ...describeHeadline(headline)] : []),
    ...(briefingFile ? ['', `本周通报 This week's briefing: ${briefingFile}`] : []),
    ...(signIns.length ? ['', ...describeSignIns(signIns)] : []),
  ]);
  const ok = load.status === 'APPLIED' && run?.status === 'PUBLISHED';
  if (!ok) return 1;
  if (o.serve === false) return 0;
  const { serveCommand } = await import('./serve.js');
  return serveCommand(target, { port: o.port ?? 3000, host: '127.0.0.1' }, out);
}

/** The demo sign-ins: passwords are shown once, when the user is made (a rerun shows none). */
function describeSignIns(users: DemoUser[]): string[] {
  const w = Math.max(...users.map((u) => u.username.length));
  return [
    '演示账号 Demo sign-ins (passwords are shown once; `wangji users reset NAME` makes a new one):',
    ...users.map(
      (u) =>
        `  ${u.username.padEnd(w)}  ${(u.password ?? '(set before)').padEnd(22)}  ${u.role} @ ${u.orgId}${u.staffId ? ` / ${u.staffId}` : ''}`,
    ),
  ];
}

/**
 * The current week's briefing (as of the data date) beside the database: demo targets first when the
 * season has none (split down to staff), then the KPIs republished with them.
 */
async function writeDemoBriefing(
  db: Db,
  season: SeasonFile,
  asOf: string,
  target: DbTarget,
  out: Output,
): Promise<string | null> {
  const config: SeasonConfig = season.config;
  const made = await makeDemoTargets(db, config, asOf);
  if (made > 0) {
    await appendAudit(db, {
      actor: DEMO_ACTOR,
      action: 'TARGETS_LOAD',
      subject: null,
      detail: { source: 'demo targets: HQ down to staff by customers', targets: made },
    });
    out.progress(`演示目标 Demo targets: ${made} set, HQ down to staff by customers`);
    const rerun = await auditedRun(db, { actor: DEMO_ACTOR, asOf, season, stage: 'kpis' });
    if (rerun.status !== 'PUBLISHED') return null;
  }
  const base = target.kind === 'duckdb' ? dirname(resolve(target.location)) : resolve('data');
  mkdirSync(join(base, 'briefings'), { recursive: true });
  const file = join(base, 'briefings', `weekly-${asOf}.xlsx`);
  await writeBriefingXlsx(await buildBriefing(db, config, { asOf, level: 'BRANCH' }), 'zh', file);
  return file;
}
