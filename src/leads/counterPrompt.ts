// The counter prompt (PLAYBOOK.md "Prompts at the point of service", X2/B4): while a teller keys a
// remittance (beneficiary name, BIC, account, country), say whether it goes to a supported overseas
// institution and what to offer — the cross-border tuition product of the season's
// CROSS_BORDER_TUITION activity.
//
// The answer must come back within milliseconds while the form is being filled in, so the institution
// list is read once (open) and every prompt is answered from memory, with no database round trip. The
// matching is the pipeline's own InstitutionMatcher (METRICS.md Institution matching), so the counter
// and remittance_matches never disagree about the same beneficiary: EXACT_BIC and EXACT_NAME are a
// supported institution, PROBABLE is only a hint for the teller to check with the customer.

import { type Activity, loadSeasonConfig, type SeasonConfig } from '../config/season.js';
import type { Db } from '../db/types.js';
import { type Institution, InstitutionMatcher, type MatchKind } from '../matching/institutions.js';

export const TUITION_ACTIVITY = 'CROSS_BORDER_TUITION';

/**
 * The longest field accepted. A remittance form's beneficiary name is 140 characters at most (SWIFT
 * MT103 field 59: 4 × 35); the cap keeps a pasted page from costing the normaliser and the edit
 * distances milliseconds.
 */
export const MAX_FIELD_LENGTH = 200;

export interface CounterInput {
  beneficiaryName?: string | null;
  bic?: string | null;
  account?: string | null;
  country?: string | null;
}

export interface CounterMatch {
  institutionId: string;
  institutionName: string;
  country: string | null;
  kind: MatchKind;
  /** 1 for an exact match; the name similarity for a probable one (0 when by the BIC alone). */
  score: number;
}

export interface CounterOffer {
  activityId: string;
  productCode: string;
  /** What the teller reads: Chinese first, English for the same screen in English. */
  text: { zh: string; en: string };
}

export interface CounterAnswer {
  /** An exact match (EXACT_BIC or EXACT_NAME) to an institution with supports_tuition = Y. */
  supported: boolean;
  match: CounterMatch | null;
  /** The product to offer when supported; when probable, the same product with a text asking to confirm. */
  offer: CounterOffer | null;
}

/** The input cannot be asked about (nothing keyed, not text, too long): the caller's mistake, not a miss. */
export class CounterInputError extends Error {}

/** The season's cross-border tuition activity, which says what the counter offers. */
export function tuitionActivity(config: SeasonConfig): Activity {
  const activity = config.activities.find((a) => a.id === TUITION_ACTIVITY);
  if (!activity)
    throw new Error(
      `the season config has no ${TUITION_ACTIVITY} activity: the counter has nothing to offer`,
    );
  return activity;
}

export class CounterPrompt {
  private readonly matcher: InstitutionMatcher;
  private readonly byId = new Map<string, Institution>();
  private readonly productCode: string;

  /** Read overseas_institutions once; the activity defaults to the default season file's CROSS_BORDER_TUITION. */
  static async open(db: Db, activity?: Activity): Promise<CounterPrompt> {
    const rows = await db.query(
      `SELECT institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition
         FROM overseas_institutions ORDER BY institution_id`,
    );
    const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
    const institutions = rows.map(
      (r): Institution => ({
        institution_id: String(r.institution_id),
        institution_name: text(r.institution_name) ?? '',
        country: text(r.country),
        swift_bic: text(r.swift_bic),
        account_no: text(r.account_no),
        aliases: text(r.aliases),
        supports_tuition: text(r.supports_tuition) ?? 'N',
      }),
    );
    return new CounterPrompt(institutions, activity ?? tuitionActivity(loadSeasonConfig()));
  }

  constructor(
    institutions: readonly Institution[],
    private readonly activity: Activity,
  ) {
    const product = activity.products[0];
    // Checked here, once, rather than found missing at the counter in the middle of a customer.
    if (!product)
      throw new Error(`activity ${activity.id} names no product: the counter has nothing to offer`);
    this.productCode = product;
    this.matcher = new InstitutionMatcher(institutions);
    for (const inst of institutions) this.byId.set(inst.institution_id, inst);
  }

  /** Institutions read (supported or not). */
  get institutions(): number {
    return this.byId.size;
  }

  prompt(input: CounterInput): CounterAnswer {
    const name = field(input, 'beneficiaryName');
    const bic = field(input, 'bic');
    const account = field(input, 'account');
    const country = field(input, 'country');
    if (name === null && bic === null && account === null && country === null)
      throw new CounterInputError(
        'counter prompt: nothing keyed — give the beneficiary name, BIC, account or country',
      );
    const m = this.matcher.match({
      beneficiary_name: name,
      beneficiary_bic: bic,
      beneficiary_account: account,
      beneficiary_country: country,
    });
    if (!m) return { supported: false, match: null, offer: null };
    // The matcher only knows institutions with supports_tuition = Y, so the id is always in byId.
    const inst = this.byId.get(m.institutionId) as Institution;
    const match: CounterMatch = {
      institutionId: m.institutionId,
      institutionName: inst.institution_name,
      country: inst.country,
      kind: m.kind,
      score: m.score,
    };
    const supported = m.kind !== 'PROBABLE';
    return { supported, match, offer: this.offer(match) };
  }

  private offer(m: CounterMatch): CounterOffer {
    const { zh: productZh, en: productEn } = this.activity.name;
    const code = this.productCode;
    const where = m.country ? `${m.institutionName}（${m.country}）` : m.institutionName;
    const whereEn = m.country ? `${m.institutionName} (${m.country})` : m.institutionName;
    // No incentive is promised here: whether a customer gets one is decided per lead (holdout,
    // contact caps, budgets), which the counter does not see.
    const text =
      m.kind !== 'PROBABLE'
        ? {
            zh: `收款方为合作留学院校：${where}。可推荐「${productZh}」（${code}）。`,
            en: `Supported institution: ${whereEn}. Offer ${productEn} (${code}).`,
          }
        : m.score > 0
          ? {
              zh: `可能是 ${where}，请与客户确认收款院校；确认后可推荐「${productZh}」（${code}）。`,
              en: `Possibly ${whereEn}: confirm the institution with the customer; if confirmed, offer ${productEn} (${code}).`,
            }
          : // The BIC alone names the beneficiary's bank, which serves many payees besides schools:
            // the institution shown is only an example of a supported one that banks there.
            {
              zh: `收款银行也为合作留学院校收款（如 ${where}），请与客户确认收款方是否为留学院校；确认后可推荐「${productZh}」（${code}）。`,
              en: `The beneficiary's bank also serves supported institutions (e.g. ${whereEn}): ask the customer whether the payee is a school; if so, offer ${productEn} (${code}).`,
            };
    return { activityId: this.activity.id, productCode: code, text };
  }
}

/** A field of the input, trimmed; empty → null. Checked at run time too: callers may be plain JavaScript. */
function field(input: CounterInput, key: keyof CounterInput): string | null {
  if (input === null || typeof input !== 'object')
    throw new CounterInputError('counter prompt: the input must be an object');
  const v: unknown = input[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new CounterInputError(`counter prompt: ${key} must be text`);
  const t = v.trim();
  if (t.length > MAX_FIELD_LENGTH)
    throw new CounterInputError(`counter prompt: ${key} is longer than ${MAX_FIELD_LENGTH} characters`);
  return t === '' ? null : t;
}
