// The season configuration (season/default.yaml): its schema, loading with errors that name the
// field, and the JSON schema editors use (season/season.schema.json, kept current by a test).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { Calendar } from '../domain/calendar.js';
import { isRealDate } from '../domain/dates.js';
import { ACCOUNT_TYPES } from '../extracts/contract.js';
import { KPI_IDS } from '../kpis/catalogue.js';
import { PACKAGE_ROOT } from '../paths.js';

export const DEFAULT_SEASON_FILE = join(PACKAGE_ROOT, 'season', 'default.yaml');

/** An exact non-negative decimal, written as a number or a string, kept as its string. */
const decimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .pipe(z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal number'));
const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, 'must be MM-DD')
  .refine((v) => isRealDate(`2024-${v}`), 'must be a real month and day');
const date = z.string().refine(isRealDate, 'must be a date YYYY-MM-DD');
/** A share or rate written as a decimal fraction: 0.30 for 30 %. */
const fraction = decimal.refine((v) => Number(v) <= 1, 'must be a fraction between 0 and 1 (0.30 for 30 %)');
const count = z.number().int().nonnegative();
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

export const PHASES = ['YEAR_END', 'NEW_YEAR', 'CONSOLIDATION'] as const;
export type Phase = (typeof PHASES)[number];

const phaseOverride = z.object({ start: date.optional(), end: date.optional() }).strict();

export const PROGRAMS = ['PAYROLL', 'ELDERLY_MINOR', 'PAYMENT', 'MERCHANT', 'COUNTY'] as const;
export type Program = (typeof PROGRAMS)[number];
export const LEAD_ENTITIES = ['CUSTOMER', 'EMPLOYER', 'MERCHANT', 'PROSPECT'] as const;
/** Who owns an activity's leads (PLAYBOOK.md step 4). */
export const OWNERS = ['OUTLET', 'COUNTY_OUTLET', 'EMPLOYER_ORG', 'MERCHANT_M2', 'CUSTOMER_MANAGER'] as const;
export const TASK_CHANNELS = [
  'MANAGER',
  'CORPORATE_RM',
  'POOL',
  'LOBBY',
  'DOOR',
  'BACKPACK',
  'CARE',
  'SMS',
  'OUTBOUND_CALL',
] as const;
/** Channels worked from the remote-banking centre (B3), not at an outlet. */
export const REMOTE_CHANNELS = ['SMS', 'OUTBOUND_CALL'] as const;
/** The event kinds that convert a lead, observed in later extracts (PLAYBOOK.md step 6). */
export const CONVERSION_EVENTS = [
  'ADB_REACHES_THRESHOLD',
  'VISIT_RECORDED',
  'PAYROLL_RESUMES',
  'ACCOUNT_OPENED',
  'ACCOUNT_ACTIVATED',
  'ACCOUNT_OPENED_OR_ACTIVATED',
  'PENSION_HERE',
  'AGREEMENT_SIGNED',
  'MERCHANT_GROWTH',
  'RATE_APPLIED',
  'APPLICATION_APPROVED',
  'APP_FIRST_PAYMENT',
  'WALLET_OPENED',
] as const;

const localized = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

/**
 * An activity (PLAYBOOK.md): what it mines — `mine`, one SELECT over the feature tables with the
 * pipeline's templates, giving entity_id, customer_id (whom to contact; empty for an employer),
 * optionally entity_kind and product_code, and any further columns as facts — the reason people read
 * (a template over those columns: {column}, {column:yuan}), and how it is owned, worked, converted and
 * rewarded.
 */
const activity = z
  .object({
    id: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be UPPER_SNAKE_CASE'),
    program: z.enum(PROGRAMS),
    name: localized,
    phases: z
      .array(z.enum(PHASES))
      .min(1)
      .default([...PHASES]),
    entity: z.enum(LEAD_ENTITIES),
    owner: z.enum(OWNERS),
    channels: z.array(z.enum(TASK_CHANNELS)).min(1),
    products: z.array(z.string().min(1)).default([]),
    weight: decimal,
    propensity_prior: fraction,
    /** Numeric facts of the rule a logistic score learns from once past seasons' conversions exist. */
    propensity_features: z
      .array(z.string().regex(/^[a-z_][a-z_0-9]*$/, 'must be a column of the rule'))
      .optional(),
    value_per_conversion: decimal,
    /** A service task (EMPLOYER_VISIT, notices): no holdout, no contact caps, not counted as a conversion. */
    service: z.boolean().default(false),
    /** The youngest customer addressed (PLAYBOOK: 18 unless the activity says otherwise). */
    min_age: count.default(18),
    /**
     * A factor on the weight by the value of one of the rule's facts (EMPLOYER_VISIT: tier A first;
     * COUNTY_CREDIT: key counties): `{ fact: tier, weights: { A: 3, B: 2 } }`; other values weigh 1.
     */
    weight_by: z
      .object({
        fact: z.string().regex(/^[a-z_][a-z_0-9]*$/, 'must be a column of the rule'),
        weights: z.record(z.string(), decimal),
      })
      .strict()
      .optional(),
    conversion: z
      .object({
        event: z.enum(CONVERSION_EVENTS),
        account_types: z.array(z.enum(ACCOUNT_TYPES)).optional(),
        card_kind: z.string().optional(),
        biller_kinds: z.array(z.string()).optional(),
        app: z.string().optional(),
        window_days: count.default(60),
      })
      .strict(),
    incentive: z
      .object({ kind: z.enum(['POINTS', 'LIJIANJIN']), amount: decimal })
      .strict()
      .nullable()
      .default(null),
    mine: z.string().min(1),
    reason: localized,
  })
  .strict();
export type Activity = z.output<typeof activity>;

/** How a target's period is written (resolved against each season in src/kpis/periods.ts). */
const periodLabel = z
  .string()
  .regex(
    /^(SEASON|YEAR_END|NEW_YEAR|CONSOLIDATION|Q[1-4]|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$/,
    'must be SEASON, YEAR_END, NEW_YEAR, CONSOLIDATION, Q1–Q4 or YYYY-MM-DD..YYYY-MM-DD',
  );
export const BRIEFING_LEVELS = ['BRANCH', 'SUBBRANCH', 'OUTLET', 'STAFF'] as const;

/**
 * A target in the season file: for one org (`org`), every org of a level (`level`), or one staff
 * member (`staff`). Targets loaded into the database (`wangji targets load`) take precedence.
 */
const seasonTarget = z
  .object({
    kpi: z.enum(KPI_IDS),
    org: z.string().min(1).optional(),
    level: z.enum(['HQ', 'BRANCH', 'SUBBRANCH', 'OUTLET']).optional(),
    staff: z.string().min(1).optional(),
    period: periodLabel,
    target: decimal,
  })
  .strict()
  .refine((t) => [t.org, t.level, t.staff].filter((v) => v !== undefined).length === 1, {
    message: 'name exactly one of org, level or staff',
  });

/** A configured view of the weekly briefing (e.g. P10's third-generation card assessment). */
const briefingView = z
  .object({
    title: localized,
    kpis: z.array(z.enum(KPI_IDS)).min(1),
    periods: z.array(periodLabel).min(1).optional(),
    levels: z.array(z.enum(BRIEFING_LEVELS)).min(1).optional(),
  })
  .strict();

/** One field's masking rule (src/domain/masking.ts MaskRule). */
const maskRule = z
  .object({
    keep_head: z.number().int().min(0).max(32),
    keep_tail: z.number().int().min(0).max(32),
    min_length: z.number().int().min(1).max(128),
    short: z.enum(['STARS', 'KEEP_HEAD']).default('STARS'),
  })
  .strict()
  .refine((r) => r.min_length > r.keep_head + r.keep_tail, {
    message: 'min_length must exceed keep_head + keep_tail (at least one character is starred)',
    path: ['min_length'],
  });

export const seasonConfigSchema = z
  .object({
    season: z
      .object({
        start: monthDay
          .refine((v) => v >= '09-01', 'must be in September to December (the season runs over the year end)')
          .default('11-15'),
        end: monthDay
          .refine((v) => v <= '06-30' && v !== '02-29', 'must be in January to June, not 02-29')
          .default('03-31'),
        phases: z
          .record(
            z.string().regex(/^\d{4}$/, 'must be the season start year'),
            z
              .object({ YEAR_END: phaseOverride, NEW_YEAR: phaseOverride, CONSOLIDATION: phaseOverride })
              .partial()
              .strict(),
          )
          .default({}),
      })
      .strict(),
    thresholds: z
      .object({
        silver_age: count,
        elderly_strict_age: count,
        care_team_age: count,
        minor_activity_age: count,
        ssc_gen3_min_age: count,
        payroll_churn_min_avg3: count,
        payroll_churn_drop: fraction,
        employer_tier_a_amount: decimal,
        employer_tier_a_headcount: count,
        employer_tier_b_amount: decimal,
        employer_tier_b_headcount: count,
        laggard_gap: fraction,
        laggard_bottom_share: fraction,
        max_open_leads: count,
        holdout_basis_points: count.max(10_000),
        holdout_min_group: count,
        staff_daily_capacity: count,
        contact_cap_7d: count,
        quiet_hours: z.object({ from: time, to: time }).strict(),
        refusal_suppress_days: count,
        attribution_days: count,
        payroll_gift_ratio: fraction,
        silver_wealth_min_deposits: decimal,
        merchant_tier_proximity: fraction,
        merchant_growth: fraction,
        top_product_matches: count,
        task_due_days: count,
        product_match_propensity: fraction,
        product_match_value: decimal,
      })
      .strict(),
    spreads: z
      .object(
        Object.fromEntries(ACCOUNT_TYPES.map((t) => [t, decimal])) as Record<
          (typeof ACCOUNT_TYPES)[number],
          typeof decimal
        >,
      )
      .strict(),
    fee_tiers: z
      .array(z.object({ min_adb: decimal, rate: decimal }).strict())
      .min(1)
      .refine((tiers) => Number(tiers[0]?.min_adb) === 0, 'the first tier must start at min_adb 0')
      .refine(
        (tiers) => tiers.every((t, i) => i === 0 || Number(t.min_adb) > Number(tiers[i - 1]?.min_adb)),
        'tiers must be in increasing min_adb order',
      ),
    kpi: z.object({ adb_baseline: z.enum(['PREVIOUS_MONTH', 'PREVIOUS_YEAR']) }).strict(),
    biller_keywords: z.array(z.string().min(1)).min(1),
    key_counties: z.array(z.string().regex(/^\d{6}$/, 'must be a 6-digit GB/T 2260 code')).default([]),
    /** Incentive budgets per branch and kind (X4): `default` for every branch not listed. */
    budgets: z
      .object({
        default: z.object({ POINTS: decimal.optional(), LIJIANJIN: decimal.optional() }).strict().default({}),
        branches: z
          .record(
            z.string(),
            z.object({ POINTS: decimal.optional(), LIJIANJIN: decimal.optional() }).strict(),
          )
          .default({}),
      })
      .strict()
      .default({ default: {}, branches: {} }),
    /**
     * Masking of personal data per field (MISSION X5; src/domain/masking.ts): the rule of each field
     * given replaces its default.
     */
    masking: z
      .object({
        name: maskRule.optional(),
        phone: maskRule.optional(),
        id_no: maskRule.optional(),
        account: maskRule.optional(),
      })
      .strict()
      .default({}),
    holidays: z
      .array(z.object({ date, kind: z.enum(['HOLIDAY', 'WORKDAY']), name: z.string().min(1) }).strict())
      .default([]),
    targets: z.array(seasonTarget).default([]),
    briefing_views: z
      .record(
        z.string().regex(/^[a-z][a-z0-9_]*$/, 'a view name is lower-case letters, digits and _'),
        briefingView,
      )
      .default({}),
    activities: z
      .array(activity)
      .default([])
      .refine((list) => new Set(list.map((a) => a.id)).size === list.length, 'activity ids must be unique'),
  })
  .strict()
  .refine(
    (c) =>
      Number(c.thresholds.employer_tier_b_amount) <= Number(c.thresholds.employer_tier_a_amount) &&
      c.thresholds.employer_tier_b_headcount <= c.thresholds.employer_tier_a_headcount,
    { message: 'tier B thresholds must not exceed tier A', path: ['thresholds', 'employer_tier_b_amount'] },
  );

export type SeasonConfig = z.output<typeof seasonConfigSchema>;

export class SeasonConfigError extends Error {}

/** Parse and validate a season file's text; errors name the file, the field and the problem. */
export function parseSeasonConfig(text: string, file = 'season config'): SeasonConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new SeasonConfigError(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = seasonConfigSchema.safeParse(doc);
  if (!parsed.success) {
    const lines = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${file}: ${i.path.join('.') || '(document)'}: ${i.message}`);
    throw new SeasonConfigError(lines.join('\n'));
  }
  // The phases of every season a bank may run (and of every season the file overrides) must resolve.
  const calendar = new Calendar(parsed.data);
  const years = new Set([
    ...Array.from({ length: 12 }, (_, i) => 2024 + i),
    ...Object.keys(parsed.data.season.phases).map(Number),
  ]);
  for (const year of years) {
    try {
      calendar.season(year);
    } catch (e) {
      throw new SeasonConfigError(`${file}: season.phases: ${(e as Error).message}`);
    }
  }
  return parsed.data;
}

export function loadSeasonConfig(file = DEFAULT_SEASON_FILE): SeasonConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SeasonConfigError(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return parseSeasonConfig(text, file);
}

/** The JSON schema of the season file, for editors (season/season.schema.json). */
export function seasonJsonSchema(): unknown {
  return z.toJSONSchema(seasonConfigSchema, { io: 'input', unrepresentable: 'any' });
}
