/**
 * `npm run soak [-- --minutes N]`: writes large objects against an API server process for N minutes (default
 * 30) and prints its RSS over time; exits 1 when the RSS goes over the bound. Never part of `npm test`.
 *   --minutes N         how long to write (default 30)
 *   --size-kb K         size of the annotation each write replaces (default 200)
 *   --objects N         ConfigMaps rewritten round-robin by as many concurrent writers (default 4)
 *   --watch-cache-mib M the server's --watch-cache-mib (default: the server's default, 64)
 *   --max-rss-mb B      fail above this RSS (default 640; 4 minutes with the 64 MiB window peak near 460)
 * It also fails when the RSS keeps growing: the mean of the last third of the samples above 1.3 times the mean
 * of the middle third (plus 32 MB of GC noise).
 * A watcher follows every change, so the watch path is exercised too; every write is checked for 200.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Api } from '../helpers/http.js';
import { startServerProcess } from '../helpers/server.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    'size-kb': { type: 'string', default: '200' },
    objects: { type: 'string', default: '4' },
    'watch-cache-mib': { type: 'string' },
    'max-rss-mb': { type: 'string', default: '640' },
  },
});
const minutes = Number(values.minutes);
const sizeKb = Number(values['size-kb']);
const objects = Number(values.objects);
const maxRssMb = Number(values['max-rss-mb']);
for (const [name, v] of Object.entries({ minutes, sizeKb, objects, maxRssMb })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`soak: --${name} must be a positive number`);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const args = values['watch-cache-mib'] ? ['--watch-cache-mib', values['watch-cache-mib']] : [];
const server = await startServerProcess({ args });
const pid = server.proc.pid!;
const api = new Api(server.url);
const ns = '/api/v1/namespaces/default/configmaps';
let failed: string | undefined;
let writes = 0;
let watched = 0;
const blob = (n: number): string => `${n}:`.padEnd(sizeKb * 1024, 'x');

const watchAbort = new AbortController();
const watcher = (async () => {
  const res = await fetch(`${server.url}${ns}?watch=1&allowWatchBookmarks=true`, { signal: watchAbort.signal });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    watched += decoder.decode(chunk, { stream: true }).split('\n').length - 1;
  }
})().catch((err: unknown) => {
  if (!watchAbort.signal.aborted) failed ??= `watch ended: ${String(err)}`;
});

const deadline = Date.now() + minutes * 60_000;
const writers = Array.from({ length: objects }, async (_, i) => {
  const name = `soak-${i}`;
  await api.expect(201, 'POST', ns, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } } });
  for (let n = 0; Date.now() < deadline && !failed; n++) {
    const res = await api.patch(`${ns}/${name}`, { metadata: { annotations: { blob: blob(n) } } });
    if (res.status !== 200) failed ??= `write ${name} #${n}: ${res.status} ${res.text.slice(0, 200)}`;
    writes++;
  }
});

const start = Date.now();
const samples: number[] = [];
const report = (): void => {
  const rss = rssMb(pid);
  samples.push(rss);
  const elapsed = ((Date.now() - start) / 1000).toFixed(0).padStart(5);
  process.stdout.write(
    `${elapsed} s  writes ${String(writes).padStart(7)}  events ${watched}  rss ${rss.toFixed(0)} MB\n`,
  );
  if (rss > maxRssMb) failed ??= `RSS ${rss.toFixed(0)} MB is over the bound of ${maxRssMb} MB`;
  if (server.proc.exitCode !== null || server.proc.signalCode !== null)
    failed ??= `server exited: ${server.output().slice(-2000)}`;
};
const timer = setInterval(report, 10_000);
await Promise.all(writers);
clearInterval(timer);
report();
watchAbort.abort();
await watcher;
await server.stop();
server.cleanup();
const peak = Math.max(...samples);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const third = Math.floor(samples.length / 3);
if (third >= 3) {
  const middle = mean(samples.slice(third, 2 * third));
  const last = mean(samples.slice(2 * third));
  if (last > middle * 1.3 + 32) failed ??= `RSS keeps growing: ${middle.toFixed(0)} MB, then ${last.toFixed(0)} MB`;
}
const written = (writes * sizeKb) / 1024;
process.stdout.write(
  `soak: ${writes} writes (${written.toFixed(0)} MB of objects) in ${minutes} min; peak RSS ${peak.toFixed(0)} MB\n`,
);
if (failed) {
  process.stderr.write(`soak FAILED: ${failed}\n`);
  process.exit(1);
}
process.stdout.write('soak passed\n');
