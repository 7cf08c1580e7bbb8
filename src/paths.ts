// Where the package's own files are, whether running from src/ (tsx, vitest) or dist/ (npx wangji).

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the wangji package root');
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'src', 'db', 'migrations');
