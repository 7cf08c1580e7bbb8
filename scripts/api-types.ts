// npm run api:types — (re)writes web/src/api/openapi.gen.ts from the server's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/paths.js';
import { API_TYPES_FILE, apiTypesSource } from '../src/server/openapi.js';

const file = join(PACKAGE_ROOT, API_TYPES_FILE);
writeFileSync(file, await apiTypesSource());
console.log(`wrote ${API_TYPES_FILE}`);
