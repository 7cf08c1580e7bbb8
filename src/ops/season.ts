// The season file a run uses, with the SHA-256 of the text it was parsed from (one read: the hash is
// of exactly what was parsed). The run ledger keeps both, and a run whose hash differs from the
// previous run's is audited as CONFIG_CHANGED (src/ops/audited.ts).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DEFAULT_SEASON_FILE,
  parseSeasonConfig,
  type SeasonConfig,
  SeasonConfigError,
} from '../config/season.js';

export interface SeasonSource {
  /** The file's absolute path; null when the configuration was given in memory (tests). */
  file: string | null;
  /** sha256 hex of the file's bytes (in memory: of the configuration as JSON). */
  sha256: string;
}

export interface SeasonFile {
  config: SeasonConfig;
  source: SeasonSource;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Read, hash and parse a season file (default season/default.yaml), like loadSeasonConfig. */
export function readSeasonFile(file = DEFAULT_SEASON_FILE): SeasonFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new SeasonConfigError(
      `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return {
    config: parseSeasonConfig(bytes.toString('utf8'), file),
    source: { file: resolve(file), sha256: sha256(bytes) },
  };
}

/** A configuration given without its file: hashed as JSON, so that a changed one is still seen. */
export function inMemorySeason(config: SeasonConfig): SeasonSource {
  return { file: null, sha256: sha256(JSON.stringify(config)) };
}
