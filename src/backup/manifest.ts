// A backup is a folder: manifest.json and one data file per table under tables/ (Parquet on DuckDB,
// PostgreSQL's COPY text gzip-compressed on PostgreSQL). The manifest says what the backup is — engine,
// Wangji version, the schema migrations applied, when the snapshot was taken and of which database
// (never a password) — and, per table, its definition, its rows, its checksum (src/db/checksum.ts, over
// every column) and its file's size and SHA-256: a restore checks each file against it before loading
// and each restored table against it afterwards.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../paths.js';

export const MANIFEST_FILE = 'manifest.json';
export const TABLES_DIR = 'tables';
export const BACKUP_FORMAT = 'wangji-backup';
export const BACKUP_FORMAT_VERSION = 1;

/** What a backup holds, in words (also written into every manifest). */
export const BACKUP_CONTENTS =
  "every table of Wangji's schema with every row: customers' personal data as delivered, the users " +
  'with their password hashes (argon2id), the sessions (token hashes), the audit log — keep it as ' +
  'safe as the database itself';

const column = z.object({ name: z.string(), type: z.string(), nullable: z.boolean() });

const table = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]+$/),
  /** The data file, relative to the backup folder. */
  file: z.string().regex(/^tables\/[A-Za-z0-9_]+\.(parquet|tsv\.gz)$/),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rows: z.number().int().min(0),
  /** tableChecksum's digest over every column (no column left out). */
  digest: z.string().regex(/^-?\d+$/),
  columns: z.array(column).min(1),
  /** CREATE TABLE for a table the schema migrations do not make (the pipeline's published tables). */
  ddl: z.string(),
  /** Roles granted SELECT on it besides its owner (PostgreSQL: the analysts' console). */
  grants: z.array(z.string()),
});

const sequence = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]+$/),
  /** The value nextval hands out next. */
  next: z.string().regex(/^-?\d+$/),
  /** DuckDB: the CREATE SEQUENCE that recreates it at `next` (it has no setval); PostgreSQL: null. */
  ddl: z.string().nullable(),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.literal(BACKUP_FORMAT_VERSION),
  engine: z.enum(['duckdb', 'postgres']),
  wangjiVersion: z.string(),
  /** When the snapshot was taken (ISO 8601 UTC): the backup is the database as it was then. */
  createdAt: z.string(),
  finishedAt: z.string(),
  /** The database backed up: a file path, or a URL without its password. */
  source: z.string(),
  schema: z.object({
    /** The latest migration applied. */
    version: z.number().int(),
    migrations: z.array(z.object({ version: z.number().int(), name: z.string(), checksum: z.string() })),
  }),
  sequences: z.array(sequence),
  tables: z.array(table),
  totals: z.object({ tables: z.number().int(), rows: z.number().int(), bytes: z.number().int() }),
  contents: z.string(),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type TableEntry = BackupManifest['tables'][number];
export type ColumnDef = TableEntry['columns'][number];
export type SequenceDef = BackupManifest['sequences'][number];
/** A table as the snapshot describes it, before its file is written. */
export type TableDef = Pick<TableEntry, 'name' | 'columns' | 'ddl' | 'grants'>;

/** A backup that cannot be used (missing, unreadable, corrupt): said in words. */
export class BackupUnusable extends Error {}

/** Read and check a backup folder's manifest. */
export function readManifest(dir: string): BackupManifest {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file))
    throw new BackupUnusable(`${dir} is not a Wangji backup: it has no ${MANIFEST_FILE}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BackupUnusable(`${file} is corrupt: not JSON (${(e as Error).message})`);
  }
  const head = z.object({ format: z.string(), formatVersion: z.number() }).safeParse(json);
  if (!head.success || head.data.format !== BACKUP_FORMAT)
    throw new BackupUnusable(`${file} is not a Wangji backup manifest`);
  if (head.data.formatVersion > BACKUP_FORMAT_VERSION)
    throw new BackupUnusable(
      `${dir} is a backup of format ${head.data.formatVersion}, newer than this Wangji reads (${BACKUP_FORMAT_VERSION}): restore it with the Wangji that made it or a later one`,
    );
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupUnusable(
      `${file} is corrupt: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
    );
  }
  return parsed.data;
}

/** SHA-256 (hex) and size of a file, read as a stream. */
export async function fileDigest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export const WANGJI_VERSION = (
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;

/** A pipeline run's staging table (src/pipeline/runner.ts): scratch, never backed up. */
export const STAGING_TABLE = /^stg_r\d+__/;
