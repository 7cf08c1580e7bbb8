// manifest.json beside the files: { "as_of": "YYYY-MM-DD", "files": { "<extract>": { "rows": N, "sha256": "…" } } }

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isRealDate } from '../domain/dates.js';
import { DropError } from './errors.js';
import { firstLine, MANIFEST } from './files.js';

const manifestSchema = z.object({
  as_of: z.string().refine(isRealDate, 'must be a real date YYYY-MM-DD'),
  files: z.record(
    z.string(),
    z.object({
      rows: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits'),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** The drop's manifest, or null when it has none. A manifest that cannot be read fails the drop. */
export async function readManifest(dir: string): Promise<Manifest | null> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DropError(MANIFEST, `cannot read (${firstLine((e as Error).message)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text it stopped at: a corrupt manifest's bytes, NULs included.
    throw new DropError(MANIFEST, `not valid JSON (${firstLine((e as Error).message)})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DropError(MANIFEST, `${issue?.path.join('.') || 'document'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}
