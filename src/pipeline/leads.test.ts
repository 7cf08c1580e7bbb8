// Activities as configuration and what they mine (PLAYBOOK.md step 1): the season file's activities
// are validated field by field, every default activity mines candidates on a generated bank of
// 20,000 customers, and reasons are written the same way whatever the engine.

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { duckdbEngine, type TestDb } from '../../test/engines.js';
import { type Activity, loadSeasonConfig, parseSeasonConfig } from '../config/season.js';
import { loadDrop } from '../extracts/loader.js';
import { generateBank } from '../generator/bank.js';
import { formatYuan, leadReason, writeReason } from './models/leads/lead_candidates.js';
import { runPipeline } from './runner.js';

const config = loadSeasonConfig();

it('formats money in reasons exactly, with separators', () => {
  expect(formatYuan('96500')).toBe('96,500.00');
  expect(formatYuan('1234567.125')).toBe('1,234,567.13');
  expect(formatYuan('-0.004')).toBe('0.00');
  expect(formatYuan('84.0000000000')).toBe('84.00');
});

it('writes reasons from the rule’s columns, leaving out a [part] whose column is empty', () => {
  const t = '[汇款 {amount:yuan} 元][合作名单 {source}][；意向 {target}]，平均 {avg:num}';
  expect(writeReason('X', t, { amount: '96500.5', source: null, target: null, avg: '83.3300000000' })).toBe(
    '汇款 96,500.50 元，平均 83.33',
  );
  expect(writeReason('X', t, { amount: null, source: '国际学校', target: 'Kyoto', avg: '84' })).toBe(
    '合作名单 国际学校；意向 Kyoto，平均 84',
  );
  expect(() => writeReason('X', '{missing}', {})).toThrow(/activity X: its reason names \{missing\}/);
});

describe('activities in the season file', () => {
  const base = parseSeasonConfig(stringify(loadDefault()));
  function loadDefault(): Record<string, unknown> {
    // The default file as plain data, to edit in the tests.
    return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  }
  const withActivities = (edit: (a: Record<string, unknown>[]) => void) => {
    const doc = loadDefault();
    edit(doc.activities as Record<string, unknown>[]);
    return () => parseSeasonConfig(stringify(doc), 'season.yaml');
  };

  it('ships every default activity of PLAYBOOK.md', () => {
    expect(base.activities.map((a) => a.id)).toEqual([
      'PAYROLL_GIFT',
      'EMPLOYER_VISIT',
      'PAYROLL_CHURN',
      'SSC_GEN3',
      'PENSION_SWITCH',
      'SILVER_WEALTH',
      'MINOR_ACCOUNT',
      'CROSS_BORDER_TUITION',
      'AUTO_DEBIT',
      'MERCHANT_GROWTH',
      'MERCHANT_PRICING',
      'COUNTY_DEBIT',
      'COUNTY_CREDIT',
      'COUNTY_APP',
      'ECNY_WALLET',
    ]);
    expect(base.activities.find((a) => a.id === 'SSC_GEN3')?.min_age).toBe(16);
    expect(base.activities.find((a) => a.id === 'EMPLOYER_VISIT')?.service).toBe(true);
  });

  it('refuses an invalid activity with a message naming the field', () => {
    expect(
      withActivities((a) => {
        (a[0] as { channels: string[] }).channels = ['FAX'];
      }),
    ).toThrow(/season\.yaml: activities\.0\.channels\.0: /);
    expect(
      withActivities((a) => {
        (a[2] as { propensity_prior: string }).propensity_prior = '5';
      }),
    ).toThrow(/activities\.2\.propensity_prior: must be a fraction/);
    expect(
      withActivities((a) => {
        delete (a[1] as { mine?: string }).mine;
      }),
    ).toThrow(/activities\.1\.mine: /);
    expect(
      withActivities((a) => {
        a.push({ ...(a[0] as object) });
      }),
    ).toThrow(/activities: activity ids must be unique/);
  });
});

describe('every default activity mines candidates on a generated bank of 20,000 customers [duckdb]', () => {
  let work: string;
  let db: TestDb;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'wangji-leads-'));
    await generateBank({ customers: 20_000, seed: 2, asOf: '2027-01-20', out: work });
    db = await duckdbEngine.open();
    await loadDrop(db, work);
    // Leads are created on 01-10 and carried on to 01-20.
    for (const asOf of ['2027-01-10', '2027-01-20']) {
      const run = await runPipeline(db, { asOf, config });
      expect(run.status, run.message ?? '').toBe('PUBLISHED');
    }
  }, 240_000);
  afterAll(async () => {
    await db?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives each activity candidates, with facts its reasons are written from in both languages', async () => {
    const rows = await db.query<{ activity_id: string; n: number }>(
      'SELECT activity_id, CAST(count(*) AS INTEGER) AS n FROM lead_candidates GROUP BY activity_id',
    );
    const counts = Object.fromEntries(rows.map((r) => [r.activity_id, r.n]));
    for (const a of config.activities) expect([a.id, (counts[a.id] ?? 0) > 0]).toEqual([a.id, true]);
    const sample = await db.query<{ activity_id: string; facts: string }>(
      `SELECT activity_id, facts FROM lead_candidates WHERE entity_id LIKE '%1'`,
    );
    for (const c of sample) {
      const a = config.activities.find((x) => x.id === c.activity_id);
      expect(a).toBeDefined();
      for (const lang of ['zh', 'en'] as const)
        expect(leadReason(a as Activity, c.facts, lang)).not.toMatch(/—|\{/);
    }
    expect(sample.length).toBeGreaterThan(100);
  });

  it('writes the reason a person reads from the facts', async () => {
    const [c] = await db.query<{ facts: string }>(
      `SELECT facts FROM lead_candidates WHERE activity_id = 'SILVER_WEALTH' ORDER BY entity_id LIMIT 1`,
    );
    const facts = JSON.parse(c?.facts ?? '{}') as { age: string; deposits_d: string };
    const a = config.activities.find((x) => x.id === 'SILVER_WEALTH') as Activity;
    expect(leadReason(a, c?.facts ?? '{}', 'zh')).toBe(
      `${facts.age} 岁，存款 ${formatYuan(facts.deposits_d)} 元，未持有理财、基金或保险`,
    );
    expect(Number(facts.deposits_d)).toBeGreaterThanOrEqual(50_000);
    expect(Number(facts.age)).toBeGreaterThanOrEqual(60);
  });

  it('mines employers, merchants and prospects as their own entities, minors through their guardian', async () => {
    const kinds = await db.query<{ activity_id: string; entity_kind: string }>(
      'SELECT DISTINCT activity_id, entity_kind FROM lead_candidates ORDER BY 1, 2',
    );
    const of = (id: string) => kinds.filter((k) => k.activity_id === id).map((k) => k.entity_kind);
    expect(of('EMPLOYER_VISIT')).toEqual(['EMPLOYER']);
    expect(of('PAYROLL_CHURN')).toEqual(['CUSTOMER', 'EMPLOYER']);
    expect(of('CROSS_BORDER_TUITION')).toEqual(['CUSTOMER', 'PROSPECT']);
    expect(of('MERCHANT_PRICING')).toEqual(['MERCHANT']);
    // MINOR_ACCOUNT: the entity is the minor, the person contacted a guardian of that minor.
    const [bad] = await db.query<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM lead_candidates l
        WHERE l.activity_id = 'MINOR_ACCOUNT'
          AND NOT EXISTS (SELECT 1 FROM relationships r
                           WHERE r.customer_id = l.customer_id AND r.related_customer_id = l.entity_id AND r.relation = 'GUARDIAN_OF')`,
    );
    expect(bad?.n).toBe(0);
  });

  it('makes leads of every default activity, and routes every treated one', async () => {
    const rows = await db.query<{ activity_id: string; leads: number; tasks: number; control: number }>(
      `SELECT l.activity_id, CAST(count(*) AS INTEGER) AS leads, CAST(count(t.task_id) AS INTEGER) AS tasks,
              CAST(sum(CASE WHEN l.is_control THEN 1 ELSE 0 END) AS INTEGER) AS control
         FROM leads l LEFT JOIN tasks t ON t.lead_id = l.lead_id GROUP BY l.activity_id`,
    );
    const by = Object.fromEntries(rows.map((r) => [r.activity_id, r]));
    for (const a of config.activities) {
      expect([a.id, (by[a.id]?.leads ?? 0) > 0]).toEqual([a.id, true]);
      // Control leads are recorded, never routed; every other lead has exactly one task.
      expect([a.id, by[a.id]?.tasks]).toEqual([a.id, (by[a.id]?.leads ?? 0) - (by[a.id]?.control ?? 0)]);
    }
    expect(by.EMPLOYER_VISIT?.control).toBe(0); // a service task has no holdout
  });

  it('draws the 5 % control group from sha256("<activity>:<entity>"), stable across runs', async () => {
    const leads = await db.query<{
      lead_id: number;
      activity_id: string;
      entity_id: string;
      is_control: boolean;
      service: boolean;
      created_on: string;
    }>('SELECT lead_id, activity_id, entity_id, is_control, service, created_on FROM leads');
    const bucket = (s: string) =>
      Number(createHash('sha256').update(s, 'utf8').digest().readBigUInt64BE(0) % 10000n);
    const control = leads.filter((l) => !l.service && bucket(`${l.activity_id}:${l.entity_id}`) < 500);
    expect(
      leads
        .filter((l) => l.is_control)
        .map((l) => l.lead_id)
        .sort(),
    ).toEqual(control.map((l) => l.lead_id).sort());
    expect(control.length / leads.length).toBeGreaterThan(0.03);
    expect(control.length / leads.length).toBeLessThan(0.07);
    const holdouts = await db.query<{ lead_id: number; bucket: number }>(
      'SELECT lead_id, bucket FROM lead_holdouts',
    );
    expect(holdouts.length).toBe(control.length);
    const byId = new Map(leads.map((l) => [l.lead_id, l]));
    for (const h of holdouts.slice(0, 200)) {
      const l = byId.get(h.lead_id);
      expect(h.bucket).toBe(bucket(`${l?.activity_id}:${l?.entity_id}`));
    }
    // Leads of the first run kept their creation date; a rerun changes nothing.
    expect(leads.some((l) => l.created_on === '2027-01-10')).toBe(true);
    const before = await db.query('SELECT * FROM leads ORDER BY lead_id');
    const run = await runPipeline(db, { asOf: '2027-01-20', config });
    expect(run.status).toBe('PUBLISHED');
    expect(await db.query('SELECT * FROM leads ORDER BY lead_id')).toEqual(before);
  });

  it('publishes uplift per activity with its interval, and the budgets', async () => {
    const u = await db.query<{
      activity_id: string;
      scope: string;
      status: string;
      treated_leads: number;
      control_leads: number;
    }>("SELECT activity_id, scope, status, treated_leads, control_leads FROM uplift WHERE scope = 'TO_DATE'");
    expect(u.find((r) => r.activity_id === 'SSC_GEN3')).toMatchObject({ status: 'OK' });
    expect(u.find((r) => r.activity_id === 'EMPLOYER_VISIT')).toBeUndefined(); // a service: no uplift
    const [b] = await db.query<{ n: number }>(
      "SELECT CAST(count(*) AS INTEGER) AS n FROM budgets WHERE kind = 'POINTS'",
    );
    expect(b?.n).toBeGreaterThan(0);
  });

  it('mines nothing outside the season', async () => {
    const run = await runPipeline(db, { asOf: '2026-10-31', config });
    expect(run.status).toBe('PUBLISHED');
    const [n] = await db.query<{ n: number }>('SELECT CAST(count(*) AS INTEGER) AS n FROM lead_candidates');
    expect(n?.n).toBe(0);
  });
});
