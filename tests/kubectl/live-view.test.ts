/**
 * The live view (/ui/) in headless Chromium (playwright-core) beside the chapter, with real kubectl against
 * `npm start -- --nodes 3`: fluentd shows one Ready pod in each node's column; labelling a node ssd=true with
 * nginx-fast-storage applied makes exactly one nginx cell appear, in that node's column; a RollingUpdate with
 * maxUnavailable 1 never shows more than one node without a Ready fluentd pod (every state the page draws is
 * checked, by a MutationObserver in the page), while old and new revisions are told apart.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { Kubectl } from '../helpers/kubectl.js';
import { REPO_ROOT } from '../helpers/paths.js';

const FLUENTD = join(REPO_ROOT, 'examples', 'fluentd.yaml');
const NGINX = join(REPO_ROOT, 'examples', 'nginx-fast-storage.yaml');

/** What the page shows of one DaemonSet's pods, per node column (functions run in the page reach it via globalThis). */
function columnsOf(page: Page, owner: string) {
  return page.evaluate((o) => {
    const doc = (globalThis as any).document;
    return [...doc.querySelectorAll('.node[data-node]')]
      .filter((n: any) => n.dataset.node)
      .map((n: any) => ({
        node: n.dataset.node as string,
        ready: n.dataset.ready as string,
        pods: [...n.querySelectorAll(`.pod[data-owner="${o}"]`)].map((p: any) => ({
          name: p.dataset.pod as string,
          status: p.dataset.status as string,
          rev: p.dataset.rev as string,
        })),
      }));
  }, owner);
}

describe('the live view during the chapter (kubectl 1.32, headless Chromium)', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  let k: Kubectl;
  let browser: Browser;
  let page: Page;
  let nodes: string[] = [];

  before(async () => {
    cluster = await startCluster({ nodes: 3, speed: 0.1 });
    k = new Kubectl(cluster.kubeconfig, '1.32');
    nodes = ((await cluster.api('GET', '/api/v1/nodes')).body.items as any[]).map((n) => n.metadata.name).sort();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${cluster.url}/ui/`);
    await page.waitForSelector('body[data-synced="true"]');
  });
  after(async () => {
    await browser?.close();
    k?.dispose();
    await cluster?.stop();
  });

  it('shows 3 Ready fluentd pods, one per node column, after kubectl apply -f fluentd.yaml', async () => {
    await k.ok(['apply', '-f', FLUENTD]);
    await page.waitForFunction(
      () => {
        const cols = [...(globalThis as any).document.querySelectorAll('.node[data-node]')].filter(
          (n: any) => n.dataset.node,
        );
        return (
          cols.length === 3 &&
          cols.every(
            (n: any) =>
              n.dataset.ready === 'Ready' &&
              n.querySelectorAll('.pod[data-owner="DaemonSet/fluentd"]').length === 1 &&
              n.querySelector('.pod[data-owner="DaemonSet/fluentd"]').dataset.status === 'Ready',
          )
        );
      },
      undefined,
      { timeout: 30_000 },
    );
    const cols = await columnsOf(page, 'DaemonSet/fluentd');
    assert.deepEqual(
      cols.map((c) => c.node),
      nodes,
      'one column per node, by name',
    );
    for (const c of cols)
      assert.deepEqual(
        c.pods.map((p) => p.status),
        ['Ready'],
        `${c.node}: one Ready fluentd pod`,
      );
    assert.equal(new Set(cols.map((c) => c.pods[0]!.name)).size, 3, 'three different pods');
    const ds = await page.textContent('.ds[data-ds="kube-system/fluentd"]');
    assert.match(ds ?? '', /OnDelete/, 'the DaemonSet panel shows its update strategy');
  });

  it('makes exactly one nginx cell appear when one node is labelled ssd=true', async () => {
    await k.ok(['label', 'nodes', nodes[0]!, 'ssd=true']);
    await k.ok(['apply', '-f', NGINX]);
    await page.waitForSelector(
      `.node[data-node="${nodes[0]}"] .pod[data-owner="DaemonSet/nginx-fast-storage"][data-status="Ready"]`,
      { timeout: 30_000 },
    );
    // It stays one: sampled for a while after it became Ready.
    for (let i = 0; i < 10; i++) {
      const cols = await columnsOf(page, 'DaemonSet/nginx-fast-storage');
      const cells = cols.flatMap((c) => c.pods.map(() => c.node));
      assert.deepEqual(cells, [nodes[0]], 'exactly one nginx cell, in the labelled node column');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('never shows more than one node without a Ready pod during a RollingUpdate with maxUnavailable 1', async () => {
    // Every state the page draws: a MutationObserver on the grid runs after each animation frame's update.
    await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const rec = { samples: 0, maxWithout: 0, maxBudgetUsed: 0, mixed: false, worst: '' };
      (globalThis as any).__rollout = rec;
      const sample = () => {
        rec.samples++;
        const cols = [...doc.querySelectorAll('.node[data-node]')].filter((n: any) => n.dataset.node);
        const without = cols.filter(
          (n: any) => !n.querySelector('.pod[data-owner="DaemonSet/fluentd"][data-status="Ready"]'),
        );
        if (without.length > rec.maxWithout) {
          rec.maxWithout = without.length;
          rec.worst = cols.map((n: any) => n.textContent.replace(/\s+/g, ' ')).join(' | ');
        }
        const revs = new Set(
          [...doc.querySelectorAll('.pod[data-owner="DaemonSet/fluentd"]')].map((p: any) => p.dataset.rev),
        );
        if (revs.has('old') && revs.has('new')) rec.mixed = true;
        const budget = doc.querySelector('.ds[data-ds="kube-system/fluentd"] .budget');
        if (budget) rec.maxBudgetUsed = Math.max(rec.maxBudgetUsed, Number(budget.dataset.unavailable));
      };
      const observer = new (globalThis as any).MutationObserver(sample);
      observer.observe(doc.querySelector('main'), { subtree: true, childList: true, attributes: true });
      observer.observe(doc.querySelector('#daemonsets'), { subtree: true, childList: true });
      (globalThis as any).__stopRollout = () => observer.disconnect();
    });
    const before = await columnsOf(page, 'DaemonSet/fluentd');
    const oldPods = new Set(before.flatMap((c) => c.pods.map((p) => p.name)));

    await k.ok([
      'patch',
      'daemonset',
      'fluentd',
      '-n',
      'kube-system',
      '-p',
      JSON.stringify({
        spec: {
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
          template: { spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v1.17' }] } },
        },
      }),
    ]);
    await k.ok(['rollout', 'status', 'daemonset/fluentd', '-n', 'kube-system', '--timeout=90s'], {
      timeoutMs: 100_000,
    });
    // The page catches up: three new Ready pods, one per node, none of the old ones.
    await page.waitForFunction(
      () => {
        const cols = [...(globalThis as any).document.querySelectorAll('.node[data-node]')].filter(
          (n: any) => n.dataset.node,
        );
        return (
          cols.length === 3 &&
          cols.every((n: any) => {
            const pods = n.querySelectorAll('.pod[data-owner="DaemonSet/fluentd"]');
            return pods.length === 1 && pods[0].dataset.status === 'Ready' && pods[0].dataset.rev === 'new';
          })
        );
      },
      undefined,
      { timeout: 30_000 },
    );
    const rec = await page.evaluate(() => {
      (globalThis as any).__stopRollout();
      return (globalThis as any).__rollout as {
        samples: number;
        maxWithout: number;
        maxBudgetUsed: number;
        mixed: boolean;
        worst: string;
      };
    });
    const after = await columnsOf(page, 'DaemonSet/fluentd');
    for (const c of after) assert.ok(!oldPods.has(c.pods[0]!.name), `${c.node} runs a new pod`);
    assert.ok(rec.samples > 10, `the rollout was sampled (${rec.samples} states)`);
    assert.ok(rec.maxWithout <= 1, `at most one node without a Ready pod; worst: ${rec.worst}`);
    assert.equal(rec.maxWithout, 1, 'the rollout was seen taking one node at a time');
    assert.ok(rec.mixed, 'old and new revisions were shown side by side');
    assert.equal(rec.maxBudgetUsed, 1, 'the unavailable budget in use was shown (1 of 1)');
  });
});
