// Partner institutions for cross-border tuition (B2): international schools, universities and study-
// abroad agencies that supply lists of students and parents. Beside the lists the partner says it gave
// (lists_received, last_list_on), the prospects extract shows what arrived: prospects whose source is
// the partner's kind and whose source_name is its name, and of those, who consented. The contact
// person's name and phone are personal data: answered masked, always.

import { z } from 'zod';
import type { Db } from '../db/types.js';
import { mask } from '../domain/masking.js';
import { type Bind, day, iso, maskedText, nextId, num, str, ts, updateRow, type Writer } from './common.js';
import { count, freeText, id, isoDate, label, nonEmpty } from './inputs.js';

export const PARTNER_KINDS = ['SCHOOL', 'UNIVERSITY', 'STUDY_AGENCY'] as const;
export const PARTNER_STATUSES = ['PROSPECTING', 'AGREED', 'ACTIVE', 'PAUSED', 'ENDED'] as const;

const phone = z
  .string()
  .trim()
  .regex(/^[0-9+\- ]{5,20}$/, 'a phone number');

export const partnerCreate = z.object({
  org_id: id.optional().describe('default: your org'),
  name: label.describe("as the prospects extract's source_name names it"),
  kind: z.enum(PARTNER_KINDS),
  institution_id: id.optional().describe('an overseas institution of the extract'),
  contact_name: label.optional(),
  contact_phone: phone.optional(),
  lists_received: count.default(0),
  last_list_on: isoDate.optional(),
  status: z.enum(PARTNER_STATUSES).default('PROSPECTING'),
  notes: freeText(2000).optional(),
});

export const partnerPatch = z
  .object({
    contact_name: label.nullable().optional(),
    contact_phone: phone.nullable().optional(),
    lists_received: count.optional(),
    last_list_on: isoDate.nullable().optional(),
    status: z.enum(PARTNER_STATUSES).optional(),
    institution_id: id.nullable().optional(),
    notes: freeText(2000).optional(),
  })
  .refine(nonEmpty, 'nothing to change');

export const partnerView = z.object({
  partner_id: z.number(),
  org_id: z.string(),
  name: z.string(),
  kind: z.string(),
  institution_id: z.string().nullable(),
  contact_name: z.string().nullable().describe('masked'),
  contact_phone: z.string().nullable().describe('masked'),
  lists_received: z.number(),
  last_list_on: z.string().nullable(),
  status: z.string(),
  prospects: z.object({
    received: z.number().describe('prospects of the extract from this partner (source and source_name)'),
    consented: z.number(),
  }),
  has_notes: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string().nullable(),
});
export const partnerDetail = partnerView.extend({
  notes: z.string().nullable().describe('digit runs masked'),
});

type View = z.infer<typeof partnerView>;

export async function createPartner(
  tx: Db,
  p: z.infer<typeof partnerCreate> & { org_id: string },
  w: Writer,
): Promise<number> {
  const partnerId = await nextId(tx, 'tuition_partners', 'partner_id');
  await tx.execute(
    `INSERT INTO tuition_partners (partner_id, org_id, name, kind, institution_id, contact_name, contact_phone,
                                   lists_received, last_list_on, status, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS DATE), $10, $11, $12, CAST($13 AS TIMESTAMP))`,
    [
      partnerId,
      p.org_id,
      p.name,
      p.kind,
      p.institution_id ?? null,
      p.contact_name ?? null,
      p.contact_phone ?? null,
      p.lists_received,
      p.last_list_on ?? null,
      p.status,
      p.notes ?? null,
      w.username,
      ts(w.at),
    ],
  );
  return partnerId;
}

export async function updatePartner(
  tx: Db,
  partnerId: number,
  patch: z.infer<typeof partnerPatch>,
  w: Writer,
): Promise<string[]> {
  return updateRow(
    tx,
    'tuition_partners',
    'partner_id',
    partnerId,
    patch,
    {
      contact_name: 'contact_name',
      contact_phone: 'contact_phone',
      lists_received: 'lists_received',
      last_list_on: 'last_list_on:DATE',
      status: 'status',
      institution_id: 'institution_id',
      notes: 'notes',
    },
    w,
  );
}

const COLUMNS = `tp.partner_id, tp.org_id, tp.name, tp.kind, tp.institution_id, tp.contact_name, tp.contact_phone,
  tp.lists_received, tp.last_list_on, tp.status, tp.notes, tp.created_by, tp.created_at, tp.updated_at,
  (SELECT count(*) FROM prospects pr WHERE pr.source = tp.kind AND pr.source_name = tp.name) AS received,
  (SELECT count(*) FROM prospects pr WHERE pr.source = tp.kind AND pr.source_name = tp.name AND pr.consent = 'Y') AS consented`;

function toView(r: Record<string, unknown>): View {
  return {
    partner_id: Number(r.partner_id),
    org_id: String(r.org_id),
    name: String(r.name),
    kind: String(r.kind),
    institution_id: str(r.institution_id),
    contact_name: mask('name', str(r.contact_name)),
    contact_phone: mask('phone', str(r.contact_phone)),
    lists_received: Number(r.lists_received),
    last_list_on: day(r.last_list_on),
    status: String(r.status),
    prospects: { received: num(r.received) ?? 0, consented: num(r.consented) ?? 0 },
    has_notes: r.notes !== null,
    created_by: String(r.created_by),
    created_at: iso(r.created_at) as string,
    updated_at: iso(r.updated_at),
  };
}

export async function listPartners(
  db: Db,
  scope: string,
  params: Bind,
  f: { org?: string; kind?: string; status?: string },
  limit: number,
): Promise<View[]> {
  const where = [scope];
  if (f.org) where.push(`tp.org_id = ${params.add(f.org)}`);
  if (f.kind) where.push(`tp.kind = ${params.add(f.kind)}`);
  if (f.status) where.push(`tp.status = ${params.add(f.status)}`);
  const rows = await db.query(
    `SELECT ${COLUMNS} FROM tuition_partners tp WHERE ${where.join(' AND ')} ORDER BY tp.partner_id LIMIT ${limit}`,
    params.values,
  );
  return rows.map(toView);
}

export async function getPartner(db: Db, partnerId: number): Promise<z.infer<typeof partnerDetail> | null> {
  const [r] = await db.query(`SELECT ${COLUMNS} FROM tuition_partners tp WHERE tp.partner_id = $1`, [
    partnerId,
  ]);
  return r ? { ...toView(r), notes: maskedText(str(r.notes)) } : null;
}
