// Looking at the files of a drop before anything is loaded: which extract each is, its encoding
// (UTF-8, UTF-8 with BOM, or GBK converted to UTF-8), its header, its hash. Every problem here fails
// the drop with a one-line DropError naming the file.

import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { EXTRACT_BY_NAME, EXTRACTS, type Extract, isMoney } from './contract.js';
import { DropError } from './errors.js';

export interface DropFile {
  extract: Extract;
  path: string;
  name: string;
  format: 'csv' | 'parquet';
}

export const MANIFEST = 'manifest.json';

/** The extract files of a drop folder, in the contract's dependency order. */
export function listDropFiles(dir: string): DropFile[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new DropError(
      dir,
      `cannot read the folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const byExtract = new Map<string, DropFile>();
  for (const name of entries.sort()) {
    if (name.startsWith('.') || name === MANIFEST) continue;
    const m = /^(.+)\.(csv|parquet)$/i.exec(name);
    const extract = m ? EXTRACT_BY_NAME.get((m[1] as string).toLowerCase()) : undefined;
    if (!m || !extract) {
      throw new DropError(
        name,
        `unknown extract: expected one of ${EXTRACTS.map((e) => e.name).join(', ')} (.csv or .parquet)`,
      );
    }
    const path = join(dir, name);
    if (!statSync(path).isFile()) throw new DropError(name, 'not a regular file');
    const previous = byExtract.get(extract.name);
    if (previous) throw new DropError(name, `extract ${extract.name} is also delivered as ${previous.name}`);
    byExtract.set(extract.name, {
      extract,
      path,
      name,
      format: (m[2] as string).toLowerCase() as 'csv' | 'parquet',
    });
  }
  return EXTRACTS.flatMap((e) => {
    const f = byExtract.get(e.name);
    return f ? [f] : [];
  });
}

export type Encoding = 'UTF-8' | 'UTF-8 (BOM)' | 'GBK' | 'binary';

export interface Scan {
  sha256: string;
  encoding: Encoding;
  bytes: number;
}

/** One pass over the bytes: the hash, and whether the text is valid UTF-8. */
export async function scanFile(f: DropFile): Promise<Scan> {
  const hash = createHash('sha256');
  let carry = Buffer.alloc(0);
  let utf8 = true;
  let bytes = 0;
  let first: Buffer | null = null;
  try {
    for await (const chunk of createReadStream(f.path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      first ??= chunk;
      if (f.format !== 'csv' || !utf8) continue;
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeUpTo(buf);
      if (!isUtf8(buf.subarray(0, cut))) utf8 = false;
      carry = Buffer.from(buf.subarray(cut));
    }
  } catch (e) {
    throw new DropError(
      f.name,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (f.format === 'csv' && utf8 && carry.length && !isUtf8(carry)) utf8 = false;
  let encoding: Encoding = 'binary';
  if (f.format === 'csv') {
    const bom =
      first !== null && first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
    encoding = utf8 ? (bom ? 'UTF-8 (BOM)' : 'UTF-8') : 'GBK';
  }
  return { sha256: hash.digest('hex'), encoding, bytes };
}

/** The length of buf without a possibly incomplete multi-byte character at its end. */
function completeUpTo(buf: Buffer): number {
  for (let i = buf.length - 1; i >= Math.max(0, buf.length - 4); i--) {
    const b = buf[i] as number;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for its lead
    return b >= 0xc0 ? i : buf.length; // a lead byte starts a character that may be cut off
  }
  return buf.length;
}

/** Convert a GBK file to UTF-8 at `out`; refuses a file that is not valid GBK either. */
export async function convertGbk(f: DropFile, out: string): Promise<void> {
  // A file mostly in UTF-8 with a few foreign bytes (a GBK row pasted in) would decode as GBK into
  // garbage without any error: count what decodes as UTF-8 multi-byte text against what does not.
  const utf8 = new TextDecoder('utf-8');
  let valid = 0;
  let invalid = 0;
  for await (const chunk of createReadStream(f.path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    for (const ch of utf8.decode(chunk, { stream: true })) {
      if (ch === '\uFFFD') invalid++;
      else if (ch.charCodeAt(0) >= 0x80) valid++;
    }
  }
  if (valid > invalid) {
    throw new DropError(
      f.name,
      `mixes UTF-8 with bytes of another encoding (${invalid} undecodable): deliver the whole file in UTF-8`,
    );
  }
  const decoder = new TextDecoder('gbk', { fatal: true });
  const sink = createWriteStream(out);
  try {
    for await (const chunk of createReadStream(f.path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
      if (!sink.write(decoder.decode(chunk, { stream: true }))) {
        await new Promise<void>((r) => sink.once('drain', () => r()));
      }
    }
    sink.write(decoder.decode());
  } catch {
    sink.destroy();
    throw new DropError(f.name, 'not valid UTF-8, and not GBK either: deliver the file in UTF-8');
  }
  await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** The header row of a UTF-8 CSV: column names, trimmed and lower-cased. */
export async function readCsvHeader(path: string, name: string, delimiter: string): Promise<string[]> {
  const fh = await open(path, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(1 << 20);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    text = buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.search(/\r?\n/);
  const line = end === -1 ? text : text.slice(0, end);
  if (line.trim() === '') throw new DropError(name, 'empty file: no header row');
  return splitCsvLine(line, delimiter).map((c) => c.trim().toLowerCase());
}

function splitCsvLine(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(delimiter, i)) {
      out.push(cur);
      cur = '';
      i += delimiter.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export interface ParquetInfo {
  columns: { name: string; type: string }[];
  rows: number;
}

/** A Parquet file's columns (names lower-cased) and row count, read from its footer. */
export async function inspectParquet(f: DropFile): Promise<ParquetInfo> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const lit = `'${f.path.replaceAll("'", "''")}'`;
    const cols = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit})`);
    const count = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit})`);
    return {
      columns: (cols.getRowObjectsJson() as { column_name: string; column_type: string }[]).map((c) => ({
        name: c.column_name.toLowerCase(),
        type: c.column_type,
      })),
      rows: Number((count.getRowObjectsJson()[0] as { n: string }).n),
    };
  } catch (e) {
    throw new DropError(f.name, `unreadable Parquet file (${firstLine((e as Error).message)})`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The header check shared by both formats: duplicates and missing columns fail, extras are reported. */
export function matchColumns(f: DropFile, names: string[]): { extra: string[] } {
  const seen = new Set<string>();
  for (const n of names) {
    if (n === '') throw new DropError(f.name, 'a column of the header has no name');
    if (seen.has(n)) throw new DropError(f.name, `column "${n}" appears twice in the header`);
    seen.add(n);
  }
  const missing = f.extract.columns.filter((c) => !seen.has(c.name)).map((c) => c.name);
  if (missing.length) {
    throw new DropError(
      f.name,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${names.join(',')})`,
    );
  }
  const known = new Set(f.extract.columns.map((c) => c.name));
  return { extra: names.filter((n) => !known.has(n)) };
}

/** Parquet money columns must be exact: DECIMAL or text, never floating point. */
export function checkParquetTypes(f: DropFile, info: ParquetInfo): void {
  for (const c of f.extract.columns) {
    if (!isMoney(c.type)) continue;
    const t = info.columns.find((x) => x.name === c.name)?.type ?? '';
    if (/^(FLOAT|DOUBLE|REAL)/i.test(t)) {
      throw new DropError(
        f.name,
        `column ${c.name} is ${t}: money must be DECIMAL or text, never floating point`,
      );
    }
  }
}

export function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).slice(0, 300);
}

export const fileLabel = (f: DropFile) => basename(f.path);
