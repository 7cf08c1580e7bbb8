// The left menu, grouped by job (UI.md "Frame"), as data: each entry names the permission that opens
// it, and the menu shows only what the signed-in role may open. Pages not built yet are left out (no
// dead links).

export interface MenuEntry {
  key: string;
  path: string;
  labelKey: string;
  permission: string;
  /** The page shows an org's figures: the top bar's org picker is shown on it (UI.md "Frame"). */
  orgScoped?: boolean;
}

export interface MenuGroup {
  key: string;
  labelKey: string;
  entries: MenuEntry[];
}

export const MENU: MenuGroup[] = [
  {
    key: 'board',
    labelKey: 'menu.board',
    entries: [
      {
        key: 'dashboard',
        path: '/dashboard',
        labelKey: 'menu.dashboard',
        permission: 'dashboard:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'leads',
    labelKey: 'menu.leads',
    entries: [{ key: 'tasks', path: '/tasks', labelKey: 'menu.tasks', permission: 'leads:read' }],
  },
  {
    key: 'pos',
    labelKey: 'menu.posGroup',
    entries: [{ key: 'pos', path: '/pos', labelKey: 'menu.pos', permission: 'pos:counter' }],
  },
  {
    key: 'briefing',
    labelKey: 'menu.briefingGroup',
    entries: [
      {
        key: 'briefing',
        path: '/briefing',
        labelKey: 'menu.briefing',
        permission: 'reports:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'payroll',
    labelKey: 'menu.payrollGroup',
    entries: [
      {
        key: 'payroll',
        path: '/payroll',
        labelKey: 'menu.payroll',
        permission: 'payroll:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'segments',
    labelKey: 'menu.segmentsGroup',
    entries: [
      {
        key: 'segments',
        path: '/segments',
        labelKey: 'menu.segments',
        permission: 'dashboard:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'merchants',
    labelKey: 'menu.merchantsGroup',
    entries: [
      {
        key: 'merchants',
        path: '/merchants',
        labelKey: 'menu.merchants',
        permission: 'merchants:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'county',
    labelKey: 'menu.countyGroup',
    entries: [
      { key: 'county', path: '/county', labelKey: 'menu.county', permission: 'county:read', orgScoped: true },
    ],
  },
  {
    key: 'field',
    labelKey: 'menu.fieldGroup',
    entries: [
      { key: 'field', path: '/field', labelKey: 'menu.field', permission: 'field:read', orgScoped: true },
    ],
  },
  {
    key: 'targets',
    labelKey: 'menu.targetsGroup',
    entries: [
      {
        key: 'targets',
        path: '/targets',
        labelKey: 'menu.targets',
        permission: 'targets:read',
        orgScoped: true,
      },
    ],
  },
  {
    key: 'ops',
    labelKey: 'menu.opsGroup',
    entries: [{ key: 'ops', path: '/ops', labelKey: 'menu.ops', permission: 'ops:read' }],
  },
  {
    key: 'audit',
    labelKey: 'menu.auditGroup',
    entries: [{ key: 'audit', path: '/audit', labelKey: 'menu.audit', permission: 'audit:read' }],
  },
];

/** The groups and entries a user with these permissions may open; empty groups are left out. */
export function menuFor(permissions: readonly string[]): MenuGroup[] {
  const has = new Set(permissions);
  return MENU.map((g) => ({ ...g, entries: g.entries.filter((e) => has.has(e.permission)) })).filter(
    (g) => g.entries.length > 0,
  );
}

/** Where a user lands after signing in: the first page they may open, or null when none. */
export function homePath(permissions: readonly string[]): string | null {
  return menuFor(permissions)[0]?.entries[0]?.path ?? null;
}

/** Whether the page at this path shows an org's figures (the org picker applies to it). */
export function isOrgScoped(path: string): boolean {
  for (const g of MENU)
    for (const e of g.entries)
      if (path === e.path || path.startsWith(`${e.path}/`)) return e.orgScoped === true;
  return false;
}

/** The permission a path needs (null for a path not in the menu). */
export function permissionOf(path: string): string | null {
  for (const g of MENU)
    for (const e of g.entries) if (path === e.path || path.startsWith(`${e.path}/`)) return e.permission;
  return null;
}
