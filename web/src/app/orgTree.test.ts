import { describe, expect, it } from 'vitest';
import { buildOrgTree, type OrgRow, orgAncestors, orgPath } from './orgTree';

const rows: OrgRow[] = [
  { org_id: 'B1', org_name: '分行一', level: 'BRANCH', parent_id: null },
  { org_id: 'S1', org_name: '支行一', level: 'SUBBRANCH', parent_id: 'B1' },
  { org_id: 'S2', org_name: null, level: 'SUBBRANCH', parent_id: 'B1' },
  { org_id: 'O1', org_name: '网点一', level: 'OUTLET', parent_id: 'S1' },
  { org_id: 'O9', org_name: '网点九', level: 'OUTLET', parent_id: 'GONE' },
];

describe('the org picker tree', () => {
  it('puts children under their parents in order, and an org whose parent is not listed at the root', () => {
    const tree = buildOrgTree(rows);
    expect(tree.map((n) => n.value)).toEqual(['B1', 'O9']);
    expect(tree[0]?.children.map((n) => [n.value, n.title])).toEqual([
      ['S1', '支行一'],
      ['S2', 'S2'],
    ]);
    expect(tree[0]?.children[0]?.children.map((n) => n.value)).toEqual(['O1']);
  });

  it('names the path from the root of the scope', () => {
    expect(orgPath(rows, 'O1')).toBe('分行一 / 支行一 / 网点一');
    expect(orgPath(rows, 'B1')).toBe('分行一');
    expect(orgPath(rows, 'ZZ')).toBe('ZZ');
  });

  it('gives the ancestors within the scope, for the breadcrumbs', () => {
    expect(orgAncestors(rows, 'O1')).toEqual(['B1', 'S1', 'O1']);
    expect(orgAncestors(rows, 'O9')).toEqual(['O9']);
    expect(orgAncestors(rows, 'ZZ')).toEqual(['ZZ']);
  });

  it('survives a cycle in bad data', () => {
    const cyclic: OrgRow[] = [
      { org_id: 'A', org_name: 'A', level: null, parent_id: 'B' },
      { org_id: 'B', org_name: 'B', level: null, parent_id: 'A' },
    ];
    expect(orgPath(cyclic, 'A')).toBe('B / A');
  });
});
