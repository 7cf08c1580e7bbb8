// Arbitration (PLAYBOOK.md step 2), set-based over the run's lead_candidates: every candidate gets a
// verdict — the first rule that blocks it, or the suggested product and the three factors of its
// priority. Rules on the person contacted (customer_id): consent, do-not-disturb, a refusal of all
// marketing not re-granted since, a refusal of this activity within «180» days (none of these for a
// service task), and the activity's minimum age (younger minors are reached through a guardian, whom
// the rule names as the contact). Rules on the product's would-be holder (the entity customer, else
// the contact): the product's ages and regions, not already held, and suitability — a rated product Rn
// needs a risk level Cm with m ≥ n, aged ≥ «65» only R1–R2; no risk level, only unrated products.

import type { SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { type PropensityModel, propensitySql } from './propensity.js';
import { weightFactSql } from './tables.js';

export interface ArbitrationInput {
  asOf: string;
  /** The first instant after D in the bank's time zone, as a UTC TIMESTAMP literal. */
  endOfDay: string;
  /** endOfDay − refusal_suppress_days × 24 h, as a UTC TIMESTAMP literal. */
  refusalSince: string;
  config: SeasonConfig;
  /** Fitted propensity models of the season (activities without one use their prior). */
  models: PropensityModel[];
}

/** Builds lc_verdicts (activity_id, entity_kind, entity_id, customer_id, holder_id, facts, block, product_code, propensity, value, weight, priority). */
export async function arbitrate(db: Db, o: ArbitrationInput): Promise<Record<string, number>> {
  const D = `CAST('${o.asOf}' AS DATE)`;
  const t = o.config.thresholds;
  await db.exec(`DROP TABLE IF EXISTS lc_refused_all; DROP TABLE IF EXISTS lc_refused; DROP TABLE IF EXISTS lc_holdings;
    DROP TABLE IF EXISTS lc_cand; DROP TABLE IF EXISTS lc_options; DROP TABLE IF EXISTS lc_verdicts`);
  // A refusal of all marketing stands until a re-grant recorded after it (the same instant: refused).
  await db.exec(`CREATE TEMP TABLE lc_refused_all AS
    SELECT customer_id FROM (
      SELECT customer_id, event,
             row_number() OVER (PARTITION BY customer_id ORDER BY event_at DESC, CASE WHEN event = 'REFUSED_ALL' THEN 0 ELSE 1 END) AS n
        FROM consent_events WHERE event_at < ${o.endOfDay}) x
     WHERE n = 1 AND event = 'REFUSED_ALL'`);
  await db.exec(`CREATE TEMP TABLE lc_refused AS
    SELECT DISTINCT customer_id, activity_id FROM contacts
     WHERE outcome = 'REFUSED' AND contact_at >= ${o.refusalSince} AND contact_at < ${o.endOfDay}`);
  await db.exec(`CREATE TEMP TABLE lc_holdings AS
    SELECT DISTINCT customer_id, product_code FROM accounts
     WHERE open_date <= ${D} AND (close_date IS NULL OR close_date > ${D})`);
  await db.exec(`CREATE TEMP TABLE lc_cand AS
    SELECT c.activity_id, c.entity_kind, c.entity_id, c.customer_id,
           CASE WHEN c.entity_kind = 'CUSTOMER' THEN c.entity_id ELSE c.customer_id END AS holder_id,
           c.product_code AS rule_product, c.facts,
           CASE
             WHEN c.customer_id IS NULL THEN NULL
             WHEN cf.customer_id IS NULL THEN 'NOT_A_CUSTOMER'
             WHEN NOT a.service AND coalesce(cu.marketing_consent, 'N') <> 'Y' THEN 'NO_CONSENT'
             WHEN NOT a.service AND cu.dnd = 'Y' THEN 'DO_NOT_DISTURB'
             WHEN NOT a.service AND ra.customer_id IS NOT NULL THEN 'REFUSED_ALL'
             WHEN NOT a.service AND rf.customer_id IS NOT NULL THEN 'REFUSED_RECENTLY'
             WHEN cf.age IS NULL OR cf.age < a.min_age THEN 'UNDER_AGE'
           END AS contact_block
      FROM lead_candidates c
      JOIN lc_activities a ON a.activity_id = c.activity_id AND a.running
      LEFT JOIN customer_features cf ON cf.customer_id = c.customer_id
      LEFT JOIN customers cu ON cu.customer_id = c.customer_id
      LEFT JOIN lc_refused_all ra ON ra.customer_id = c.customer_id
      LEFT JOIN lc_refused rf ON rf.customer_id = c.customer_id AND rf.activity_id = c.activity_id`);
  // Each candidate's product options: the rule's own product, else the activity's in order (none: no
  // product to check).
  await db.exec(`CREATE TEMP TABLE lc_options AS
    SELECT k.activity_id, k.entity_kind, k.entity_id, o.product_code, o.rank,
           CASE
             WHEN o.product_code IS NULL OR k.holder_id IS NULL THEN NULL
             WHEN p.product_code IS NULL THEN 'UNKNOWN_PRODUCT'
             WHEN hf.customer_id IS NULL THEN 'HOLDER_NOT_A_CUSTOMER'
             WHEN (p.min_age IS NOT NULL AND (hf.age IS NULL OR hf.age < p.min_age))
               OR (p.max_age IS NOT NULL AND (hf.age IS NULL OR hf.age > p.max_age)) THEN 'PRODUCT_AGE'
             WHEN p.division_codes IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM lc_product_regions r
                     WHERE r.product_code = p.product_code
                       AND substr(coalesce(hc.division_code, ''), 1, length(r.prefix)) = r.prefix) THEN 'PRODUCT_REGION'
             WHEN h.customer_id IS NOT NULL THEN 'HOLDS_PRODUCT'
             WHEN p.risk_rating IS NOT NULL
              AND (hc.risk_level IS NULL OR substr(hc.risk_level, 2, 1) < substr(p.risk_rating, 2, 1)) THEN 'RISK_LEVEL'
             WHEN p.risk_rating IS NOT NULL AND p.risk_rating NOT IN ('R1', 'R2')
              AND (hf.age IS NULL OR hf.age >= ${t.elderly_strict_age}) THEN 'ELDERLY_RISK'
           END AS product_block
      FROM lc_cand k
      JOIN (SELECT k2.activity_id, k2.entity_kind, k2.entity_id,
                   coalesce(k2.rule_product, ap.product_code) AS product_code,
                   CASE WHEN k2.rule_product IS NULL THEN coalesce(ap.rank, 1) ELSE 0 END AS rank
              FROM lc_cand k2
              LEFT JOIN lc_activity_products ap ON ap.activity_id = k2.activity_id AND k2.rule_product IS NULL
             WHERE k2.contact_block IS NULL) o
        ON o.activity_id = k.activity_id AND o.entity_kind = k.entity_kind AND o.entity_id = k.entity_id
      LEFT JOIN products p ON p.product_code = o.product_code
      LEFT JOIN customer_features hf ON hf.customer_id = k.holder_id
      LEFT JOIN customers hc ON hc.customer_id = k.holder_id
      LEFT JOIN lc_holdings h ON h.customer_id = k.holder_id AND h.product_code = o.product_code`);
  const weightFact = weightFactSql(db, o.config.activities, 'k.facts', 'k.activity_id');
  const weight = `CAST(${db.dialect.ratio('a.weight * coalesce(w.factor, 1)', '1', 4)} AS DECIMAL(10,4))`;
  await db.exec(`CREATE TEMP TABLE lc_verdicts AS
    WITH best AS (
      SELECT activity_id, entity_kind, entity_id,
             min(CASE WHEN product_block IS NULL THEN rank END) AS best_rank,
             min(product_block) AS a_block
        FROM lc_options GROUP BY activity_id, entity_kind, entity_id
    ),
    judged AS (
      SELECT k.activity_id, k.entity_kind, k.entity_id, k.customer_id, k.holder_id, k.facts,
             coalesce(k.contact_block, CASE WHEN b.best_rank IS NULL THEN b.a_block END) AS block,
             o.product_code, a.service, ${propensitySql(db, o.models, 'k.facts', 'k.activity_id', 'a.propensity')} AS propensity,
             a.value, ${weight} AS weight
        FROM lc_cand k
        JOIN lc_activities a ON a.activity_id = k.activity_id
        LEFT JOIN best b ON b.activity_id = k.activity_id AND b.entity_kind = k.entity_kind AND b.entity_id = k.entity_id
        LEFT JOIN lc_options o ON o.activity_id = k.activity_id AND o.entity_kind = k.entity_kind
                              AND o.entity_id = k.entity_id AND o.rank = b.best_rank
        LEFT JOIN lc_weight_by w ON w.activity_id = k.activity_id AND w.fact_value = ${weightFact}
    )
    SELECT activity_id, entity_kind, entity_id, customer_id, holder_id, facts, block, service,
           CASE WHEN block IS NULL THEN product_code END AS product_code,
           propensity, value, weight,
           CAST(CAST(propensity AS DECIMAL(12,6)) * CAST(value AS DECIMAL(14,2)) * CAST(weight AS DECIMAL(10,4)) AS DECIMAL(38,12)) AS priority
      FROM judged`);
  const counts = await db.query<{ block: string | null; n: number }>(
    'SELECT block, CAST(count(*) AS BIGINT) AS n FROM lc_verdicts GROUP BY block ORDER BY block',
  );
  return Object.fromEntries(counts.map((c) => [c.block ?? 'SUITABLE', Number(c.n)]));
}
