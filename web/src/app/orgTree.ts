// The org picker's tree from GET /api/orgs' flat rows (pure, tested): children under their parents in
// the API's order (level, then id), roots where the parent is outside the scope, and each org's path
// from its root (for the breadcrumbs-like label "分行 / 支行 / 网点").

export interface OrgRow {
  org_id: string;
  org_name: string | null;
  level: string | null;
  parent_id: string | null;
}

export interface OrgNode {
  value: string;
  title: string;
  level: string | null;
  children: OrgNode[];
}

const nameOf = (o: OrgRow) => o.org_name ?? o.org_id;

export function buildOrgTree(rows: readonly OrgRow[]): OrgNode[] {
  const nodes = new Map<string, OrgNode>();
  for (const o of rows)
    nodes.set(o.org_id, { value: o.org_id, title: nameOf(o), level: o.level, children: [] });
  const roots: OrgNode[] = [];
  for (const o of rows) {
    const node = nodes.get(o.org_id) as OrgNode;
    const parent = o.parent_id === null ? undefined : nodes.get(o.parent_id);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** The ids from the root of the scope down to the org (the org alone when it is not listed). */
export function orgAncestors(rows: readonly OrgRow[], id: string): string[] {
  const byId = new Map(rows.map((o) => [o.org_id, o]));
  const ids: string[] = [];
  for (
    let o = byId.get(id);
    o && !ids.includes(o.org_id);
    o = o.parent_id ? byId.get(o.parent_id) : undefined
  )
    ids.unshift(o.org_id);
  return ids.length ? ids : [id];
}

/** The names from the root of the scope down to the org ("兰州市分行 / 城关支行"), or the id alone. */
export function orgPath(rows: readonly OrgRow[], id: string): string {
  const byId = new Map(rows.map((o) => [o.org_id, o]));
  const names: string[] = [];
  const seen = new Set<string>();
  for (let o = byId.get(id); o && !seen.has(o.org_id); o = o.parent_id ? byId.get(o.parent_id) : undefined) {
    seen.add(o.org_id);
    names.unshift(nameOf(o));
  }
  return names.length ? names.join(' / ') : id;
}
