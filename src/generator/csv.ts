// A buffered CSV file writer (RFC 4180 quoting) that counts rows and hashes the bytes for the manifest.
// Writes synchronously in 1 MiB chunks: generation is one deterministic loop, no backpressure to manage.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

export type Cell = string | number | null | undefined;

export class CsvWriter {
  private readonly fd: number;
  private readonly hash: Hash = createHash('sha256');
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly string[],
    options: { header?: boolean } = {},
  ) {
    this.fd = openSync(path, 'w');
    if (options.header ?? true) this.push(`${columns.join(',')}\n`);
  }

  row(cells: Cell[]): void {
    if (cells.length !== this.columns.length) {
      throw new Error(`${this.path}: row has ${cells.length} cells, header has ${this.columns.length}`);
    }
    this.rows++;
    this.push(`${cells.map(cell).join(',')}\n`);
    if (this.size > 1 << 20) this.flush();
  }

  private push(s: string): void {
    this.buf.push(s);
    this.size += s.length;
  }

  private flush(): void {
    const chunk = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.size = 0;
    this.hash.update(chunk);
    writeSync(this.fd, chunk);
  }

  /** Finish the file: its row count and sha256. */
  close(): { rows: number; sha256: string } {
    this.flush();
    closeSync(this.fd);
    return { rows: this.rows, sha256: this.hash.digest('hex') };
  }
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
