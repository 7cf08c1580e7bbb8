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
  /**
   * The CSV must be rewritten by normaliseCsv before DuckDB reads it: its line ends are mixed (LF
   * with CRLF, or a CR alone), which DuckDB's strict reader cannot split; it has empty lines, which
   * the reader counts in the line numbers of rejected records; or a line is longer than DuckDB keeps
   * (whose kept prefix may cut a character in two).
   */
  normalise: boolean;
}

/** DuckDB's CSV reader refuses a record of more than about 2,000,000 bytes (LINE SIZE OVER MAXIMUM). */
export const MAX_RECORD_BYTES = 2_000_000;
/** …and keeps its first 10,000 bytes as the raw record, cut anywhere, even inside a character. */
const KEPT_RAW_BYTES = 10_000;

/** Line ends and line lengths, seen chunk by chunk with native searches only (no loop over bytes). */
class LineScan {
  private crlf = 0;
  private bareCr = false;
  private bareLf = false;
  private sinceLf = 0; // bytes since the last LF
  private lastWasCr = false;
  private tail = Buffer.alloc(0); // the previous chunk's last bytes, for a blank line across chunks
  private blank = false;
  long = false;

  add(chunk: Buffer): void {
    // Empty lines: DuckDB's reader skips them but counts them in the line numbers of the records it
    // rejects (and puts their line ends into the raw record), so the loader removes them first.
    if (!this.blank) {
      const edge = Buffer.concat([this.tail, chunk.subarray(0, 3)]);
      this.blank = [chunk, edge].some((b) => b.indexOf(LF_LF) !== -1 || b.indexOf(LF_CR_LF) !== -1);
      this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    }
    // Lines longer than the limit: is there a stretch without LF? (lastIndexOf jumps a limit at a time)
    let p = 0;
    while (!this.long) {
      const room = LONG_LINE - this.sinceLf;
      if (chunk.length - p <= room) {
        const lf = chunk.lastIndexOf(0x0a);
        this.sinceLf = lf >= p ? chunk.length - lf - 1 : this.sinceLf + chunk.length - p;
        break;
      }
      const lf = chunk.lastIndexOf(0x0a, p + room);
      if (lf < p) this.long = true;
      this.sinceLf = 0;
      p = lf + 1;
    }
    // Line ends: a file without CR is all LF; otherwise every LF must follow a CR, and every CR precede an LF.
    const firstCr = chunk.indexOf(0x0d);
    if (firstCr === -1) {
      if (chunk.length && this.lastWasCr) {
        if (chunk[0] === 0x0a) this.crlf++;
        else this.bareCr = true;
      }
      if (
        chunk.indexOf(0x0a) !== -1 &&
        !(this.lastWasCr && chunk[0] === 0x0a && chunk.indexOf(0x0a, 1) === -1)
      )
        this.bareLf = true;
      this.lastWasCr = false;
      return;
    }
    let lfs = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lfs++;
    let crlf = 0;
    if (this.lastWasCr) {
      if (chunk[0] === 0x0a) crlf++;
      else this.bareCr = true;
    }
    for (let i = firstCr; i !== -1; i = chunk.indexOf(0x0d, i + 1)) {
      if (i === chunk.length - 1) break; // decided by the next chunk
      if (chunk[i + 1] === 0x0a) crlf++;
      else this.bareCr = true;
    }
    if (lfs > crlf) this.bareLf = true;
    this.crlf += crlf;
    this.lastWasCr = chunk[chunk.length - 1] === 0x0d;
  }

  /** True when DuckDB's reader could not take the file as it is. */
  get normalise(): boolean {
    const bareCr = this.bareCr || this.lastWasCr; // a CR at the very end ends nothing but the file
    return this.long || this.blank || bareCr || (this.bareLf && this.crlf > 0);
  }
}

const LF_LF = Buffer.from('\n\n');
const LF_CR_LF = Buffer.from('\n\r\n');

/** A line this long may be a record over MAX_RECORD_BYTES once converted (GBK → UTF-8 grows by half). */
const LONG_LINE = 1_000_000;

/** One pass over the bytes: the hash, whether the text is valid UTF-8, its line ends. */
export async function scanFile(f: DropFile): Promise<Scan> {
  const hash = createHash('sha256');
  let carry = Buffer.alloc(0);
  let utf8 = true;
  let bytes = 0;
  let first: Buffer | null = null;
  const lines = new LineScan();
  try {
    for await (const chunk of createReadStream(f.path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      first ??= chunk;
      if (f.format !== 'csv') continue;
      lines.add(chunk);
      if (!utf8) continue;
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
  // A file cut off inside its last character (a truncated transfer) is still UTF-8: the reader
  // refuses that last record (INVALID ENCODING), like any other cut-off record.
  if (f.format === 'csv' && utf8 && carry.length && !isUtf8(carry) && !isCutCharacter(carry)) utf8 = false;
  let encoding: Encoding = 'binary';
  if (f.format === 'csv') {
    const bom =
      first !== null && first.length >= 3 && first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf;
    encoding = utf8 ? (bom ? 'UTF-8 (BOM)' : 'UTF-8') : 'GBK';
  }
  return { sha256: hash.digest('hex'), encoding, bytes, normalise: f.format === 'csv' && lines.normalise };
}

/** The start of a UTF-8 character whose last bytes are missing (a lead byte and fewer continuations than it needs). */
function isCutCharacter(b: Buffer): boolean {
  const lead = b[0] as number;
  const need = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (need === 0 || b.length >= need) return false;
  for (let i = 1; i < b.length; i++) if (((b[i] as number) & 0xc0) !== 0x80) return false;
  return true;
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

/**
 * Rewrite a CSV for DuckDB's strict reader, keeping every record and value: line ends outside quotes
 * become LF (LF, CRLF and a CR alone each end a record, as they do for the reader in a file of one
 * kind), empty lines are left out (the reader skips them too, but counts them), and a record too long for the reader — refused anyway — has the non-ASCII bytes of its
 * kept prefix replaced by '?', since the reader would cut that prefix inside a character and then
 * fail the whole file on it. Values inside quotes are copied as they are. Quotes open only at the
 * start of a value, as for the reader.
 */
export async function normaliseCsv(src: string, out: string, delimiter: string): Promise<void> {
  const QUOTE = 0x22;
  const delim = Buffer.from(delimiter);
  const delimLast = delim[delim.length - 1] as number;
  const sink = createWriteStream(out);
  // The current record is held until it ends or is known to be too long for the reader.
  let held: Buffer[] = [];
  let heldBytes = 0;
  let long = false; // the current record is too long: its prefix was fixed and written, the rest streams
  let quoted = false;
  let afterQuote = false; // inside quotes, the previous byte was a quote (an escape, or the value's end)
  let fieldStart = true;
  let skipLf = false; // the previous chunk ended with a CR
  const prev: number[] = []; // the last bytes seen, to recognise a multi-byte delimiter across chunks
  let started = false; // a record was written: empty lines before the header stay (and refuse the file)
  const goLong = (parts: Buffer[]) => {
    const rec = Buffer.concat(held);
    for (let i = 0; i < Math.min(rec.length, KEPT_RAW_BYTES + 4); i++)
      if ((rec[i] as number) >= 0x80) rec[i] = 0x3f;
    parts.push(rec);
    held = [];
    heldBytes = 0;
    long = true;
  };
  const take = (parts: Buffer[], seg: Buffer) => {
    if (seg.length === 0) return;
    if (long) parts.push(seg);
    else {
      held.push(seg);
      heldBytes += seg.length;
    }
  };
  const endRecord = (parts: Buffer[]) => {
    if (!long && heldBytes > MAX_RECORD_BYTES + 64) goLong(parts);
    const empty = heldBytes === 0 && !long;
    if (empty && started) return; // an empty line: left out
    parts.push(...held, Buffer.of(0x0a));
    started ||= !empty;
    held = [];
    heldBytes = 0;
    long = false;
    fieldStart = true;
  };
  try {
    for await (const chunk of createReadStream(src, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
      const parts: Buffer[] = [];
      let seg = 0;
      let i = 0;
      if (skipLf) {
        skipLf = false;
        if (chunk[0] === 0x0a) {
          i = 1;
          seg = 1;
        }
      }
      for (; i < chunk.length; i++) {
        const b = chunk[i] as number;
        if (quoted) {
          if (afterQuote) {
            afterQuote = false;
            if (b === QUOTE) continue; // "" inside quotes
            quoted = false; // the quote ended the value: this byte is outside
          } else {
            if (b === QUOTE) afterQuote = true;
            continue;
          }
        }
        if (b === 0x0d || b === 0x0a) {
          take(parts, chunk.subarray(seg, i));
          endRecord(parts);
          if (b === 0x0d) {
            if (i + 1 === chunk.length) skipLf = true;
            else if (chunk[i + 1] === 0x0a) i++;
          }
          seg = i + 1;
          continue;
        }
        if (b === QUOTE && fieldStart) {
          quoted = true;
          fieldStart = false;
          continue;
        }
        if (delim.length === 1) fieldStart = b === delimLast;
        else {
          prev.push(b);
          if (prev.length > delim.length) prev.shift();
          fieldStart = b === delimLast && Buffer.from(prev).equals(delim);
        }
      }
      take(parts, chunk.subarray(seg));
      if (!long && heldBytes > MAX_RECORD_BYTES + 64) goLong(parts);
      if (parts.length && !sink.write(Buffer.concat(parts))) {
        await new Promise<void>((r) => sink.once('drain', () => r()));
      }
    }
    if (!long && heldBytes > MAX_RECORD_BYTES + 64) {
      const parts: Buffer[] = [];
      goLong(parts);
      sink.write(Buffer.concat(parts));
    }
    if (held.length) sink.write(Buffer.concat(held));
  } finally {
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
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
  const end = text.search(/[\r\n]/); // LF, CRLF or a CR alone, as the reader splits records
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
    if (seen.has(n)) throw new DropError(f.name, `column "${printableName(n)}" appears twice in the header`);
    seen.add(n);
  }
  const missing = f.extract.columns.filter((c) => !seen.has(c.name)).map((c) => c.name);
  if (missing.length) {
    throw new DropError(
      f.name,
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${printableHeader(names)})`,
    );
  }
  const known = new Set(f.extract.columns.map((c) => c.name));
  return { extra: names.filter((n) => !known.has(n)) };
}

/**
 * A header name as a message may show it. When the header row is lost, the first record is taken
 * for it: its values — names, ID numbers, phones — must not reach the load ledger, the report or
 * the log. Only what looks like a column name is shown; anything else by its length.
 */
export function printableName(name: string): string {
  return /^[a-z][a-z0-9_]{0,63}$/.test(name) ? name : `(${[...name].length} characters)`;
}

function printableHeader(names: string[]): string {
  const shown = names.slice(0, 40).map(printableName).join(',');
  return names.length > 40 ? `${shown},… ${names.length} columns` : shown;
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

/**
 * The first line of a reader's error, as a message may carry it: at most 300 characters, control
 * characters shown as `?` (a corrupt file's bytes can end up in the reader's words, e.g. "don't know
 * what type: \r").
 */
export function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).slice(0, 300).replace(/\p{Cc}/gu, '?');
}

export const fileLabel = (f: DropFile) => basename(f.path);
