// The left menu, grouped by job (UI.md "Frame"), as data: each entry names the permission that opens
// it, and the menu shows only what the signed-in role may open. Pages not built yet are left out (no
// dead links).

export interface MenuEntry {
  key: string;
  path: string;
  labelKey: string;
  permission: string;
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
      { key: 'dashboard', path: '/dashboard', labelKey: 'menu.dashboard', permission: 'dashboard:read' },
    ],
  },
  {
    key: 'leads',
    labelKey: 'menu.leads',
    entries: [{ key: 'tasks', path: '/tasks', labelKey: 'menu.tasks', permission: 'leads:read' }],
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

/** The permission a path needs (null for a path not in the menu). */
export function permissionOf(path: string): string | null {
  for (const g of MENU)
    for (const e of g.entries) if (path === e.path || path.startsWith(`${e.path}/`)) return e.permission;
  return null;
}
