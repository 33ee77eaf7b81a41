#!/usr/bin/env node
// Run by `npm run build` after tsc: writes the served OpenAPI definitions, built from the TypeBox sources
// (openapi/schemas/), as JSON to dist/openapi/definitions.json, which the server reads at start (openapi/served.ts).
import { writeFileSync } from 'node:fs';

const { definitions } = await import('../dist/openapi/schemas/index.js');
writeFileSync(new URL('../dist/openapi/definitions.json', import.meta.url), JSON.stringify(definitions));
