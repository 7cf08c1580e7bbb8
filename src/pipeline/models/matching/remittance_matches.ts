// remittance_matches(remittance_id, institution_id, match_kind, score): every remittance of the last
// three years matched to a supported institution (METRICS.md Institution matching). Matching is
// TypeScript (normalisation, typo tolerance): remittances are streamed out, matched in memory against
// the institution list, and written back in one bulk load.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent } from '../../../db/dialect.js';
import { threeYearsBefore } from '../../../domain/dates.js';
import { CsvWriter } from '../../../generator/csv.js';
import { type Beneficiary, type Institution, InstitutionMatcher } from '../../../matching/institutions.js';
import type { Model } from '../../models.js';

export const remittanceMatchesModel: Model = {
  name: 'remittance_matches',
  stage: 'matching',
  description:
    'remittances in (D − 3 years, D] matched to a supported institution: EXACT_BIC, EXACT_NAME or PROBABLE (PROBABLE is for review and never makes a tuition remitter)',
  reads: ['remittances', 'overseas_institutions'],
  key: ['remittance_id'],
  async build(db, ctx, target) {
    const institutions = await db.query<Institution & Record<string, string | null>>(
      `SELECT institution_id, institution_name, country, swift_bic, account_no, aliases, supports_tuition
         FROM overseas_institutions ORDER BY institution_id`,
    );
    const matcher = new InstitutionMatcher(institutions);
    const dir = await mkdtemp(join(tmpdir(), 'wangji-match-'));
    try {
      const file = join(dir, 'matches.csv');
      const columns = ['remittance_id', 'institution_id', 'match_kind', 'score'];
      const out = new CsvWriter(file, columns, { header: false });
      for await (const batch of db.stream<
        { remittance_id: string } & Beneficiary & Record<string, string | null>
      >(
        `SELECT remittance_id, beneficiary_name, beneficiary_account, beneficiary_bic, beneficiary_country
           FROM remittances WHERE remit_date > $1 AND remit_date <= $2 ORDER BY remittance_id`,
        [threeYearsBefore(ctx.asOf), ctx.asOf],
      )) {
        for (const r of batch) {
          const m = matcher.match(r);
          if (m) out.row([r.remittance_id, m.institutionId, m.kind, m.score.toFixed(3)]);
        }
      }
      out.close();
      await db.exec(
        `CREATE TABLE ${quoteIdent(target)} (remittance_id VARCHAR, institution_id VARCHAR, match_kind VARCHAR, score DECIMAL(4,3))`,
      );
      await db.bulkLoad(target, columns, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
