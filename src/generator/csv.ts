// A buffered CSV file writer (RFC 4180 quoting) that also counts rows and hashes bytes for the manifest.

import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';

export type Cell = string | number | null | undefined;

export class CsvWriter {
  private readonly out: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private buf: string[] = [];
  private size = 0;
  rows = 0;

  constructor(
    path: string,
    private readonly columns: readonly string[],
  ) {
    this.out = createWriteStream(path);
    this.push(`${columns.join(',')}\n`);
  }

  async row(cells: Cell[]): Promise<void> {
    if (cells.length !== this.columns.length) {
      throw new Error(`row has ${cells.length} cells, header has ${this.columns.length}`);
    }
    this.rows++;
    this.push(`${cells.map(cell).join(',')}\n`);
    if (this.size > 1 << 20) await this.flush();
  }

  private push(s: string): void {
    this.buf.push(s);
    this.size += s.length;
  }

  private async flush(): Promise<void> {
    const chunk = Buffer.from(this.buf.join(''), 'utf8');
    this.buf = [];
    this.size = 0;
    this.hash.update(chunk);
    if (!this.out.write(chunk)) await new Promise<void>((r) => this.out.once('drain', () => r()));
  }

  /** Finish the file; resolves with its row count and sha256. */
  async close(): Promise<{ rows: number; sha256: string }> {
    await this.flush();
    await new Promise<void>((resolve, reject) =>
      this.out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
    return { rows: this.rows, sha256: this.hash.digest('hex') };
  }
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
