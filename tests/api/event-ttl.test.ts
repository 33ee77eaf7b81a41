/** Events expire a TTL after their last write, as with kube-apiserver's --event-ttl (1 h by default). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../helpers/server.js';
import { eventually } from '../helpers/kubectl.js';

function event(name: string, lastTimestamp: string) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web', apiVersion: 'v1' },
    reason: 'Started',
    message: 'Started container web',
    type: 'Normal',
    source: { component: 'kubelet' },
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 1,
  };
}

describe('event TTL', () => {
  it('removes an event once its last write is older than the TTL; a write renews it', async () => {
    const s = await startInProcess({ eventTTLSeconds: 3, eventSweepMs: 100 });
    const url = (name = '') => `${s.url}/api/v1/namespaces/default/events${name ? `/${name}` : ''}`;
    // Event timestamps have whole seconds: start from the current second, so that both events expire at
    // start + 3 s (between 2 and 3 s from now), and web.b, renewed with a last write 3 s later, at start + 6 s.
    const start = Math.floor(Date.now() / 1000) * 1000;
    const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      for (const name of ['web.a', 'web.b']) {
        const res = await fetch(url(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(event(name, at(start))),
        });
        assert.equal(res.status, 201);
      }
      // the recorder's way of counting a repeat: count+1 and a new lastTimestamp
      const renewed = await fetch(url('web.b'), {
        method: 'PATCH',
        headers: { 'content-type': 'application/strategic-merge-patch+json' },
        body: JSON.stringify({ count: 2, lastTimestamp: at(start + 3000) }),
      });
      assert.equal(renewed.status, 200);
      await eventually(async () => (await fetch(url('web.a'))).status === 404, {
        timeoutMs: 10_000,
        what: 'web.a to expire',
      });
      assert.equal((await fetch(url('web.b'))).status, 200, 'the renewed event is still there');
      await eventually(async () => (await fetch(url('web.b'))).status === 404, {
        timeoutMs: 10_000,
        what: 'web.b to expire in turn',
      });
    } finally {
      await s.close();
    }
  });
});
