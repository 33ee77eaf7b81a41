/**
 * The OpenAPI explorer for people: Swagger UI at /openapi/ui, loaded by headless Chromium (Debian's `chromium`,
 * installed by scripts/install-test-tools.sh, or CHROMIUM) driven through playwright-core, lists the DaemonSet
 * endpoints of both API groups, the core pod endpoints and the pod log subresource.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

type Obj = Record<string, any>;

/** Every operation of the served Swagger 2.0 document, by the id Swagger UI gives its block: `operations-<tag>-<id>`. */
async function documentedOperations(url: string): Promise<Map<string, string>> {
  const doc = (await (await fetch(`${url}/openapi/v2`)).json()) as Obj;
  const out = new Map<string, string>();
  for (const [path, item] of Object.entries(doc.paths as Obj))
    for (const method of ['get', 'put', 'post', 'delete', 'patch'])
      if (item[method]) out.set(`operations-${item[method].tags[0]}-${item[method].operationId}`, path);
  return out;
}

/**
 * The operation blocks Swagger UI renders for a person reading the page from top to bottom. It renders only what is
 * near the viewport, so the page is scrolled through, half a screen at a time, collecting the block ids with their
 * paths.
 */
async function renderedOperations(page: Page): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const collect = async () => {
    const blocks = await page
      .locator('.opblock')
      .evaluateAll((els) =>
        els.map((e) => [e.id, e.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''] as const),
      );
    for (const [id, path] of blocks) seen.set(id, path);
  };
  for (let i = 0; i < 2000; i++) {
    await collect();
    // A string, evaluated in the page (the tests compile without the DOM's types).
    const atEnd = await page.evaluate<boolean>(
      'window.scrollBy(0, window.innerHeight / 2), window.innerHeight + window.scrollY >= document.body.scrollHeight - 2',
    );
    await page.waitForTimeout(50);
    if (atEnd) break;
  }
  await collect();
  return seen;
}

describe('Swagger UI in headless Chromium', () => {
  let server: InProcessServer;
  let browser: Browser;
  before(async () => {
    server = await startInProcess();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** A fresh page of the explorer, failing the test on a script error or a failed request. */
  async function open(hash = ''): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
    await page.goto(`${server.url}/openapi/ui/${hash}`, { waitUntil: 'load', timeout: 60_000 });
    await page.locator('.swagger-ui .info .title').waitFor({ timeout: 60_000 });
    assert.match((await page.locator('.swagger-ui .info .title').textContent()) ?? '', /Kubernetes/);
    await page.locator('.opblock').first().waitFor({ timeout: 60_000 });
    return { page, problems };
  }

  it('lists every served operation, the DaemonSets of apps/v1 and extensions/v1beta1 and the pod log among them', async () => {
    const { page, problems } = await open();
    const rendered = await renderedOperations(page);
    const documented = await documentedOperations(server.url);
    assert.deepEqual([...rendered].sort(), [...documented].sort(), 'the page shows each operation of /openapi/v2');
    const paths = new Set(rendered.values());
    for (const group of ['apps/v1', 'extensions/v1beta1']) {
      for (const suffix of ['', '/{name}', '/{name}/status']) {
        const path = `/apis/${group}/namespaces/{namespace}/daemonsets${suffix}`;
        assert.ok(paths.has(path), `the page lists ${path}`);
      }
    }
    assert.ok(paths.has('/api/v1/namespaces/{namespace}/pods'), 'core endpoints are listed too');
    assert.equal(
      rendered.get('operations-core_v1-readCoreV1NamespacedPodLog'),
      '/api/v1/namespaces/{namespace}/pods/{name}/log',
    );
    assert.deepEqual(problems, []);
    await page.close();
  });

  it("a deep link opens the pod log operation with PodLogOptions' parameters", async () => {
    const { page, problems } = await open('#/core_v1/readCoreV1NamespacedPodLog');
    const op = page.locator('#operations-core_v1-readCoreV1NamespacedPodLog');
    await op.locator('.parameters').waitFor({ timeout: 60_000 });
    assert.match((await op.getAttribute('class')) ?? '', /\bis-open\b/);
    assert.match((await op.getAttribute('class')) ?? '', /\bopblock-get\b/);
    assert.equal(
      await op.locator('.opblock-summary-path').getAttribute('data-path'),
      '/api/v1/namespaces/{namespace}/pods/{name}/log',
    );
    const names = (await op.locator('.parameter__name').allTextContents()).map((n) => n.replace(/\s*\*$/, '').trim());
    for (const name of ['container', 'follow', 'previous', 'sinceSeconds', 'tailLines', 'timestamps', 'limitBytes'])
      assert.ok(names.includes(name), `the pod log operation shows ${name} (${names.join(', ')})`);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
