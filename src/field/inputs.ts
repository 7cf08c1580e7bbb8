// The shapes of field-operation input and output (zod: the boundary), shared by the repositories and
// the routes. Free text is bounded; dates are real calendar dates (YYYY-MM-DD).

import { z } from 'zod';
import { isRealDate } from '../domain/dates.js';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine(isRealDate, 'not a calendar date');

/** Free text of at most n characters, trimmed; empty → null. */
export const freeText = (n: number) =>
  z
    .string()
    .max(n)
    .transform((s) => (s.trim() === '' ? null : s.trim()));

/** A name or place typed by a person (required, 1–200 characters after trimming). */
export const label = z.string().trim().min(1).max(200);

export const id = z.string().trim().min(1).max(64);

/** A count typed by a team (0 … 1,000,000). */
export const count = z.number().int().min(0).max(1_000_000);

export const division = z.string().regex(/^\d{6}$/, 'a 6-digit division code');

/** A staff list: 1–30 distinct ids. */
export const staffIds = z
  .array(id)
  .min(1)
  .max(30)
  .refine((a) => new Set(a).size === a.length, 'each staff member once');

/** At least one field given (a PATCH that changes nothing is a mistake of the caller). */
export const nonEmpty = <T extends Record<string, unknown>>(o: T) =>
  Object.values(o).some((v) => v !== undefined);

export const numericId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
