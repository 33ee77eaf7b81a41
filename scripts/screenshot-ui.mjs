#!/usr/bin/env node
// `npm run screenshot`: regenerates docs/ui-rolling-update.png, the live view (/ui/) in the middle of a rolling
// update. Starts the emulator as `npm start` does (6 nodes, a fresh data directory), creates the chapter's fluentd
// and nginx-fast-storage DaemonSets from examples/ (one node labelled ssd=true), switches fluentd to RollingUpdate
// (maxUnavailable 1) with a new image, and photographs the page with headless Chromium (playwright-core; Debian's
// /usr/bin/chromium, or CHROMIUM) while old and new pods share the nodes.
//   node scripts/screenshot-ui.mjs [--out docs/ui-rolling-update.png]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, 'docs', 'ui-rolling-update.png');
// The tests' browser helper (compiled by `npm run screenshot` first): the same Chromium search and flags.
const { findChromium, launchChromium } = await import(join(root, 'dist', 'tests', 'helpers', 'browser.js'));
try {
  findChromium();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), 'kube-emu-screenshot-'));
const proc = spawn(
  process.execPath,
  [join(root, 'dist', 'cli', 'start.js'), '--port', '0', '--data-dir', dataDir, '--nodes', '6', '--speed', '1'],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let log = '';
proc.stdout.on('data', (d) => (log += d));
proc.stderr.on('data', (d) => (log += d));
const exited = once(proc, 'exit');
let browser;

async function until(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

try {
  const url = await until(() => /listening on (http:\/\/\S+)/.exec(log)?.[1], 'the API server');
  const api = async (method, path, body, type = 'application/json') => {
    const res = await fetch(url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.message}`);
    return json;
  };
  const readyNodes = async () =>
    (await api('GET', '/api/v1/nodes')).items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  const nodes = await until(async () => {
    const n = await readyNodes().catch(() => []);
    return n.length === 6 && n;
  }, '6 Ready nodes');
  const ds = (ns) => `/apis/extensions/v1beta1/namespaces/${ns}/daemonsets`;
  await api(
    'POST',
    ds('kube-system'),
    readFileSync(join(root, 'examples', 'fluentd.yaml'), 'utf8'),
    'application/yaml',
  );
  await api(
    'PATCH',
    `/api/v1/nodes/${nodes[1].metadata.name}`,
    { metadata: { labels: { ssd: 'true' } } },
    'application/merge-patch+json',
  );
  await api(
    'POST',
    ds('default'),
    readFileSync(join(root, 'examples', 'nginx-fast-storage.yaml'), 'utf8'),
    'application/yaml',
  );
  const fluentd = `/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd`;
  await until(async () => (await api('GET', fluentd)).status?.numberAvailable === 6, 'fluentd on every node');

  browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1440, height: 820 }, deviceScaleFactor: 1 });
  await page.goto(`${url}/ui/`);
  await page.waitForSelector('body[data-synced="true"] .pod[data-rev="new"]');
  await page.click(`.node[data-node="${nodes[1].metadata.name}"] header`);

  await api(
    'PATCH',
    fluentd,
    {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: { spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v1.17' }] } },
      },
    },
    'application/strategic-merge-patch+json',
  );
  // The middle of the rollout: some nodes on the new revision, some on the old, one pod on its way.
  await page.waitForFunction(
    () => {
      const pods = [...document.querySelectorAll('.pod[data-owner="DaemonSet/fluentd"]')];
      const fresh = pods.filter((p) => p.dataset.rev === 'new').length;
      const old = pods.filter((p) => p.dataset.rev === 'old').length;
      const moving = pods.some((p) => p.dataset.status !== 'Ready');
      return fresh >= 2 && old >= 2 && moving;
    },
    undefined,
    { timeout: 60_000, polling: 50 },
  );
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser?.close();
  if (proc.exitCode === null) {
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
