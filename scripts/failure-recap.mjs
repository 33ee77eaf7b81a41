// A reporter for Node's test runner that writes, at the end of a run, one block per failing test (its file,
// its name and its error) followed by the run's summary. scripts/run-tests.mjs prints it after the TAP
// stream, so a long log still ends with what failed and the summary.
import { relative } from 'node:path';
import { inspect } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const SUMMARY = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) /;

function describeError(error) {
  if (!error) return '(no error reported)';
  const cause = error.cause ?? error;
  if (cause instanceof Error) return cause.stack ?? String(cause);
  return inspect(cause, { depth: 4 });
}

export default async function* failureRecap(source) {
  const failures = [];
  const summary = [];
  for await (const event of source) {
    if (event.type === 'test:fail') {
      const { name, file, details } = event.data;
      if (details?.type === 'suite') continue; // its failing tests are listed themselves
      failures.push({ name, file: file ? relative(root, file) : '(unknown file)', error: details?.error });
    } else if (event.type === 'test:diagnostic' && event.data.nesting === 0 && SUMMARY.test(event.data.message)) {
      summary.push(`# ${event.data.message}`);
    }
  }
  if (failures.length === 0) return;
  let out = `\n# ${failures.length} failing test(s):\n`;
  for (const f of failures) {
    out += `\n# ✖ ${f.file}: ${f.name}\n`;
    out +=
      describeError(f.error)
        .split('\n')
        .filter((l) => !/\(?node:|new Promise|Array\.map/.test(l))
        .slice(0, 40)
        .map((l) => `#   ${l}`)
        .join('\n') + '\n';
  }
  out += `\n${summary.join('\n')}\n`;
  yield out;
}
