// Passwords (issue 7): argon2id through @node-rs/argon2 (prebuilt; the `argon2` package's binary
// crashes on Node 20), at OWASP's minimum for argon2id — 19 MiB of memory, 2 passes, 1 lane — and
// generated passwords of 20 characters drawn uniformly from crypto.randomBytes (≈ 116 bits).
// Stored as the PHC string the library writes, which names its own parameters: raising them later
// leaves old hashes verifiable.

import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** The argon2id parameters of every new hash (memory in KiB). */
export const ARGON2_PARAMS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum of the library's types: written as its value)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Longer input is refused before hashing (a password manager's longest is far shorter). */
export const MAX_PASSWORD_LENGTH = 1024;

export async function hashPassword(password: string): Promise<string> {
  if (password.length === 0) throw new Error('a password cannot be empty');
  if (password.length > MAX_PASSWORD_LENGTH)
    throw new Error(`a password is at most ${MAX_PASSWORD_LENGTH} characters`);
  return hash(password, ARGON2_PARAMS);
}

/** True when the password matches the stored hash; false for a wrong password or a malformed hash. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Letters and digits without the look-alikes 0 O o 1 l I (a password is read off a screen once). */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** A random password of `length` (≥ 16) characters, each drawn uniformly (rejection sampling). */
export function generatePassword(length = 20): string {
  if (length < 16) throw new Error('a generated password has at least 16 characters');
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

export interface PhcParams {
  algorithm: string;
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** The parameters of a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`; null when it is not one. */
export function parsePhc(phc: string): PhcParams | null {
  const m = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/.exec(
    phc,
  );
  if (!m) return null;
  return {
    algorithm: m[1] as string,
    version: Number(m[2]),
    memoryCost: Number(m[3]),
    timeCost: Number(m[4]),
    parallelism: Number(m[5]),
  };
}

/** True when a stored hash is weaker than today's parameters (rehash it at the next sign-in). */
export function needsRehash(phc: string): boolean {
  const p = parsePhc(phc);
  return (
    p === null ||
    p.algorithm !== 'argon2id' ||
    p.memoryCost < ARGON2_PARAMS.memoryCost ||
    p.timeCost < ARGON2_PARAMS.timeCost
  );
}
