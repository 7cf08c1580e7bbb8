// Quarantined values as the operations API shows them. A quarantined row may hold personal data
// (names, ID numbers, phones, beneficiary accounts), and a refused value is often in the wrong column
// (a shifted record puts a phone under birth_date). So: personal columns are masked by their kind
// (src/domain/masking.ts), a record that could not be parsed is withheld (its length only), and in
// every other column each run of 7 or more digits is masked as an ID number (15 or more) or a phone.
// A name in the wrong column cannot be told from other text: the value of a text column is shown.

import { mask } from '../domain/masking.js';
import { EXTRACT_BY_NAME } from '../extracts/contract.js';
import { printableValue } from '../extracts/report.js';

const DIGIT_RUN = /[0-9]{7,}[0-9Xx]?/g;

/** Mask every long digit run of a text (ID numbers, phones, account numbers). */
export function maskDigitRuns(text: string): string {
  return text.replace(DIGIT_RUN, (m) => mask(m.length >= 15 ? 'id_no' : 'phone', m) ?? '');
}

/** A quarantined value, safe to show (see the head of this file). */
export function maskQuarantined(extract: string, column: string | null, value: string | null): string | null {
  const shown = printableValue(extract, column, value);
  if (shown === null || column === null) return shown;
  const personal = EXTRACT_BY_NAME.get(extract)?.columns.find((c) => c.name === column)?.personal;
  return personal ? shown : maskDigitRuns(shown);
}
