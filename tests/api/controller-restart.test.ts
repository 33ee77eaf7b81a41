/**
 * Crash safety of the controller manager: it is killed with SIGKILL while the DaemonSet controller is creating
 * pods for 200 nodes; the launcher restarts it, and the cluster converges to exactly one pod per node, with no
 * pod created twice (a watch from before the DaemonSet existed sees exactly 200 pod creations).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';

const NODES = 200;

describe(`SIGKILL of the controller manager while it creates pods for ${NODES} nodes`, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ nodes: NODES, speed: 1, timeoutMs: 180_000 });
  });
  after(async () => {
    await c?.stop();
  });

  it('ends with exactly one pod per node, none created twice', async () => {
    const listed = await c.api('GET', '/api/v1/namespaces/default/pods');
    const added = new Set<string>();
    let addedEvents = 0;
    const ac = new AbortController();
    const watching = (async () => {
      const res = await fetch(
        `${c.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${listed.body.metadata.resourceVersion}`,
        { signal: ac.signal },
      );
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (ev.type === 'ADDED') {
            addedEvents++;
            added.add(ev.object.metadata.uid);
          }
        }
      }
    })().catch(() => {});

    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'agent', image: 'agent:1' }] },
        },
      },
    };
    assert.equal((await c.api('POST', '/apis/apps/v1/namespaces/default/daemonsets', ds)).status, 201);
    // kill it in the middle of the slow-start batches
    await eventually(async () => addedEvents >= 20, { timeoutMs: 60_000, intervalMs: 5, what: 'the first pods' });
    const pid = c.controllerManagerPid();
    assert.ok(pid, 'the controller manager runs under the launcher');
    process.kill(pid!, 'SIGKILL');
    const atKill = addedEvents;
    assert.ok(atKill < NODES, `killed mid-way (${atKill} pods so far)`);
    await eventually(() => c.controllerManagerPid() !== undefined && c.controllerManagerPid() !== pid, {
      timeoutMs: 30_000,
      what: 'a restarted controller manager',
    });

    const pods = await eventually(
      async () => {
        const items = (await c.api('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).body
          .items as any[];
        return items.length === NODES && items.every((p) => !p.metadata.deletionTimestamp) ? items : undefined;
      },
      { timeoutMs: 180_000, what: `${NODES} pods` },
    );
    const byNode = new Map<string, number>();
    for (const p of pods!) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.equal(byNode.size, NODES, 'every node has a pod');
    assert.ok(
      [...byNode.values()].every((n) => n === 1),
      'no node has two',
    );
    // let the (restarted) controller settle, then check nothing more was ever created
    await eventually(
      async () =>
        (await c.api('GET', '/apis/apps/v1/namespaces/default/daemonsets/agent')).body.status
          ?.currentNumberScheduled === NODES,
      {
        timeoutMs: 60_000,
        what: 'the status to count every node',
      },
    );
    // the watch delivers asynchronously: wait until it has shown every pod the list shows, then give a late
    // duplicate a second to show up too
    await eventually(() => added.size >= NODES, { timeoutMs: 30_000, what: `the watch to deliver the ${NODES} pods` });
    await new Promise((r) => setTimeout(r, 1000));
    ac.abort();
    await watching;
    assert.equal(addedEvents, NODES, `exactly ${NODES} pods were ever created (${atKill} before the kill)`);
    assert.equal(added.size, NODES);
  });
});
