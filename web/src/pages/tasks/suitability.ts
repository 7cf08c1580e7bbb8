// The suitability notes on a customer card (PLAYBOOK: product match respects suitability): which
// product risk ratings the customer's risk level allows, and the contact restrictions in force.
import type { CustomerCard } from '../../api/types';

export type Note = { key: string; params?: Record<string, string>; level: 'warning' | 'info' | 'error' };

/** C1…C5 may take products rated R1 up to the same number. */
export const maxRating = (riskLevel: string | null): string | null => {
  const m = /^C([1-5])$/.exec(riskLevel ?? '');
  return m ? `R${m[1]}` : null;
};

export function suitabilityNotes(c: CustomerCard): Note[] {
  const notes: Note[] = [];
  if (c.marketing_refused) notes.push({ key: 'tasks.refusedAll', level: 'error' });
  if (c.dnd === 'Y') notes.push({ key: 'tasks.dndOn', level: 'warning' });
  if (c.marketing_consent === 'N') notes.push({ key: 'tasks.noConsent', level: 'warning' });
  const rating = maxRating(c.risk_level);
  notes.push(
    rating
      ? { key: 'tasks.riskNote', params: { level: c.risk_level ?? '', rating }, level: 'info' }
      : { key: 'tasks.riskUnknown', level: 'warning' },
  );
  return notes;
}
