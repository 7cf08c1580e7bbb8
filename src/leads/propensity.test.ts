// The propensity score: logistic regression recovers a known model, and a season's leads are scored
// from the previous season's observed conversions on both engines — the prior alone without history.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { describeEachEngine, type TestDb } from '../../test/engines.js';
import { insertBank, markLoaded } from '../../test/hand-made.js';
import { loadSeasonConfig, parseSeasonConfig } from '../config/season.js';
import { runPipeline } from '../pipeline/runner.js';
import { fitLogistic } from './propensity.js';

/** A deterministic pseudo-random sequence in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

it('fits a logistic regression that recovers a known model', () => {
  const r = rng(7);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const x1 = r() * 4 - 2;
    const x2 = r() * 4 - 2;
    X.push([x1, x2]);
    y.push(r() < 1 / (1 + Math.exp(-(-1 + 2 * x1 - 0.5 * x2))) ? 1 : 0);
  }
  const fit = fitLogistic(X, y);
  expect(fit.intercept).toBeCloseTo(-1, 0);
  expect(fit.coefficients[0]).toBeGreaterThan(1.8);
  expect(fit.coefficients[0]).toBeLessThan(2.2);
  expect(fit.coefficients[1]).toBeGreaterThan(-0.7);
  expect(fit.coefficients[1]).toBeLessThan(-0.3);
});

// The activity mines C1 (x = 1) and C2 (x = 9). Last season (S = 2025-11-15) 100 leads with x = 0…9,
// ten each: those with x ≥ 5 converted 80 % of the time, the others 20 %.
const doc = JSON.parse(JSON.stringify(loadSeasonConfig())) as Record<string, unknown>;
doc.activities = [
  {
    id: 'SCORED',
    program: 'PAYMENT',
    name: { zh: '评分', en: 'Scored' },
    entity: 'CUSTOMER',
    owner: 'OUTLET',
    channels: ['POOL'],
    weight: '1',
    propensity_prior: '0.05',
    propensity_features: ['x'],
    value_per_conversion: '100',
    conversion: { event: 'WALLET_OPENED' },
    mine: "SELECT customer_id AS entity_id, customer_id, CASE customer_id WHEN 'C1' THEN 1 ELSE 9 END AS x FROM {{ref:customer_features}}",
    reason: { zh: 'x = {x}', en: 'x = {x}' },
  },
];
const config = parseSeasonConfig(stringify(doc), 'test season');

const past = Array.from({ length: 100 }, (_, i) => {
  const x = i % 10;
  const converted = x >= 5 ? i % 5 !== 0 : i % 5 === 0;
  return { id: 1000 + i, x, converted };
});

describeEachEngine('propensity from the previous season', (engine) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await engine.open();
    await insertBank(db, [
      [
        'orgs',
        'org_id, org_name, level, parent_id',
        ["('HQ', 'HQ', 'HQ', NULL)", "('O1', 'outlet', 'OUTLET', 'HQ')"],
      ],
      [
        'customers',
        'customer_id, birth_date, home_org_id, marketing_consent, dnd, customer_since',
        [
          "('C1', DATE '1980-01-01', 'O1', 'Y', 'N', DATE '2020-01-01')",
          "('C2', DATE '1980-01-01', 'O1', 'Y', 'N', DATE '2020-01-01')",
        ],
      ],
      [
        'leads',
        'lead_id, season_start, activity_id, entity_kind, entity_id, customer_id, holder_id, product_code, facts, created_facts, created_on, refreshed_on, status, status_on, propensity, value, weight, priority, is_control, service',
        past.map(
          (p) =>
            `(${p.id}, DATE '2025-11-15', 'SCORED', 'CUSTOMER', 'P${p.id}', NULL, NULL, NULL, '{}', '{"x":"${p.x}"}', DATE '2025-12-01', DATE '2025-12-01', '${p.converted ? 'CONVERTED' : 'EXPIRED'}', DATE '2026-01-01', 0.05, 100, 1, 5, FALSE, FALSE)`,
        ),
      ],
      [
        'conversions',
        'lead_id, season_start, activity_id, customer_id, event_kind, event_date, event_ref, is_control, service, task_id, credit_org_id, credit_staff_id, observed_on',
        past
          .filter((p) => p.converted)
          .map(
            (p) =>
              `(${p.id}, DATE '2025-11-15', 'SCORED', NULL, 'WALLET_OPENED', DATE '2025-12-20', 'W', FALSE, FALSE, NULL, NULL, NULL, DATE '2025-12-20')`,
          ),
      ],
    ]);
    await markLoaded(db, '2026-12-01');
    const run = await runPipeline(db, { asOf: '2026-12-01', config });
    expect(run.status, run.message ?? '').toBe('PUBLISHED');
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('scales the prior by the fitted score, keeping its average, and stores the model', async () => {
    const leads = await db.query<{ entity_id: string; propensity: string }>(
      "SELECT entity_id, propensity FROM leads WHERE season_start = DATE '2026-11-15' ORDER BY entity_id",
    );
    const [low, high] = leads.map((l) => Number(l.propensity));
    // Training: mean score 0.5; x = 9 scores about 0.8, x = 1 about 0.2 → about 0.08 and 0.02.
    expect(high).toBeGreaterThan(0.07);
    expect(high).toBeLessThan(0.1);
    expect(low).toBeGreaterThan(0.01);
    expect(low).toBeLessThan(0.03);
    const model = await db.query<{
      term: string;
      coefficient: number;
      training_leads: number;
      training_conversions: number;
    }>('SELECT term, coefficient, training_leads, training_conversions FROM propensity_models ORDER BY term');
    expect(model.map((m) => [m.term, m.training_leads, m.training_conversions])).toEqual([
      ['(intercept)', 100, 50],
      ['x', 100, 50],
    ]);
    expect(Number(model[1]?.coefficient)).toBeGreaterThan(0);
  });
});
