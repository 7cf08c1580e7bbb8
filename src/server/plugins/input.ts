// Checks on every request's input that no route schema states: text must not carry NUL characters
// (U+0000). PostgreSQL refuses them in text ("invalid byte sequence for encoding UTF8: 0x00"), so a
// NUL in a query parameter or a body field was a 500 from deep inside a query there, and DuckDB
// would have stored it; no one types one. Refused before validation, on both engines alike, with
// 400 VALIDATION naming the field (`querystring.org`, `body.notes`, `params.id`).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid } from '../errors.js';

/** A place in the input: its parent and its key (a chain, so that deep nesting costs no long strings). */
type Place = { parent: Place | null; key: string };

const pathOf = (place: Place): string => {
  const keys: string[] = [];
  for (let p: Place | null = place; p; p = p.parent) keys.push(p.key);
  return keys.reverse().join('.');
};

/** The first string (value or key) holding a NUL, walked without recursion (bodies may nest deep). */
export function findNul(context: string, value: unknown): string | null {
  const stack: [Place, unknown][] = [[{ parent: null, key: context }, value]];
  while (stack.length) {
    const [place, v] = stack.pop() as [Place, unknown];
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return pathOf(place);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([{ parent: place, key: String(i) }, v[i]]);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\u0000')) return pathOf(place);
        stack.push([{ parent: place, key: k }, child]);
      }
    }
  }
  return null;
}

export function installInputChecks(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const field =
      findNul('params', request.params) ??
      findNul('querystring', request.query) ??
      findNul('body', request.body);
    if (field) throw new Invalid([{ field, message: 'must not contain NUL characters' }]);
  });
}
