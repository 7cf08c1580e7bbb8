// The order a table shows its rows in (antd's sorter), so that an export matches the screen.

/** A table's sort as the user set it (antd's sorter column function and order). */
export interface TableSort<R> {
  compare: ((a: R, b: R) => number) | null;
  order: 'ascend' | 'descend' | null;
}

/** The rows in the order the table shows them, so that an export matches the screen. */
export function sortLike<R>(rows: readonly R[], sort: TableSort<R> | null): R[] {
  if (!sort?.compare || !sort.order) return [...rows];
  const c = sort.compare;
  return [...rows].sort((a, b) => (sort.order === 'descend' ? -c(a, b) : c(a, b)));
}

/** antd Table onChange's sorter argument → TableSort. */
export function tableSort<R>(sorter: unknown): TableSort<R> | null {
  const s = (Array.isArray(sorter) ? sorter[0] : sorter) as
    | { order?: 'ascend' | 'descend' | null; column?: { sorter?: unknown } }
    | undefined;
  const fn = s?.column?.sorter;
  return typeof fn === 'function' && s?.order
    ? { compare: fn as (a: R, b: R) => number, order: s.order }
    : null;
}
