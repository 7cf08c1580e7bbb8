import { describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf } from '../../../src/server/roles.js';
import { homePath, MENU, menuFor, permissionOf } from './menu';

const of = (role: Parameters<typeof permissionsOf>[0]) => [...permissionsOf(role)];

describe('the menu shows only what the role may open', () => {
  it('an account manager and a branch manager: the dashboard and the lead workbench', () => {
    for (const role of ['ACCOUNT_MANAGER', 'BRANCH_MANAGER'] as const) {
      expect(menuFor(of(role)).map((g) => g.entries.map((e) => e.path))).toEqual([
        ['/dashboard'],
        ['/tasks'],
      ]);
      expect(homePath(of(role))).toBe('/dashboard');
    }
  });

  it('a remote agent only the workbench; a teller or an auditor nothing yet', () => {
    expect(menuFor(of('REMOTE_AGENT')).map((g) => g.key)).toEqual(['leads']);
    expect(homePath(of('REMOTE_AGENT'))).toBe('/tasks');
    expect(menuFor(of('TELLER'))).toEqual([]);
    expect(homePath(of('AUDITOR'))).toBeNull();
  });

  it('every entry needs a permission the server knows, and paths map back to it', () => {
    for (const g of MENU)
      for (const e of g.entries) expect((PERMISSIONS as readonly string[]).includes(e.permission)).toBe(true);
    expect(permissionOf('/tasks')).toBe('leads:read');
    expect(permissionOf('/dashboard')).toBe('dashboard:read');
    expect(permissionOf('/elsewhere')).toBeNull();
  });
});
