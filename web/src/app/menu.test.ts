import { describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf } from '../../../src/server/roles.js';
import { homePath, MENU, menuFor, permissionOf } from './menu';

const of = (role: Parameters<typeof permissionsOf>[0]) => [...permissionsOf(role)];

describe('the menu shows only what the role may open', () => {
  const paths = (role: Parameters<typeof permissionsOf>[0]) =>
    menuFor(of(role)).flatMap((g) => g.entries.map((e) => e.path));

  it('an account manager: the dashboard, the workbench, the counter prompt, segments and field work', () => {
    expect(paths('ACCOUNT_MANAGER')).toEqual(['/dashboard', '/tasks', '/pos', '/segments', '/field']);
    expect(homePath(of('ACCOUNT_MANAGER'))).toBe('/dashboard');
  });

  it('a branch manager adds briefing, payroll, merchants, county, targets and the operations view', () => {
    expect(paths('BRANCH_MANAGER')).toEqual([
      '/dashboard',
      '/tasks',
      '/pos',
      '/briefing',
      '/payroll',
      '/segments',
      '/merchants',
      '/county',
      '/field',
      '/targets',
      '/ops',
    ]);
  });

  it('a remote agent only the workbench; a teller the point of service; an auditor the audit log', () => {
    expect(paths('REMOTE_AGENT')).toEqual(['/tasks']);
    expect(homePath(of('REMOTE_AGENT'))).toBe('/tasks');
    expect(paths('TELLER')).toEqual(['/pos']);
    expect(homePath(of('AUDITOR'))).toBe('/audit');
    expect(paths('AUDITOR')).toEqual(['/audit']);
  });

  it('the groups follow UI.md: 看板 · 名单 · 厅堂/柜面 · 通报 · 代发 · 客群 · 商户 · 县域 · 外拓 · 指标 · 运营 · 审计', () => {
    expect(MENU.map((g) => g.key)).toEqual([
      'board',
      'leads',
      'pos',
      'briefing',
      'payroll',
      'segments',
      'merchants',
      'county',
      'field',
      'targets',
      'ops',
      'audit',
    ]);
  });

  it('every entry needs a permission the server knows, and paths map back to it', () => {
    for (const g of MENU)
      for (const e of g.entries) expect((PERMISSIONS as readonly string[]).includes(e.permission)).toBe(true);
    expect(permissionOf('/tasks')).toBe('leads:read');
    expect(permissionOf('/dashboard')).toBe('dashboard:read');
    expect(permissionOf('/elsewhere')).toBeNull();
  });
});
