/**
 * Paginated lists (`limit` / `continue`), modelled on upstream's test/e2e/apimachinery/chunking.go: 400 objects
 * `template-0000`..`template-0399` in one namespace (pods here; the e2e test uses PodTemplates).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer } from '../helpers/server.js';
import { podManifest, type Json } from '../helpers/http.js';

const NS = 'chunking';
const TOTAL = 400;
/** The label each object carries: by the number in its name. */
const parity = (name: string) => (Number(name.slice(-4)) % 2 ? 'odd' : 'even');
const names = Array.from({ length: TOTAL }, (_, i) => `template-${String(i).padStart(4, '0')}`);

describe('chunked lists', () => {
  const { api, server } = useInProcessServer({ namespaces: [NS, `${NS}-other`] });
  const base = `/api/v1/namespaces/${NS}/pods`;

  before(async () => {
    // create in a shuffled order with some concurrency: the list order must come from the keys
    const order = [...names].sort(() => Math.random() - 0.5);
    const workers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = w; i < order.length; i += 16)
        await api.expect(201, 'POST', base, {
          body: podManifest(order[i]!, { labels: { parity: parity(order[i]!) } }),
        });
    });
    await Promise.all(workers);
  });

  async function page(query: string): Promise<Json> {
    return api.expect(200, 'GET', `${base}?${query}`);
  }

  /** Follows continue tokens from `first`; checks the invariants of every page; returns the pages. */
  async function follow(
    first: Json,
    limit: number,
    expectedTotal: number,
    betweenPages?: (n: number) => Promise<void>,
  ): Promise<Json[]> {
    const pages = [first];
    const rv = first.metadata.resourceVersion;
    let seen = 0;
    for (let cur = first; ; ) {
      assert.ok(cur.items.length <= limit, `page of ${cur.items.length} > limit ${limit}`);
      assert.equal(cur.metadata.resourceVersion, rv, "every page carries the first page's resourceVersion");
      seen += cur.items.length;
      const token = cur.metadata.continue;
      if (!token) {
        assert.equal(cur.metadata.remainingItemCount, undefined, 'no remainingItemCount on the last page');
        break;
      }
      assert.equal(typeof cur.metadata.remainingItemCount, 'number', `remainingItemCount on page ${pages.length}`);
      assert.equal(cur.metadata.remainingItemCount + seen, expectedTotal, 'remainingItemCount + items so far = total');
      if (betweenPages) await betweenPages(pages.length);
      cur = await page(`limit=${limit}&continue=${encodeURIComponent(token)}`);
      pages.push(cur);
    }
    return pages;
  }

  it('limit=17: pages of at most 17 in name order, one resourceVersion, remainingItemCount, no continue at the end', async () => {
    const first = await page('limit=17');
    assert.equal(first.kind, 'PodList');
    assert.equal(first.items.length, 17);
    const pages = await follow(first, 17, TOTAL);
    assert.equal(pages.length, Math.ceil(TOTAL / 17));
    assert.deepEqual(
      pages.flatMap((p) => p.items.map((i: Json) => i.metadata.name)),
      names,
    );
    const last = pages[pages.length - 1]!;
    assert.equal(last.items.length, TOTAL % 17);
    assert.ok(!last.metadata.continue, 'continue empty on the last page');
  });

  it('writes between pages do not show up in the paged list', async () => {
    const first = await page('limit=17');
    const rv0 = first.metadata.resourceVersion;
    const before = new Map<string, string>();
    for (const name of ['template-0300', 'template-0350'])
      before.set(name, (await api.expect(200, 'GET', `${base}/${name}`)).metadata.resourceVersion);
    let changedRV = '';
    const pages = await follow(first, 17, TOTAL, async (n) => {
      if (n !== 1) return;
      await api.expect(201, 'POST', base, { body: podManifest('template-0100a') });
      await api.expect(200, 'DELETE', `${base}/template-0300`);
      const cur = await api.expect(200, 'GET', `${base}/template-0350`);
      cur.metadata.annotations = { changed: 'yes' };
      changedRV = (await api.expect(200, 'PUT', `${base}/template-0350`, { body: cur })).metadata.resourceVersion;
    });
    try {
      const items = pages.flatMap((p) => p.items);
      assert.deepEqual(
        items.map((i: Json) => i.metadata.name),
        names,
        'the snapshot of the first page: no new item, the deleted one still there',
      );
      const t350 = items.find((i: Json) => i.metadata.name === 'template-0350');
      assert.equal(t350.metadata.resourceVersion, before.get('template-0350'), 'the old state of the updated item');
      assert.equal(t350.metadata.annotations, undefined);
      assert.notEqual(changedRV, t350.metadata.resourceVersion);
      assert.ok(pages.every((p) => p.metadata.resourceVersion === rv0));
      // a fresh list sees the writes
      const now = await page('');
      const nowNames = now.items.map((i: Json) => i.metadata.name);
      assert.ok(nowNames.includes('template-0100a'));
      assert.ok(!nowNames.includes('template-0300'));
    } finally {
      await api.expect(200, 'DELETE', `${base}/template-0100a`);
      await api.expect(201, 'POST', base, {
        body: podManifest('template-0300', { labels: { parity: parity('template-0300') } }),
      });
    }
  });

  it('limit=401 returns all 400 without continue; limit=400 too', async () => {
    for (const limit of [401, 400]) {
      const all = await page(`limit=${limit}`);
      assert.equal(all.items.length, TOTAL, `limit=${limit}`);
      assert.deepEqual(
        all.items.map((i: Json) => i.metadata.name),
        names,
      );
      assert.ok(!all.metadata.continue, `no continue with limit=${limit} (etcd reports more=false)`);
      assert.equal(all.metadata.remainingItemCount, undefined);
    }
  });

  it('a label-selected paged list has no remainingItemCount and pages still respect the limit', async () => {
    const first = await page(`limit=17&labelSelector=${encodeURIComponent('parity=odd')}`);
    const collected: string[] = [];
    const rv = first.metadata.resourceVersion;
    for (let cur = first; ; ) {
      assert.ok(cur.items.length <= 17);
      assert.equal(cur.metadata.resourceVersion, rv);
      assert.equal(cur.metadata.remainingItemCount, undefined, 'remainingItemCount is only set without selectors');
      collected.push(...cur.items.map((i: Json) => i.metadata.name));
      if (!cur.metadata.continue) break;
      cur = await page(
        `limit=17&labelSelector=${encodeURIComponent('parity=odd')}&continue=${encodeURIComponent(cur.metadata.continue)}`,
      );
    }
    const odd = (await page(`labelSelector=${encodeURIComponent('parity=odd')}`)).items.map(
      (i: Json) => i.metadata.name,
    );
    assert.equal(odd.length, TOTAL / 2);
    assert.ok(odd.every((n: string) => parity(n) === 'odd'));
    assert.deepEqual(collected, odd);
    assert.deepEqual([...odd].sort(), odd, 'in name order');
  });

  it('a Table list pages too (table_conversion.go)', async () => {
    const table = await api.expect(200, 'GET', `${base}?limit=2`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.equal(table.kind, 'Table');
    assert.deepEqual(
      table.rows.map((r: Json) => r.cells[0]),
      ['template-0000', 'template-0001'],
    );
    assert.ok(table.metadata.resourceVersion);
    assert.ok(table.metadata.continue);
    const next = await api.expect(
      200,
      'GET',
      `${base}?limit=2&continue=${encodeURIComponent(table.metadata.continue)}`,
      {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
    );
    assert.equal(next.rows[0].cells[0], 'template-0002');
  });

  it('an all-namespaces list pages in (namespace, name) order', async () => {
    for (const name of ['a-first', 'z-last'])
      await api.expect(201, 'POST', `/api/v1/namespaces/${NS}-other/pods`, { body: podManifest(name) });
    await api.expect(201, 'POST', '/api/v1/namespaces/default/pods', { body: podManifest('in-default') });
    const key = (i: Json) => `${i.metadata.namespace}/${i.metadata.name}`;
    const full = (await api.expect(200, 'GET', '/api/v1/pods')).items.map(key);
    assert.deepEqual(full, [...full].sort(), 'the unpaged list is in key order');
    assert.equal(full.length, TOTAL + 3);
    const paged: string[] = [];
    let cur = await api.expect(200, 'GET', '/api/v1/pods?limit=50');
    const rv = cur.metadata.resourceVersion;
    for (;;) {
      assert.ok(cur.items.length <= 50);
      assert.equal(cur.metadata.resourceVersion, rv);
      paged.push(...cur.items.map(key));
      if (!cur.metadata.continue) break;
      assert.equal(cur.metadata.remainingItemCount, full.length - paged.length);
      cur = await api.expect(200, 'GET', `/api/v1/pods?limit=50&continue=${encodeURIComponent(cur.metadata.continue)}`);
    }
    assert.deepEqual(paged, full);
    for (const [ns, name] of [
      [`${NS}-other`, 'a-first'],
      [`${NS}-other`, 'z-last'],
      ['default', 'in-default'],
    ]) {
      await api.expect(200, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
    }
  });

  it('an invalid continue token is a 400', async () => {
    for (const token of [
      'not-a-token',
      Buffer.from('{"v":"meta.k8s.io/v1"}').toString('base64url'),
      'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOjF9',
    ]) {
      const res = await api.get(`${base}?limit=10&continue=${encodeURIComponent(token)}`);
      assert.equal(res.status, 400, `token ${token}: ${res.text}`);
      assert.equal(res.body.kind, 'Status');
      assert.equal(res.body.reason, 'BadRequest');
      assert.equal(res.body.code, 400);
      assert.match(res.body.message, /continue key is not valid/);
    }
  });

  it('continue together with a resourceVersion is a 400', async () => {
    const first = await page('limit=5');
    const res = await api.get(
      `${base}?limit=5&resourceVersion=${first.metadata.resourceVersion}&continue=${encodeURIComponent(first.metadata.continue)}`,
    );
    assert.equal(res.status, 400);
    assert.equal(res.body.reason, 'BadRequest');
  });

  // Last: it compacts the storage.
  it('after compaction, continue is 410 Expired with a token that lists the rest at a new resourceVersion (chunking.go)', async () => {
    const first = await page('limit=40');
    assert.equal(first.items.length, 40);
    assert.equal(first.items[39].metadata.name, 'template-0039');
    const rv0 = Number(first.metadata.resourceVersion);
    // a write elsewhere moves the store past the first page's revision; then that revision is compacted away
    await api.expect(201, 'POST', `/api/v1/namespaces/${NS}-other/pods`, { body: podManifest('bump') });
    await server().storage.compact(server().storage.currentRevision());
    assert.ok(server().storage.compactedRevision() > rv0);

    const expired = await api.get(`${base}?limit=40&continue=${encodeURIComponent(first.metadata.continue)}`);
    assert.equal(expired.status, 410);
    assert.equal(expired.body.kind, 'Status');
    assert.equal(expired.body.status, 'Failure');
    assert.equal(expired.body.reason, 'Expired');
    assert.equal(expired.body.code, 410);
    const inconsistent = expired.body.metadata.continue;
    assert.ok(inconsistent, 'the Status carries a continue token');

    const second = await page(`limit=40&continue=${encodeURIComponent(inconsistent)}`);
    assert.equal(second.items.length, 40);
    assert.equal(second.items[0].metadata.name, 'template-0040');
    const rv1 = second.metadata.resourceVersion;
    assert.ok(Number(rv1) > rv0, `a new resourceVersion (${rv1} > ${rv0})`);
    let total = first.items.length + second.items.length;
    const rest: string[] = second.items.map((i: Json) => i.metadata.name);
    for (let cur = second; cur.metadata.continue; ) {
      cur = await page(`limit=40&continue=${encodeURIComponent(cur.metadata.continue)}`);
      assert.equal(cur.metadata.resourceVersion, rv1, 'later pages keep the new resourceVersion');
      assert.ok(cur.items.length <= 40);
      total += cur.items.length;
      rest.push(...cur.items.map((i: Json) => i.metadata.name));
    }
    assert.equal(total, TOTAL);
    assert.deepEqual(rest, names.slice(40));
  });
});
