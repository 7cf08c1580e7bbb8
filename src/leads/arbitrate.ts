// Arbitration (PLAYBOOK.md step 2), set-based over the run's lead_candidates: every candidate gets a
// verdict — the first rule that blocks it, or the suggested product and the three factors of its
// priority. Rules on the person contacted (customer_id): consent, do-not-disturb, a refusal of all
// marketing not re-granted since (any recorded so far), a refusal of this activity within «180» days (none of these for a
// service task), and the activity's minimum age (younger minors are reached through a guardian, whom
// the rule names as the contact). Rules on the product's would-be holder (the entity customer, else
// the contact): the product's ages and regions, not already held, and suitability — a rated product Rn
// needs a risk level Cm with m ≥ n, aged ≥ «65» only R1–R2; no risk level, only unrated products.

import type { SeasonConfig } from '../config/season.js';
import { analyze } from '../db/analyze.js';
import type { Db } from '../db/types.js';
import { CONSENT_ORDER } from './contactPolicy.js';
import { type PropensityModel, propensitySql } from './propensity.js';
import { weightFactSql } from './tables.js';

export interface ArbitrationInput {
  asOf: string;
  /** The first instant after D in the bank's time zone, as a UTC TIMESTAMP literal. */
  endOfDay: string;
  /** endOfDay − refusal_suppress_days × 24 h, as a UTC TIMESTAMP literal. */
  refusalSince: string;
  config: SeasonConfig;
  /** S of D's season: a candidate's lead is looked up in it. */
  seasonStart: string;
  /** Fitted propensity models of the season (activities without one use their prior). */
  models: PropensityModel[];
}

/** Builds lc_verdicts (activity_id, entity_kind, entity_id, customer_id, holder_id, facts, block, service, lead_id — the candidate's lead this season — product_code, propensity, value, weight, priority). */
export async function arbitrate(db: Db, o: ArbitrationInput): Promise<Record<string, number>> {
  const D = `CAST('${o.asOf}' AS DATE)`;
  const t = o.config.thresholds;
  await db.exec(`DROP TABLE IF EXISTS lc_refused_all; DROP TABLE IF EXISTS lc_refused; DROP TABLE IF EXISTS lc_holdings;
    DROP TABLE IF EXISTS lc_lead_blocks;
    DROP TABLE IF EXISTS lc_verdicts;
    DROP TABLE IF EXISTS lc_people`);
  // A refusal of all marketing stands until a re-grant recorded after it (the same instant: refused).
  // Every refusal recorded so far counts, whatever the date being run (a refusal is honoured at once);
  // a re-grant counts from its own day.
  // A prospect's refusal is recorded under the prospect id.
  await db.exec(`CREATE TEMP TABLE lc_refused_all AS
    SELECT customer_id FROM (
      SELECT customer_id, event,
             row_number() OVER (PARTITION BY customer_id ORDER BY ${CONSENT_ORDER}) AS n
        FROM consent_events WHERE event = 'REFUSED_ALL' OR event_at < ${o.endOfDay}) x
     WHERE n = 1 AND event = 'REFUSED_ALL'`);
  await db.exec(`CREATE TEMP TABLE lc_refused AS
    SELECT DISTINCT coalesce(k.customer_id, l.entity_id) AS customer_id, k.activity_id
      FROM contacts k JOIN leads l ON l.lead_id = k.lead_id
     WHERE k.outcome = 'REFUSED' AND k.contact_at >= ${o.refusalSince}`);
  // OPEN marketing leads whose contact may no longer be reached, in or out of the season.
  await db.exec(`CREATE TEMP TABLE lc_lead_blocks AS
    SELECT l.lead_id,
           CASE
             WHEN l.customer_id IS NOT NULL AND coalesce(cu.marketing_consent, 'N') <> 'Y' THEN 'NO_CONSENT'
             WHEN cu.dnd = 'Y' THEN 'DO_NOT_DISTURB'
             WHEN ra.customer_id IS NOT NULL THEN 'REFUSED_ALL'
             WHEN rf.customer_id IS NOT NULL THEN 'REFUSED_RECENTLY'
           END AS block
      FROM leads l
      LEFT JOIN customers cu ON cu.customer_id = l.customer_id
      LEFT JOIN lc_refused_all ra ON ra.customer_id = coalesce(l.customer_id, l.entity_id)
      LEFT JOIN lc_refused rf ON rf.customer_id = coalesce(l.customer_id, l.entity_id) AND rf.activity_id = l.activity_id
     WHERE l.status = 'OPEN' AND NOT l.service AND (l.customer_id IS NOT NULL OR l.entity_kind = 'PROSPECT')`);
  await db.exec(`CREATE TEMP TABLE lc_holdings AS
    SELECT DISTINCT customer_id, product_code FROM accounts
     WHERE open_date <= ${D} AND (close_date IS NULL OR close_date > ${D})`);
  // Everyone the rules may ask about, once: age, consent, risk level, residence.
  await db.exec(`CREATE TEMP TABLE lc_people AS
    SELECT f.customer_id, f.age, c.marketing_consent, c.dnd, c.risk_level, c.division_code
      FROM customer_features f JOIN customers c ON c.customer_id = f.customer_id`);
  // The candidates with their lead of this season if they have one, and what the rules need about the
  // person contacted and the would-be holder; each candidate's product options — the rule's own
  // product, else the activity's in order (none: no product to check) — and the first product rule each
  // fails, for the holder. A candidate whose lead of this season is no longer OPEN is not looked at again.
  const weightFact = weightFactSql(db, o.config.activities, 'k.facts', 'k.activity_id');
  const weight = `CASE WHEN w.factor IS NULL THEN a.weight
                       ELSE CAST(${db.dialect.ratio('a.weight * w.factor', '1', 4)} AS DECIMAL(10,4)) END`;
  // The verdict: the first passing product by rank, else the first rule that blocked (contact first).
  // One statement, so that the engine streams candidates, options and verdicts without storing them.
  await analyze(db, 'lc_refused_all', 'lc_refused', 'lc_lead_blocks', 'lc_holdings', 'lc_people');
  await db.exec(`CREATE TEMP TABLE lc_verdicts AS
    WITH cand AS (
    SELECT c.activity_id, c.entity_kind, c.entity_id, c.customer_id,
           CASE WHEN c.entity_kind = 'CUSTOMER' THEN c.entity_id ELSE c.customer_id END AS holder_id,
           c.product_code AS rule_product, c.facts, a.service, l.lead_id, l.status AS lead_status,
           CASE
             WHEN c.customer_id IS NULL AND c.entity_kind = 'PROSPECT' AND NOT a.service AND ra.customer_id IS NOT NULL THEN 'REFUSED_ALL'
             WHEN c.customer_id IS NULL AND c.entity_kind = 'PROSPECT' AND NOT a.service AND rf.customer_id IS NOT NULL THEN 'REFUSED_RECENTLY'
             WHEN c.customer_id IS NULL THEN NULL
             WHEN cp.customer_id IS NULL THEN 'NOT_A_CUSTOMER'
             WHEN NOT a.service AND coalesce(cp.marketing_consent, 'N') <> 'Y' THEN 'NO_CONSENT'
             WHEN NOT a.service AND cp.dnd = 'Y' THEN 'DO_NOT_DISTURB'
             WHEN NOT a.service AND ra.customer_id IS NOT NULL THEN 'REFUSED_ALL'
             WHEN NOT a.service AND rf.customer_id IS NOT NULL THEN 'REFUSED_RECENTLY'
             WHEN cp.age IS NULL OR cp.age < a.min_age THEN 'UNDER_AGE'
           END AS contact_block,
           hp.customer_id IS NOT NULL AS holder_known, hp.age AS holder_age,
           hp.risk_level AS holder_risk, hp.division_code AS holder_division
      FROM lead_candidates c
      JOIN lc_activities a ON a.activity_id = c.activity_id AND a.running
      LEFT JOIN leads l ON l.season_start = CAST('${o.seasonStart}' AS DATE) AND l.activity_id = c.activity_id
                       AND l.entity_kind = c.entity_kind AND l.entity_id = c.entity_id
      LEFT JOIN lc_people cp ON cp.customer_id = c.customer_id
      LEFT JOIN lc_people hp ON hp.customer_id = CASE WHEN c.entity_kind = 'CUSTOMER' THEN c.entity_id ELSE c.customer_id END
      LEFT JOIN lc_refused_all ra ON ra.customer_id = coalesce(c.customer_id, c.entity_id)
      LEFT JOIN lc_refused rf ON rf.customer_id = coalesce(c.customer_id, c.entity_id) AND rf.activity_id = c.activity_id
    ),
    options AS (
    SELECT k.activity_id, k.entity_kind, k.entity_id, k.customer_id, k.holder_id, k.facts, k.service, k.lead_id,
           k.contact_block, coalesce(k.rule_product, ap.product_code) AS product_code,
           CASE WHEN k.rule_product IS NULL THEN coalesce(ap.rank, 1) ELSE 0 END AS rank,
           CASE
             WHEN k.contact_block IS NOT NULL OR k.holder_id IS NULL OR coalesce(k.rule_product, ap.product_code) IS NULL THEN NULL
             WHEN p.product_code IS NULL THEN 'UNKNOWN_PRODUCT'
             WHEN NOT k.holder_known THEN 'HOLDER_NOT_A_CUSTOMER'
             WHEN (p.min_age IS NOT NULL AND (k.holder_age IS NULL OR k.holder_age < p.min_age))
               OR (p.max_age IS NOT NULL AND (k.holder_age IS NULL OR k.holder_age > p.max_age)) THEN 'PRODUCT_AGE'
             WHEN p.division_codes IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM lc_product_regions r
                     WHERE r.product_code = p.product_code
                       AND substr(coalesce(k.holder_division, ''), 1, length(r.prefix)) = r.prefix) THEN 'PRODUCT_REGION'
             WHEN h.customer_id IS NOT NULL THEN 'HOLDS_PRODUCT'
             WHEN p.risk_rating IS NOT NULL
              AND (k.holder_risk IS NULL OR substr(k.holder_risk, 2, 1) < substr(p.risk_rating, 2, 1)) THEN 'RISK_LEVEL'
             WHEN p.risk_rating IS NOT NULL AND p.risk_rating NOT IN ('R1', 'R2')
              AND (k.holder_age IS NULL OR k.holder_age >= ${t.elderly_strict_age}) THEN 'ELDERLY_RISK'
           END AS product_block
      FROM cand k
      LEFT JOIN lc_activity_products ap
        ON ap.activity_id = k.activity_id AND k.rule_product IS NULL AND k.contact_block IS NULL
      LEFT JOIN products p ON p.product_code = coalesce(k.rule_product, ap.product_code)
      LEFT JOIN lc_holdings h ON h.customer_id = k.holder_id AND h.product_code = coalesce(k.rule_product, ap.product_code)
     WHERE k.lead_status IS NULL OR k.lead_status = 'OPEN'
    ),
    -- The candidate's own columns ride along with its options: joining the picked option back to cand
    -- made PostgreSQL, which estimates the picked rows at 1, loop over every candidate per candidate.
    picked AS (
      SELECT * FROM (
        SELECT o.*, row_number() OVER (PARTITION BY o.activity_id, o.entity_kind, o.entity_id
                                       ORDER BY CASE WHEN o.product_block IS NULL THEN 0 ELSE 1 END, o.rank) AS n
          FROM options o) x
       WHERE n = 1
    ),
    judged AS (
      SELECT k.activity_id, k.entity_kind, k.entity_id, k.customer_id, k.holder_id, k.facts, k.service, k.lead_id,
             coalesce(k.contact_block, k.product_block) AS block, k.product_code,
             ${propensitySql(db, o.models, 'k.facts', 'k.activity_id', 'a.propensity')} AS propensity,
             a.value, ${weight} AS weight
        FROM picked k
        JOIN lc_activities a ON a.activity_id = k.activity_id
        LEFT JOIN lc_weight_by w ON w.activity_id = k.activity_id AND w.fact_value = ${weightFact}
    )
    SELECT activity_id, entity_kind, entity_id, customer_id, holder_id, facts, block, service, lead_id,
           CASE WHEN block IS NULL THEN product_code END AS product_code,
           propensity, value, weight,
           CAST(CAST(propensity AS DECIMAL(12,6)) * CAST(value AS DECIMAL(14,2)) * CAST(weight AS DECIMAL(10,4)) AS DECIMAL(38,12)) AS priority
      FROM judged`);
  await analyze(db, 'lc_verdicts');
  const counts = await db.query<{ block: string | null; n: number }>(
    'SELECT block, CAST(count(*) AS BIGINT) AS n FROM lc_verdicts GROUP BY block ORDER BY block',
  );
  return Object.fromEntries(counts.map((c) => [c.block ?? 'SUITABLE', Number(c.n)]));
}
