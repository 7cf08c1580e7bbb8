// The server's validation report of a target file (POST /api/targets → 400/403 with `problems`), each
// "row N, column C: message", split into row, column and message for the page's table.

export interface Problem {
  key: number;
  row: number | null;
  column: string | null;
  message: string;
}

export function parseProblems(problems: string[]): Problem[] {
  return problems.map((p, key) => {
    const m = /^row (\d+)(?:, column ([^:]+))?: (.*)$/s.exec(p);
    if (!m) return { key, row: null, column: null, message: p };
    return { key, row: Number(m[1]), column: m[2] ?? null, message: m[3] as string };
  });
}

/** The Content-Type the server reads a file by, from its name; null when it is neither kind. */
export function fileType(name: string): string | null {
  const n = name.toLowerCase();
  if (n.endsWith('.csv')) return 'text/csv';
  if (n.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return null;
}
