#!/usr/bin/env node
// `npm start`: builds when a source of what it runs changed (scripts/build.mjs; a changed test alone is compiled by
// the next `npm test` or `npm run build`), then runs the launcher (dist/cli/start.js) in this same process: one Node
// start instead of two before the API server is spawned.
import { build } from './build.mjs';

await build({ runOnly: true });
await import('../dist/cli/start.js');
