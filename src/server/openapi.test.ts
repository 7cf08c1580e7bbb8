// The web app's API types (web/src/api/openapi.gen.ts) are those of the server as it is now.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../paths.js';
import { API_TYPES_FILE, apiTypesSource } from './openapi.js';

describe('the web app types its requests with the server’s own OpenAPI document', () => {
  it(`${API_TYPES_FILE} is up to date (npm run api:types rewrites it)`, async () => {
    const committed = readFileSync(join(PACKAGE_ROOT, API_TYPES_FILE), 'utf8');
    const now = await apiTypesSource();
    expect(committed === now, `${API_TYPES_FILE} is stale: run npm run api:types`).toBe(true);
    expect(now).toContain('"/api/tasks"');
  }, 60_000);
});
