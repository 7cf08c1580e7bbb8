// The daily extracts of ../shared/spec/DATA-CONTRACT.md, as data. The loader, the migrations' column
// types, the masked views and the sample generator all read this one table.

/** How a column's text is checked and stored. */
export type ColumnType =
  | { kind: 'text' }
  | { kind: 'code' } // an identifier or code: stored as given (trimmed)
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'flag' } // Y/N; empty means N
  | { kind: 'date'; range: 'fact' | 'life' | 'plan' }
  | { kind: 'amount'; signed?: boolean } // yuan, at most 2 decimals
  | { kind: 'rate' } // at most 6 decimals, >= 0
  | { kind: 'count' } // non-negative integer
  | { kind: 'day_of_month' }
  | { kind: 'division' } // 6-digit GB/T 2260 code
  | { kind: 'country' } // ISO 3166-1 alpha-2
  | { kind: 'currency' }; // ISO 4217

/** A special check beyond the column type. */
export type RowCheck =
  | 'id_card' // id_no when id_type = ID_CARD: GB 11643-1999
  | 'uscc' // unified social credit code: GB 32100-2015
  | 'card_luhn'; // account_id of a DEBIT_CARD/CREDIT_CARD account: Luhn

export interface Column {
  name: string;
  type: ColumnType;
  required?: boolean;
  /** Hard reference: an unknown value quarantines the row. */
  ref?: { extract: string; column: string };
  /** Soft reference: the value is kept and an unknown one is counted as a warning. */
  softRef?: { extract: string; column: string };
  personal?: 'name' | 'id_no' | 'phone' | 'account';
  check?: RowCheck;
  /** Stored upper-case (codes such as ID numbers). */
  upper?: boolean;
}

export interface Extract {
  name: string;
  kind: 'reference' | 'fact';
  columns: Column[];
  key: string[];
  /** For upserts where the earliest value of this date stands across deliveries (app_events). */
  earliest?: string;
}

const text = { kind: 'text' } as const;
const code = { kind: 'code' } as const;
const flag = { kind: 'flag' } as const;
const division = { kind: 'division' } as const;
const amount = { kind: 'amount' } as const;
const factDate = { kind: 'date', range: 'fact' } as const;
const lifeDate = { kind: 'date', range: 'life' } as const;
const planDate = { kind: 'date', range: 'plan' } as const;
const oneOf = (...values: string[]): ColumnType => ({ kind: 'enum', values });

export const ORG_LEVELS = ['HQ', 'BRANCH', 'SUBBRANCH', 'OUTLET', 'REMOTE_CENTER'] as const;
export const STAFF_ROLES = [
  'ACCOUNT_MANAGER',
  'CORPORATE_RM',
  'LOBBY',
  'TELLER',
  'OUTLET_MANAGER',
  'SUBBRANCH_MANAGER',
  'BRANCH_MANAGER',
  'HQ_OPS',
  'REMOTE_AGENT',
] as const;
export const OCCUPATIONS = [
  'CIVIL_SERVANT',
  'MILITARY',
  'PUBLIC_INSTITUTION',
  'ENTERPRISE',
  'FINANCIAL',
  'AGRI_OFFICIAL',
  'VILLAGE_COMMITTEE',
  'ASSIST_CADRE',
  'COOP_STAFF',
  'FARMER',
  'RURAL_WORKER',
  'MIGRANT_WORKER',
  'STUDENT',
  'RETIRED',
  'SELF_EMPLOYED',
  'OTHER',
] as const;
/** The stable-income groups of the county credit card (MISSION C4, PLAYBOOK COUNTY_CREDIT). */
export const COUNTY_CREDIT_OCCUPATIONS = [
  'CIVIL_SERVANT',
  'MILITARY',
  'PUBLIC_INSTITUTION',
  'ENTERPRISE',
  'FINANCIAL',
  'AGRI_OFFICIAL',
  'VILLAGE_COMMITTEE',
  'ASSIST_CADRE',
  'COOP_STAFF',
] as const satisfies readonly (typeof OCCUPATIONS)[number][];
export const PRODUCT_CATEGORIES = [
  'DEPOSIT',
  'TIME_DEPOSIT',
  'WEALTH',
  'FUND',
  'INSURANCE',
  'GOLD',
  'CARD',
  'CREDIT_CARD',
  'LOAN',
  'PAYMENT',
  'APP',
  'ECNY',
] as const;
export const ACCOUNT_TYPES = [
  'DEBIT_CARD',
  'SAVINGS',
  'TIME_DEPOSIT',
  'WEALTH',
  'FUND',
  'INSURANCE',
  'GOLD',
  'CREDIT_CARD',
  'LOAN',
] as const;
export const CARD_KINDS = [
  'SSC_GEN3',
  'SSC_GEN2',
  'COUNTY_DEBIT',
  'STANDARD',
  'COUNTY_CREDIT',
  'STANDARD_CREDIT',
] as const;
export const OPEN_CHANNELS = [
  'COUNTER',
  'LOBBY_PAD',
  'DOOR_TEAM',
  'BACKPACK_TEAM',
  'CARE_TEAM',
  'SERVICE_POINT',
  'APP',
  'VTM',
  'REMOTE',
] as const;
export const MERCHANT_TYPES = [
  'CHAIN',
  'SUPPLY_CHAIN_DEALER',
  'PRO_MARKET',
  'BUSINESS_DISTRICT',
  'STREET',
  'VEG_MARKET',
] as const;
export const BILLER_KINDS = [
  'WATER',
  'POWER',
  'GAS',
  'TELECOM',
  'SOCIAL_INSURANCE',
  'TUITION_CROSS_BORDER',
  'OTHER',
] as const;
export const RISK_LEVELS = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
export const RISK_RATINGS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;

const ref = (extract: string, column: string) => ({ extract, column });

/** In dependency order: an extract's hard references point only to extracts before it (or itself). */
export const EXTRACTS: readonly Extract[] = [
  {
    name: 'orgs',
    kind: 'reference',
    key: ['org_id'],
    columns: [
      { name: 'org_id', type: code, required: true },
      { name: 'org_name', type: text },
      { name: 'level', type: oneOf(...ORG_LEVELS) },
      // Required except at HQ: the loader checks "empty exactly when level = HQ".
      { name: 'parent_id', type: code, ref: ref('orgs', 'org_id') },
      { name: 'division_code', type: division },
    ],
  },
  {
    name: 'products',
    kind: 'reference',
    key: ['product_code'],
    columns: [
      { name: 'product_code', type: code, required: true, upper: true },
      { name: 'product_name', type: text },
      { name: 'category', type: oneOf(...PRODUCT_CATEGORIES) },
      { name: 'risk_rating', type: oneOf(...RISK_RATINGS) },
      { name: 'min_age', type: { kind: 'count' } },
      { name: 'max_age', type: { kind: 'count' } },
      { name: 'card_kind', type: oneOf(...CARD_KINDS) },
      { name: 'division_codes', type: text },
    ],
  },
  {
    name: 'staff',
    kind: 'reference',
    key: ['staff_id'],
    columns: [
      { name: 'staff_id', type: code, required: true },
      { name: 'org_id', type: code, required: true, ref: ref('orgs', 'org_id') },
      { name: 'staff_name', type: text },
      { name: 'role', type: oneOf(...STAFF_ROLES) },
      { name: 'team', type: oneOf('DOOR', 'BACKPACK', 'CARE') },
    ],
  },
  {
    name: 'customers',
    kind: 'reference',
    key: ['customer_id'],
    columns: [
      { name: 'customer_id', type: code, required: true },
      { name: 'name', type: text, personal: 'name' },
      { name: 'id_type', type: oneOf('ID_CARD', 'PASSPORT', 'OTHER') },
      { name: 'id_no', type: code, personal: 'id_no', check: 'id_card', upper: true },
      { name: 'gender', type: oneOf('M', 'F') },
      { name: 'birth_date', type: lifeDate },
      { name: 'phone', type: code, personal: 'phone' },
      { name: 'home_org_id', type: code, required: true, ref: ref('orgs', 'org_id') },
      { name: 'manager_id', type: code, softRef: ref('staff', 'staff_id') },
      { name: 'division_code', type: division },
      { name: 'occupation', type: oneOf(...OCCUPATIONS) },
      { name: 'customer_since', type: lifeDate },
      { name: 'risk_level', type: oneOf(...RISK_LEVELS) },
      { name: 'marketing_consent', type: flag },
      { name: 'dnd', type: flag },
    ],
  },
  {
    name: 'relationships',
    kind: 'reference',
    // A guardian of two minors has two rows: the whole row is the key (docs/decisions.md).
    key: ['customer_id', 'related_customer_id', 'relation'],
    columns: [
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'related_customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'relation', type: oneOf('GUARDIAN_OF'), required: true },
    ],
  },
  {
    name: 'accounts',
    kind: 'reference',
    key: ['account_id'],
    columns: [
      { name: 'account_id', type: code, required: true, check: 'card_luhn' },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'product_code', type: code, required: true, upper: true, ref: ref('products', 'product_code') },
      { name: 'account_type', type: oneOf(...ACCOUNT_TYPES) },
      { name: 'card_kind', type: oneOf(...CARD_KINDS) },
      { name: 'open_date', type: lifeDate, required: true },
      { name: 'close_date', type: lifeDate },
      { name: 'activated_date', type: lifeDate },
      { name: 'open_org_id', type: code, softRef: ref('orgs', 'org_id') },
      { name: 'open_staff_id', type: code, softRef: ref('staff', 'staff_id') },
      { name: 'open_channel', type: oneOf(...OPEN_CHANNELS) },
    ],
  },
  {
    name: 'employers',
    kind: 'reference',
    key: ['employer_id'],
    columns: [
      { name: 'employer_id', type: code, required: true },
      { name: 'employer_name', type: text },
      { name: 'uscc', type: code, check: 'uscc', upper: true },
      { name: 'industry', type: text },
      { name: 'is_government', type: flag },
      { name: 'org_id', type: code, required: true, ref: ref('orgs', 'org_id') },
      { name: 'corporate_rm_id', type: code, softRef: ref('staff', 'staff_id') },
      { name: 'division_code', type: division },
    ],
  },
  {
    name: 'merchants',
    kind: 'reference',
    key: ['merchant_id'],
    columns: [
      { name: 'merchant_id', type: code, required: true },
      { name: 'merchant_name', type: text },
      { name: 'owner_customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'settlement_account_id', type: code, softRef: ref('accounts', 'account_id') },
      { name: 'merchant_type', type: oneOf(...MERCHANT_TYPES) },
      { name: 'cluster_name', type: text },
      { name: 'org_id', type: code, required: true, ref: ref('orgs', 'org_id') },
      { name: 'near_employer_id', type: code, softRef: ref('employers', 'employer_id') },
      { name: 'onboard_date', type: lifeDate },
      { name: 'fee_rate', type: { kind: 'rate' } },
    ],
  },
  {
    name: 'overseas_institutions',
    kind: 'reference',
    key: ['institution_id'],
    columns: [
      { name: 'institution_id', type: code, required: true },
      { name: 'institution_name', type: text },
      { name: 'country', type: { kind: 'country' } },
      { name: 'swift_bic', type: code, upper: true },
      { name: 'account_no', type: code },
      { name: 'aliases', type: text },
      { name: 'supports_tuition', type: flag },
    ],
  },
  {
    name: 'benefit_programs',
    kind: 'reference',
    key: ['program_id'],
    columns: [
      { name: 'program_id', type: code, required: true },
      { name: 'program_name', type: text },
      { name: 'kind', type: oneOf('PENSION', 'FARM_SUBSIDY', 'OTHER_SUBSIDY') },
      { name: 'division_code', type: division },
      { name: 'into_ssc', type: flag },
      { name: 'pay_day', type: { kind: 'day_of_month' } },
      { name: 'start_date', type: planDate },
      { name: 'end_date', type: planDate },
    ],
  },
  {
    name: 'assistance_actions',
    kind: 'reference',
    key: ['action_id'],
    columns: [
      { name: 'action_id', type: code, required: true },
      { name: 'division_code', type: division },
      { name: 'counterpart', type: text },
      { name: 'action', type: text },
      { name: 'owner_org_id', type: code, softRef: ref('orgs', 'org_id') },
      { name: 'due_date', type: planDate },
      { name: 'status', type: oneOf('PLANNED', 'DONE') },
    ],
  },
  {
    name: 'payroll',
    kind: 'fact',
    key: ['payroll_id'],
    columns: [
      { name: 'payroll_id', type: code, required: true },
      { name: 'employer_id', type: code, required: true, ref: ref('employers', 'employer_id') },
      { name: 'project_code', type: code },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'account_id', type: code, required: true, ref: ref('accounts', 'account_id') },
      { name: 'pay_date', type: factDate, required: true },
      { name: 'amount', type: amount, required: true },
    ],
  },
  {
    name: 'benefit_credits',
    kind: 'fact',
    key: ['credit_id'],
    columns: [
      { name: 'credit_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'account_id', type: code, required: true, ref: ref('accounts', 'account_id') },
      { name: 'program_id', type: code, required: true, ref: ref('benefit_programs', 'program_id') },
      { name: 'credit_date', type: factDate, required: true },
      { name: 'amount', type: amount, required: true },
    ],
  },
  {
    name: 'transfers',
    kind: 'fact',
    key: ['transfer_id'],
    columns: [
      { name: 'transfer_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'account_id', type: code, required: true, ref: ref('accounts', 'account_id') },
      { name: 'txn_date', type: factDate, required: true },
      { name: 'direction', type: oneOf('IN', 'OUT') },
      { name: 'amount', type: amount, required: true },
      { name: 'counterparty_name', type: text },
      { name: 'counterparty_bank', type: text },
      { name: 'remark', type: text },
    ],
  },
  {
    name: 'remittances',
    kind: 'fact',
    key: ['remittance_id'],
    columns: [
      { name: 'remittance_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'remit_date', type: factDate, required: true },
      { name: 'currency', type: { kind: 'currency' } },
      { name: 'amount', type: amount, required: true },
      { name: 'amount_cny', type: amount, required: true },
      { name: 'beneficiary_name', type: text },
      { name: 'beneficiary_account', type: code, personal: 'account' },
      { name: 'beneficiary_bic', type: code, upper: true },
      { name: 'beneficiary_country', type: { kind: 'country' } },
      { name: 'purpose', type: oneOf('TUITION', 'LIVING', 'OTHER') },
    ],
  },
  {
    name: 'balances',
    kind: 'fact',
    key: ['account_id', 'balance_date'],
    columns: [
      { name: 'account_id', type: code, required: true, ref: ref('accounts', 'account_id') },
      { name: 'balance_date', type: factDate, required: true },
      { name: 'balance', type: { kind: 'amount', signed: true }, required: true },
    ],
  },
  {
    name: 'acquiring',
    kind: 'fact',
    key: ['merchant_id', 'txn_date'],
    columns: [
      { name: 'merchant_id', type: code, required: true, ref: ref('merchants', 'merchant_id') },
      { name: 'txn_date', type: factDate, required: true },
      { name: 'txn_count', type: { kind: 'count' } },
      { name: 'txn_amount', type: amount, required: true },
      { name: 'fee_income', type: amount, required: true },
      { name: 'fee_cost', type: amount, required: true },
    ],
  },
  {
    name: 'bill_agreements',
    kind: 'fact',
    key: ['agreement_id'],
    columns: [
      { name: 'agreement_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'account_id', type: code, required: true, ref: ref('accounts', 'account_id') },
      { name: 'biller_kind', type: oneOf(...BILLER_KINDS) },
      { name: 'signed_date', type: factDate, required: true },
      { name: 'cancelled_date', type: factDate },
    ],
  },
  {
    name: 'app_events',
    kind: 'fact',
    key: ['customer_id', 'app', 'event'],
    earliest: 'event_date',
    columns: [
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'app', type: oneOf('COUNTY_APP', 'MOBILE_BANK'), required: true },
      { name: 'event', type: oneOf('REGISTER', 'FIRST_PAYMENT'), required: true },
      { name: 'event_date', type: factDate, required: true },
    ],
  },
  {
    name: 'ecny_wallets',
    kind: 'fact',
    key: ['wallet_id'],
    columns: [
      { name: 'wallet_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'opened_date', type: factDate, required: true },
      { name: 'bound_account_id', type: code, softRef: ref('accounts', 'account_id') },
    ],
  },
  {
    name: 'prospects',
    kind: 'fact',
    key: ['prospect_id'],
    columns: [
      { name: 'prospect_id', type: code, required: true },
      { name: 'name', type: text, personal: 'name' },
      { name: 'phone', type: code, personal: 'phone' },
      { name: 'id_no', type: code, personal: 'id_no', upper: true },
      { name: 'source', type: oneOf('SCHOOL', 'UNIVERSITY', 'STUDY_AGENCY', 'EMPLOYER', 'EVENT') },
      { name: 'source_name', type: text },
      { name: 'target_institution', type: text },
      { name: 'division_code', type: division },
      { name: 'consent', type: flag },
      { name: 'collected_date', type: factDate },
    ],
  },
  {
    name: 'credit_card_applications',
    kind: 'fact',
    key: ['application_id'],
    columns: [
      { name: 'application_id', type: code, required: true },
      { name: 'customer_id', type: code, required: true, ref: ref('customers', 'customer_id') },
      { name: 'product_code', type: code, required: true, upper: true, ref: ref('products', 'product_code') },
      { name: 'apply_date', type: factDate, required: true },
      { name: 'status', type: oneOf('PENDING', 'APPROVED', 'DECLINED') },
      { name: 'decision_date', type: factDate },
    ],
  },
];

export const EXTRACT_BY_NAME: ReadonlyMap<string, Extract> = new Map(EXTRACTS.map((e) => [e.name, e]));

/** The SQL type a column is stored as (both engines). */
export function sqlType(t: ColumnType): string {
  switch (t.kind) {
    case 'date':
      return 'DATE';
    case 'amount':
      return 'DECIMAL(18,2)';
    case 'rate':
      return 'DECIMAL(12,6)';
    case 'count':
    case 'day_of_month':
      return 'INTEGER';
    case 'text':
    case 'code':
    case 'enum':
    case 'flag':
    case 'division':
    case 'country':
    case 'currency':
      return 'VARCHAR';
  }
}

/** Columns whose Parquet type must not be floating point (money must stay exact). */
export function isMoney(t: ColumnType): boolean {
  return t.kind === 'amount' || t.kind === 'rate';
}
