// The merchants page's query (GET /api/merchants/pricing, src/server/routes/funnels.ts) and its shape.
// Key: ['merchants', org, negative].
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client';

export interface MerchantRow {
  merchant_id: string;
  merchant_name: string | null;
  merchant_type: string | null;
  /** Masked by the server (张*丰). */
  owner_name: string | null;
  org_id: string | null;
  org_name: string | null;
  merchant_adb: string | null;
  acq_amount_90: string | null;
  fee_income_90: string | null;
  fee_cost_90: string | null;
  coverage_ok: boolean | null;
  tier_rate: string | null;
  current_rate: string | null;
  proposed_rate: string | null;
  fee_income_change_90: string | null;
}

export interface MerchantPricing {
  asOf: string | null;
  org: { org_id: string; org_name: string | null; level: string | null; parent_id: string | null };
  total: number;
  merchants: MerchantRow[];
}

export function useMerchantPricing(org: string, negative: boolean) {
  return useQuery({
    queryKey: ['merchants', org, negative],
    queryFn: () =>
      api<MerchantPricing>('GET', '/api/merchants/pricing', {
        query: { org, negative: negative ? 'true' : 'false', limit: 5000 },
      }),
  });
}
