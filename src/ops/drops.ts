// Where the server may load drops from: folders inside one configured drops root (`wangji serve
// --drops-root`, default ./data/drops). A folder named by a client is refused when it contains a `..`
// segment, is an absolute path outside the root, does not exist, is not a folder, or — after every
// symbolic link is followed — lies outside the root; a file of the folder that is a link to outside the
// root is refused too (the loader would read it). Checked when the load is asked for and again when it
// starts (the folder may have changed meanwhile).

import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export const DEFAULT_DROPS_ROOT = './data/drops';

/** The folder named is refused (the client's mistake: 400). */
export class DropPathError extends Error {}

/** The drops root itself is missing (the server's configuration: 503). */
export class DropsRootMissing extends Error {}

const inside = (root: string, path: string) => {
  const r = relative(root, path);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
};

/** The real path of a drop folder inside the root, and its path relative to the root ('/'-separated). */
export function resolveDropDir(root: string, dir: string): { path: string; relative: string } {
  if (dir.includes('\0')) throw new DropPathError('dir: not a valid path');
  if (dir.split(/[\\/]/).includes('..')) throw new DropPathError('dir: ".." is not allowed');
  let rootReal: string;
  try {
    rootReal = realpathSync(resolve(root));
    if (!statSync(rootReal).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new DropsRootMissing(`the drops root ${resolve(root)} is not a folder on the server`);
  }
  const lexicalRoot = resolve(root);
  const asked = isAbsolute(dir) ? resolve(dir) : resolve(lexicalRoot, dir);
  if (!inside(lexicalRoot, asked) && !inside(rootReal, asked))
    throw new DropPathError('dir: must name a folder inside the drops root');
  let real: string;
  try {
    real = realpathSync(asked);
  } catch {
    throw new DropPathError(`dir: no folder ${shown(lexicalRoot, asked)} in the drops root`);
  }
  if (!inside(rootReal, real)) throw new DropPathError('dir: leads outside the drops root (a link)');
  if (!statSync(real).isDirectory())
    throw new DropPathError(`dir: ${shown(lexicalRoot, asked)} is not a folder`);
  for (const name of readdirSync(real)) {
    const file = join(real, name);
    if (!lstatSync(file).isSymbolicLink()) continue;
    let target: string;
    try {
      target = realpathSync(file);
    } catch {
      throw new DropPathError(`dir: ${name} is a broken link`);
    }
    if (!inside(rootReal, target))
      throw new DropPathError(`dir: ${name} is a link to outside the drops root`);
  }
  return { path: real, relative: relative(rootReal, real).split(sep).join('/') };
}

const shown = (root: string, path: string) => relative(root, path).split(sep).join('/');
