#!/usr/bin/env node
// `npm start`: builds when a source changed (scripts/build.mjs), then runs the launcher (dist/cli/start.js) in this
// same process: one Node start instead of two before the API server is spawned.
import { build } from './build.mjs';

await build();
await import('../dist/cli/start.js');
