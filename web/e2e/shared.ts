// What the e2e harness (harness.ts, under vitest) and the user guide's screenshot script
// (scripts/guide-screenshots.ts, a plain tsx script) both need, without vitest: the browser, the demo
// bank's date and sign-ins, running the CLI from source, and a page whose console errors are collected.

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The data date of the demo bank: a day of the year-end phase. */
export const AS_OF = '2026-12-15';
export const VIEWPORT = { width: 1366, height: 768 };
/** The lobby tablet (UI.md): 1024×768, touch. */
export const TABLET: BrowserContextOptions = {
  viewport: { width: 1024, height: 768 },
  hasTouch: true,
  isMobile: false,
};

export interface SignIn {
  username: string;
  password: string | null;
  role: string;
  orgId: string;
  staffId: string | null;
}

/** `wangji …` from this tree's source (no build needed). */
export function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'test', 'run-cli.ts'), ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Run `wangji …` to its end; its stdout, or an error with its stderr when it exits non-zero. */
export async function runCli(args: string[]): Promise<string> {
  const child = cli(args);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`wangji ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** A page whose console errors are collected; a step that causes one on purpose takes it. */
export class ConsoleWatch {
  readonly errors: string[] = [];
  constructor(readonly page: Page) {
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(m.text());
    });
    page.on('pageerror', (e) => this.errors.push(`page error: ${e.message}`));
  }
  /** Take one console error like `pattern`; false when there is none. */
  protected take(pattern: RegExp): boolean {
    const i = this.errors.findIndex((e) => pattern.test(e));
    if (i < 0) return false;
    this.errors.splice(i, 1);
    return true;
  }
}
