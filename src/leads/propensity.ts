// Propensity (PLAYBOOK.md step 2): the activity's configured base rate (propensity_prior), scaled by a
// transparent logistic score over named facts of its rule (propensity_features) once a past season's
// conversions exist. The model of a season is fitted once, at its first run, on the earlier seasons'
// marketing leads of the activity (facts as they were at creation, converted or not), and stored term by
// term in propensity_models:
//   propensity = min(1, prior × σ(b₀ + Σ bₖ (xₖ − meanₖ) / sdₖ) / mean_score)
// so that the average over the training leads stays the prior while the ranking follows the facts.
// A missing fact counts as its mean. Without «30» conversions and «30» non-conversions to learn from,
// the prior alone is used.

import type { SeasonConfig } from '../config/season.js';
import { quoteString } from '../db/dialect.js';
import type { Db } from '../db/types.js';

export const MIN_CLASS = 30;
const MAX_TRAINING = 200_000;

export interface PropensityModel {
  activityId: string;
  prior: string;
  features: string[];
  intercept: number;
  coefficients: number[];
  means: number[];
  sds: number[];
  meanScore: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Solve A x = b (small, symmetric positive definite) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs((M[r] as number[])[c] as number) > Math.abs((M[p] as number[])[c] as number)) p = r;
    [M[c], M[p]] = [M[p] as number[], M[c] as number[]];
    const pivot = (M[c] as number[])[c] as number;
    for (let r = c + 1; r < n; r++) {
      const f = ((M[r] as number[])[c] as number) / pivot;
      for (let k = c; k <= n; k++)
        (M[r] as number[])[k] = ((M[r] as number[])[k] as number) - f * ((M[c] as number[])[k] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = (M[r] as number[])[n] as number;
    for (let k = r + 1; k < n; k++) s -= ((M[r] as number[])[k] as number) * (x[k] as number);
    x[r] = s / ((M[r] as number[])[r] as number);
  }
  return x;
}

/**
 * Logistic regression by Newton's method (iteratively reweighted least squares) with a small ridge on
 * the coefficients (not the intercept), which keeps a separable or constant feature finite.
 */
export function fitLogistic(
  X: number[][],
  y: number[],
  ridge = 1e-2,
  iterations = 30,
): { intercept: number; coefficients: number[] } {
  const k = X[0]?.length ?? 0;
  let beta = new Array<number>(k + 1).fill(0);
  for (let it = 0; it < iterations; it++) {
    const H = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
    const g = new Array<number>(k + 1).fill(0);
    for (let i = 0; i < X.length; i++) {
      const row = [1, ...(X[i] as number[])];
      const p = sigmoid(row.reduce((s, v, j) => s + v * (beta[j] as number), 0));
      const w = p * (1 - p);
      for (let a = 0; a <= k; a++) {
        g[a] = (g[a] as number) + ((y[i] as number) - p) * (row[a] as number);
        for (let b = 0; b <= k; b++)
          (H[a] as number[])[b] =
            ((H[a] as number[])[b] as number) + w * (row[a] as number) * (row[b] as number);
      }
    }
    for (let a = 1; a <= k; a++) {
      g[a] = (g[a] as number) - ridge * (beta[a] as number);
      (H[a] as number[])[a] = ((H[a] as number[])[a] as number) + ridge;
    }
    const step = solve(H, g);
    beta = beta.map((v, j) => v + (step[j] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return { intercept: beta[0] as number, coefficients: beta.slice(1) };
}

/** A fact of a JSON facts column as a number: true/false as 1/0; NULL when absent or not a number. */
function factNumber(db: Db, facts: string, key: string): string {
  const v = db.dialect.jsonText(facts, key);
  return `(CASE WHEN ${v} = 'true' THEN 1.0 WHEN ${v} = 'false' THEN 0.0
             WHEN ${db.dialect.fullMatch(v, '-?[0-9]+(\\.[0-9]+)?')} THEN CAST(${v} AS FLOAT8) END)`;
}

/** The models of D's season: loaded when fitted already, else fitted now from earlier seasons (and stored). */
export async function propensityModels(
  db: Db,
  config: SeasonConfig,
  seasonStart: string,
  asOf: string,
): Promise<PropensityModel[]> {
  const models: PropensityModel[] = [];
  for (const a of config.activities) {
    const features = a.propensity_features ?? [];
    if (!features.length || a.service) continue;
    const stored = await db.query<{
      term: string;
      coefficient: number;
      mean: number | null;
      sd: number | null;
      mean_score: number;
    }>(
      'SELECT term, coefficient, mean, sd, mean_score FROM propensity_models WHERE season_start = CAST($1 AS DATE) AND activity_id = $2',
      [seasonStart, a.id],
    );
    const byTerm = new Map(stored.map((s) => [s.term, s]));
    if (stored.length && features.every((f) => byTerm.has(f))) {
      models.push({
        activityId: a.id,
        prior: a.propensity_prior,
        features,
        intercept: Number(byTerm.get('(intercept)')?.coefficient ?? 0),
        coefficients: features.map((f) => Number(byTerm.get(f)?.coefficient)),
        means: features.map((f) => Number(byTerm.get(f)?.mean)),
        sds: features.map((f) => Number(byTerm.get(f)?.sd)),
        meanScore: Number(stored[0]?.mean_score),
      });
      continue;
    }
    const rows = await db.query<Record<string, number | null>>(
      `SELECT CASE WHEN c.lead_id IS NULL THEN 0 ELSE 1 END AS y,
              ${features.map((f, i) => `${factNumber(db, 'l.created_facts', f)} AS x${i}`).join(', ')}
         FROM leads l LEFT JOIN conversions c ON c.lead_id = l.lead_id
        WHERE l.activity_id = $1 AND l.season_start < CAST($2 AS DATE) AND NOT l.service
        ORDER BY l.lead_id LIMIT ${MAX_TRAINING}`,
      [a.id, seasonStart],
    );
    const y = rows.map((r) => Number(r.y));
    const positives = y.filter((v) => v === 1).length;
    if (positives < MIN_CLASS || y.length - positives < MIN_CLASS) continue;
    const raw = rows.map((r) => features.map((_, i) => (r[`x${i}`] === null ? null : Number(r[`x${i}`]))));
    const means = features.map((_, i) => {
      const vs = raw.map((r) => r[i]).filter((v): v is number => v !== null);
      return vs.length ? vs.reduce((s, v) => s + v, 0) / vs.length : 0;
    });
    const sds = features.map((_, i) => {
      const vs = raw.map((r) => r[i]).filter((v): v is number => v !== null);
      const m = means[i] as number;
      const sd = vs.length > 1 ? Math.sqrt(vs.reduce((s, v) => s + (v - m) ** 2, 0) / (vs.length - 1)) : 0;
      return sd > 0 ? sd : 1;
    });
    const X = raw.map((r) =>
      r.map((v, i) => (v === null ? 0 : (v - (means[i] as number)) / (sds[i] as number))),
    );
    const fit = fitLogistic(X, y);
    const meanScore =
      X.reduce(
        (s, row) =>
          s + sigmoid(fit.intercept + row.reduce((t, v, j) => t + v * (fit.coefficients[j] as number), 0)),
        0,
      ) / X.length;
    const model: PropensityModel = {
      activityId: a.id,
      prior: a.propensity_prior,
      features,
      intercept: fit.intercept,
      coefficients: fit.coefficients,
      means,
      sds,
      meanScore,
    };
    await db.execute(
      'DELETE FROM propensity_models WHERE season_start = CAST($1 AS DATE) AND activity_id = $2',
      [seasonStart, a.id],
    );
    const terms: [string, number, number | null, number | null][] = [
      ['(intercept)', fit.intercept, null, null],
      ...features.map(
        (f, i) =>
          [f, fit.coefficients[i] as number, means[i] as number, sds[i] as number] as [
            string,
            number,
            number,
            number,
          ],
      ),
    ];
    for (const [term, coefficient, mean, sd] of terms)
      await db.execute(
        `INSERT INTO propensity_models VALUES (CAST($1 AS DATE), $2, $3, $4, $5, $6, $7, $8, $9, CAST($10 AS DATE))`,
        [seasonStart, a.id, term, coefficient, mean, sd, y.length, positives, meanScore, asOf],
      );
    models.push(model);
  }
  return models;
}

const num = (x: number) => (Number.isFinite(x) ? x.toPrecision(17) : '0');

/** SQL for a candidate's propensity: its activity's model over the rule's facts, else the prior column. */
export function propensitySql(
  db: Db,
  models: PropensityModel[],
  facts: string,
  activityId: string,
  prior: string,
): string {
  if (!models.length) return prior;
  const cases = models.map((m) => {
    const z = [
      num(m.intercept),
      ...m.features.map(
        (f, i) =>
          `${num(m.coefficients[i] as number)} * ((coalesce(${factNumber(db, facts, f)}, ${num(m.means[i] as number)}) - ${num(m.means[i] as number)}) / ${num(m.sds[i] as number)})`,
      ),
    ].join(' + ');
    const score = `(1.0 / (1.0 + exp(-(${z}))))`;
    return `WHEN ${quoteString(m.activityId)} THEN CAST(least(1.0, CAST(${prior} AS FLOAT8) * ${score} / ${num(m.meanScore)}) AS DECIMAL(12,6))`;
  });
  return `(CASE ${activityId} ${cases.join(' ')} ELSE ${prior} END)`;
}
