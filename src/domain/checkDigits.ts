// Check digits of the identifiers in the extracts, in TypeScript (generator, tests) and as SQL
// expressions (the loader's set-based validation). A test holds both equal on both engines.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 citizen ID: 18 characters with the mod 11-2 check digit, or a legacy 15-digit number. */
export function isValidIdCard(id: string): boolean {
  if (/^\d{15}$/.test(id)) return true;
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return id[17] === idCardCheckChar(id.slice(0, 17));
}

export function idCardCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 unified social credit code: 18 characters of its 31-character set, mod 31 check. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return code[17] === usccCheckChar(code.slice(0, 17));
}

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i] as string) * (USCC_WEIGHTS[i] as number);
  return USCC_CHARS[(31 - (sum % 31)) % 31] as string;
}

/** A bank card number: 16–19 digits with a Luhn check digit. */
export function isValidCardNumber(no: string): boolean {
  return /^\d{16,19}$/.test(no) && luhnSum(no) % 10 === 0;
}

export function luhnCheckDigit(body: string): string {
  return String((10 - (luhnSum(`${body}0`) % 10)) % 10);
}

function luhnSum(no: string): number {
  let sum = 0;
  for (let p = 1; p <= no.length; p++) {
    const d = Number(no[no.length - p]);
    sum += p % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
  }
  return sum;
}

// SQL versions. `x` is a VARCHAR expression; each returns a boolean expression. The callers guard
// NULLs; every CAST below runs only after the pattern check has passed (CASE evaluates in order).

const digitAt = (x: string, pos: string) => `CAST(substr(${x}, ${pos}, 1) AS INTEGER)`;

export function idCardValidSql(x: string, fullMatch: (e: string, p: string) => string): string {
  const sum = ID_WEIGHTS.map((w, i) => `${digitAt(x, String(i + 1))} * ${w}`).join(' + ');
  return `(CASE WHEN ${fullMatch(x, '[0-9]{15}')} THEN TRUE
    WHEN ${fullMatch(x, '[0-9]{17}[0-9X]')} THEN substr(${x}, 18, 1) = substr('${ID_CHECK}', ((${sum}) % 11) + 1, 1)
    ELSE FALSE END)`;
}

export function usccValidSql(x: string, fullMatch: (e: string, p: string) => string): string {
  const sum = USCC_WEIGHTS.map(
    (w, i) => `(strpos('${USCC_CHARS}', substr(${x}, ${i + 1}, 1)) - 1) * ${w}`,
  ).join(' + ');
  return `(CASE WHEN ${fullMatch(x, '[0-9A-HJ-NPQRTUWXY]{18}')}
    THEN substr(${x}, 18, 1) = substr('${USCC_CHARS}', ((31 - ((${sum}) % 31)) % 31) + 1, 1) ELSE FALSE END)`;
}

export function luhnValidSql(x: string, fullMatch: (e: string, p: string) => string): string {
  // Position p counted from the right; every second digit is doubled, through a lookup of d*2 digit sums.
  const terms: string[] = [];
  for (let p = 1; p <= 19; p++) {
    const pos = `length(${x}) - ${p - 1}`;
    const term =
      p % 2 === 0 ? `CAST(substr('0246813579', ${digitAt(x, pos)} + 1, 1) AS INTEGER)` : digitAt(x, pos);
    terms.push(p <= 16 ? term : `(CASE WHEN length(${x}) >= ${p} THEN ${term} ELSE 0 END)`);
  }
  return `(CASE WHEN ${fullMatch(x, '[0-9]{16,19}')} THEN (${terms.join(' + ')}) % 10 = 0 ELSE FALSE END)`;
}
