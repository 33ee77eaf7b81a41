#!/usr/bin/env node
// Run by `npm run build` after tsc: writes the served OpenAPI definitions, built from the TypeBox sources
// (openapi/schemas/), as JSON to dist/openapi/definitions.json, which the server reads at start (openapi/served.ts),
// and the same converted for the served documents (convertDefinitions) to definitions-v2.json and
// definitions-v3.json: converting them took tens of milliseconds of the first write after a start.
import { writeFileSync } from 'node:fs';

const { definitions } = await import('../dist/openapi/schemas/index.js');
const { convertDefinitions } = await import('../dist/openapi/convert.js');
const snapshot = JSON.parse(JSON.stringify(definitions));
writeFileSync(new URL('../dist/openapi/definitions.json', import.meta.url), JSON.stringify(definitions));
for (const style of ['v2', 'v3']) {
  const converted = JSON.stringify(convertDefinitions(snapshot, style));
  writeFileSync(new URL(`../dist/openapi/definitions-${style}.json`, import.meta.url), converted);
}
