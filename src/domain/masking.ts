// Masking of personal data (MISSION X5). The same patterns in TypeScript (CLI output) and in SQL
// (the masked views of migration 003); a test holds the two equal on both engines.
//   name    张三丰 → 张*丰, 张三 → 张*, 张 → *         (first and last character kept)
//   phone   13800000000 → 138****0000               (first 3 and last 4 kept; shorter than 7: all *)
//   id_no   420102199001011001 → 420102********1001 (first 6 and last 4 kept; shorter than 10: all *)
//   account 6222020200012345678 → ***************5678 (last 4 kept; 4 or fewer: all *)

export type PersonalKind = 'name' | 'id_no' | 'phone' | 'account';

const stars = (n: number) => '*'.repeat(Math.max(0, n));

export function mask(kind: PersonalKind, value: string | null): string | null {
  if (value === null) return null;
  const chars = [...value];
  const n = chars.length;
  const head = (k: number) => chars.slice(0, k).join('');
  const tail = (k: number) => chars.slice(n - k).join('');
  switch (kind) {
    case 'name':
      if (n <= 1) return stars(n);
      if (n === 2) return `${head(1)}*`;
      return head(1) + stars(n - 2) + tail(1);
    case 'phone':
      return n >= 7 ? head(3) + stars(n - 7) + tail(4) : stars(n);
    case 'id_no':
      return n >= 10 ? head(6) + stars(n - 10) + tail(4) : stars(n);
    case 'account':
      return n > 4 ? stars(n - 4) + tail(4) : stars(n);
  }
}

/** The SQL expression masking `expr` exactly as mask() does (both engines). */
export function maskSql(kind: PersonalKind, expr: string): string {
  const len = `length(${expr})`;
  const body = (() => {
    switch (kind) {
      case 'name':
        return `CASE WHEN ${len} <= 1 THEN repeat('*', ${len}) WHEN ${len} = 2 THEN left(${expr}, 1) || '*'
          ELSE left(${expr}, 1) || repeat('*', ${len} - 2) || right(${expr}, 1) END`;
      case 'phone':
        return `CASE WHEN ${len} >= 7 THEN left(${expr}, 3) || repeat('*', ${len} - 7) || right(${expr}, 4) ELSE repeat('*', ${len}) END`;
      case 'id_no':
        return `CASE WHEN ${len} >= 10 THEN left(${expr}, 6) || repeat('*', ${len} - 10) || right(${expr}, 4) ELSE repeat('*', ${len}) END`;
      case 'account':
        return `CASE WHEN ${len} > 4 THEN repeat('*', ${len} - 4) || right(${expr}, 4) ELSE repeat('*', ${len}) END`;
    }
  })();
  return `CASE WHEN ${expr} IS NULL THEN NULL ELSE ${body} END`;
}
