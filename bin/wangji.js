#!/usr/bin/env node
// The `wangji` command: runs the compiled CLI (npm install builds it through the prepare script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('wangji: not built yet — run `npm install` (or `npm run build`) in the project folder first');
  process.exit(2);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv);
