// The PAD / lobby lookup (PLAYBOOK.md "Prompts at the point of service", X2): given a customer id, or
// an ID number scanned at the lobby, the customer's open leads and product matches with reasons,
// filtered by suitability — masked personal data only, and every lookup audited. Walk-in customers come
// from anywhere, so lobby, teller and PAD roles may look up any customer this way.
//
// An ID number is matched by an HMAC-SHA256 with a server secret, never by a plain hash (18-digit ID
// numbers are few enough to brute-force a plain hash in minutes). The index is built in memory at open.

import { createHmac } from 'node:crypto';
import { appendAudit } from '../audit/log.js';
import type { Activity, SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { mask } from '../domain/masking.js';
import { fromUnits, toUnits } from '../domain/money.js';
import { leadReason } from '../pipeline/models/leads/lead_candidates.js';
import { latestConsentSql } from './contactPolicy.js';
import { type ProductRow, productBlock } from './suitability.js';

export interface PadLead {
  lead_id: number;
  activity_id: string;
  activity_name: string;
  product_code: string | null;
  product_name: string | null;
  reason: string;
  channel: string | null;
  status: string;
}

export interface ProductMatch {
  product_code: string;
  product_name: string;
  /** priority = propensity × value × weight (PLAYBOOK step 2), exact decimal text. */
  score: string;
  reason: string;
}

export interface PadAnswer {
  customer: {
    customer_id: string;
    name: string | null;
    phone: string | null;
    age: number | null;
    home_org_id: string;
  };
  leads: PadLead[];
  matches: ProductMatch[];
}

export class PadLookupError extends Error {}

/** The staff roles that serve walk-in customers at the lobby and the counter (ARCHITECTURE: access). */
export const POINT_OF_SERVICE_ROLES = ['LOBBY', 'TELLER'];

/** a × b × c of decimal texts (each to 4 places), exactly, in units of 10^-12. */
const product3 = (a: string, b: string, c: string): bigint => toUnits(a, 4) * toUnits(b, 4) * toUnits(c, 4);
const asDecimal = (v: bigint) => fromUnits(v, 12);

export class PadLookup {
  private constructor(
    private readonly db: Db,
    private readonly config: SeasonConfig,
    private readonly secret: string,
    private readonly byHmac: Map<string, string>,
  ) {}

  /** The HMAC of an ID number under the server secret (upper-cased, trimmed: as the loader stores it). */
  static hmac(secret: string, idNo: string): string {
    return createHmac('sha256', secret).update(idNo.trim().toUpperCase(), 'utf8').digest('hex');
  }

  static async open(db: Db, config: SeasonConfig, secret: string): Promise<PadLookup> {
    if (secret.length < 16) throw new PadLookupError('the ID-number secret must be at least 16 characters');
    const byHmac = new Map<string, string>();
    for await (const batch of db.stream<{ customer_id: string; id_no: string }>(
      'SELECT customer_id, id_no FROM customers WHERE id_no IS NOT NULL',
    ))
      for (const r of batch) byHmac.set(PadLookup.hmac(secret, r.id_no), r.customer_id);
    return new PadLookup(db, config, secret, byHmac);
  }

  /**
   * Look a customer up by id or by a scanned ID number; null when there is no such customer. Only
   * lobby and teller staff (in today's staff extract) may; every lookup, refused or not, is audited.
   */
  async lookup(
    who: { customerId?: string; idNo?: string },
    actor: { staffId: string },
    lang: 'zh' | 'en' = 'zh',
  ): Promise<PadAnswer | null> {
    if (!who.customerId === !who.idNo) throw new PadLookupError('give a customer id or an ID number');
    const customerId =
      who.customerId ?? this.byHmac.get(PadLookup.hmac(this.secret, who.idNo as string)) ?? null;
    const [staff] = await this.db.query<{ role: string }>('SELECT role FROM staff WHERE staff_id = $1', [
      actor.staffId,
    ]);
    const allowed = staff !== undefined && POINT_OF_SERVICE_ROLES.includes(staff.role);
    await appendAudit(this.db, {
      actor: actor.staffId,
      action: allowed ? 'PAD_LOOKUP' : 'PAD_LOOKUP_REFUSED',
      subject: customerId,
      detail: {
        role: staff?.role ?? null,
        by: who.customerId ? 'customer_id' : 'id_no',
        found: customerId !== null,
      },
    });
    if (!allowed)
      throw new PadLookupError(
        `${actor.staffId} may not look customers up here (${staff ? `role ${staff.role}` : 'not in the staff extract'}; lobby and teller staff may)`,
      );
    if (!customerId) return null;
    const [c] = await this.db.query<{
      customer_id: string;
      name: string | null;
      phone: string | null;
      home_org_id: string;
      risk_level: string | null;
      division_code: string | null;
      age: number | null;
      reachable: boolean;
    }>(
      `SELECT c.customer_id, c.name, c.phone, c.home_org_id, c.risk_level, c.division_code, f.age,
              (coalesce(c.marketing_consent, 'N') = 'Y' AND coalesce(c.dnd, 'N') <> 'Y'
               AND coalesce(${latestConsentSql('c.customer_id')}, '') <> 'REFUSED_ALL') AS reachable
         FROM customers c LEFT JOIN customer_features f ON f.customer_id = c.customer_id WHERE c.customer_id = $1`,
      [customerId],
    );
    if (!c) return null;
    const activity = (id: string) => this.config.activities.find((a) => a.id === id) as Activity | undefined;
    // Open leads addressed to this customer, not in the control group (never routed, never shown).
    const leadRows = await this.db.query<{
      lead_id: number;
      activity_id: string;
      product_code: string | null;
      product_name: string | null;
      facts: string;
      channel: string | null;
      status: string;
    }>(
      `SELECT l.lead_id, l.activity_id, l.product_code, p.product_name, l.facts, t.channel, l.status
         FROM leads l LEFT JOIN products p ON p.product_code = l.product_code LEFT JOIN tasks t ON t.lead_id = l.lead_id
        WHERE l.customer_id = $1 AND l.status = 'OPEN' AND NOT l.is_control
        ORDER BY l.priority DESC, l.lead_id`,
      [customerId],
    );
    const leads: PadLead[] = leadRows.map((l) => {
      const a = activity(l.activity_id);
      return {
        lead_id: Number(l.lead_id),
        activity_id: l.activity_id,
        activity_name: a ? a.name[lang] : l.activity_id,
        product_code: l.product_code,
        product_name: l.product_name,
        reason: a ? leadReason(a, l.facts, lang) : '',
        channel: l.channel,
        status: l.status,
      };
    });
    return {
      customer: {
        customer_id: c.customer_id,
        name: mask('name', c.name),
        phone: mask('phone', c.phone),
        age: c.age === null ? null : Number(c.age),
        home_org_id: c.home_org_id,
      },
      leads,
      // Offering products is marketing: none without consent, on do-not-disturb or after a refusal of all.
      matches: c.reachable ? await this.matches(c, lang) : [],
    };
  }

  /**
   * Product matches (X2): every product eligible and suitable for the customer, ranked by priority —
   * the best of this run's candidates naming it (the activity's propensity × value × weight, with the
   * activity's reason), else the season's product_match propensity × value × 1 — ties by product code;
   * the top «3». None for a minor (reached through the guardian).
   */
  private async matches(
    c: { customer_id: string; risk_level: string | null; division_code: string | null; age: number | null },
    lang: 'zh' | 'en',
  ): Promise<ProductMatch[]> {
    const t = this.config.thresholds;
    if (c.age === null || Number(c.age) < 18) return [];
    const [products, held, candidates] = await Promise.all([
      this.db.query<ProductRow>(
        'SELECT product_code, product_name, category, risk_rating, min_age, max_age, division_codes FROM products',
      ),
      this.db.query<{ product_code: string }>(
        `SELECT DISTINCT a.product_code FROM accounts a
          WHERE a.customer_id = $1 AND a.open_date <= (SELECT max(as_of) FROM runs WHERE status = 'PUBLISHED')
            AND (a.close_date IS NULL OR a.close_date > (SELECT max(as_of) FROM runs WHERE status = 'PUBLISHED'))`,
        [c.customer_id],
      ),
      this.db.query<{ activity_id: string; product_code: string | null; facts: string }>(
        `SELECT activity_id, product_code, facts FROM lead_candidates WHERE customer_id = $1 AND entity_kind IN ('CUSTOMER', 'MERCHANT')`,
        [c.customer_id],
      ),
    ]);
    const holder = {
      age: Number(c.age),
      risk_level: c.risk_level,
      division_code: c.division_code,
      holds: new Set(held.map((h) => h.product_code)),
    };
    const best = new Map<string, { score: bigint; reason: string }>();
    for (const cand of candidates) {
      const a = this.config.activities.find((x) => x.id === cand.activity_id);
      if (!a || a.service) continue;
      const named = cand.product_code ? [cand.product_code] : a.products;
      const score = product3(a.propensity_prior, a.value_per_conversion, a.weight);
      for (const code of named) {
        const prev = best.get(code);
        if (!prev || score > prev.score) best.set(code, { score, reason: leadReason(a, cand.facts, lang) });
      }
    }
    const fallback = product3(t.product_match_propensity, t.product_match_value, '1');
    const generic =
      lang === 'zh' ? '符合客户年龄、地区与风险等级的产品' : "Fits the customer's age, region and risk level";
    return products
      .filter((p) => productBlock(p, holder, t.elderly_strict_age) === null)
      .map((p) => {
        const b = best.get(p.product_code);
        return { p, score: b?.score ?? fallback, reason: b?.reason ?? generic };
      })
      .sort((x, y) =>
        x.score === y.score ? (x.p.product_code < y.p.product_code ? -1 : 1) : x.score > y.score ? -1 : 1,
      )
      .slice(0, t.top_product_matches)
      .map((m) => ({
        product_code: m.p.product_code,
        product_name: m.p.product_name,
        score: asDecimal(m.score),
        reason: m.reason,
      }));
  }
}
