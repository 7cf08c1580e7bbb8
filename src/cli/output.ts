// Every command prints through here: aligned tables for a terminal, JSON for scripts (--json).
// Progress goes to stderr so that stdout stays clean for pipes.

export interface Output {
  json: boolean;
  /** A result: its JSON form with --json, else the lines of its text form. */
  result(value: unknown, text: () => string[]): void;
  progress(message: string): void;
  error(message: string): void;
}

export function makeOutput(json: boolean, out = process.stdout, err = process.stderr): Output {
  return {
    json,
    result(value, text) {
      out.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text().join('\n')}\n`);
    },
    progress(message) {
      err.write(`${message}\n`);
    },
    error(message) {
      err.write(`wangji: ${message}\n`);
    },
  };
}

/** Display width: CJK and full-width characters take two columns. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

export type Align = 'left' | 'right';

/** A plain text table; numbers align right. */
export function renderTable(columns: string[], rows: unknown[][], align?: Align[]): string[] {
  for (const r of rows) {
    if (r.length !== columns.length)
      throw new Error(`table row has ${r.length} cells for ${columns.length} columns`);
  }
  const cells = rows.map((r) => r.map(formatCell));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i] ?? ''))),
  );
  const aligns =
    align ??
    columns.map((_, i) => (rows.every((r) => r[i] === null || typeof r[i] === 'number') ? 'right' : 'left'));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, (widths[i] as number) - displayWidth(s)));
    return aligns[i] === 'right' ? fill + s : s + fill;
  };
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.map(line)];
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  return String(v).replace(/\s+/g, ' ');
}
