import { describe, expect, it } from 'vitest';
import type { CustomerCard } from '../../api/types';
import { maxRating, suitabilityNotes } from './suitability';

const card = (o: Partial<CustomerCard>): CustomerCard => ({
  customer_id: 'C1',
  name: '张*伟',
  phone: '138****0000',
  id_no: '420102********1001',
  gender: 'M',
  home_org_id: 'O1',
  home_org_name: '网点',
  manager_id: 'S1',
  risk_level: 'C3',
  marketing_consent: 'Y',
  dnd: 'N',
  customer_since: '2020-01-01',
  marketing_refused: false,
  ...o,
});

describe('suitability notes', () => {
  it('map the risk level to the highest product rating', () => {
    expect(maxRating('C1')).toBe('R1');
    expect(maxRating('C5')).toBe('R5');
    expect(maxRating(null)).toBeNull();
    expect(maxRating('X')).toBeNull();
  });

  it('name the restrictions in force, the refusal of all marketing first', () => {
    expect(suitabilityNotes(card({})).map((n) => n.key)).toEqual(['tasks.riskNote']);
    expect(
      suitabilityNotes(
        card({ marketing_refused: true, dnd: 'Y', marketing_consent: 'N', risk_level: null }),
      ).map((n) => n.key),
    ).toEqual(['tasks.refusedAll', 'tasks.dndOn', 'tasks.noConsent', 'tasks.riskUnknown']);
  });
});
