/**
 * The API server on etcd (`--storage etcd --etcd-servers ... --etcd-prefix ...`), as users start it, driven by
 * real kubectl: objects live in etcd under the prefix (JSON, as the etcd client reads them), survive a restart of the server
 * with a fresh data directory, and a second server on the same etcd serves them too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { parseFlags, UsageError } from '../../server/flags.js';
import { type EtcdProcess, etcdMissing, startEtcd } from '../helpers/etcd.js';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { type ServerProcess, startServerProcess } from '../helpers/server.js';

const T = { timeout: 60_000 };

describe('--storage flags', () => {
  it('--storage etcd needs --etcd-servers; etcd flags need --storage etcd; URLs and prefixes are checked', () => {
    const f = parseFlags(
      ['--storage', 'etcd', '--etcd-servers', 'http://127.0.0.1:2379,http://10.0.0.2:2379'],
      'server',
    );
    assert.equal(f.storage, 'etcd');
    assert.deepEqual(f.etcdServers, ['http://127.0.0.1:2379', 'http://10.0.0.2:2379']);
    assert.equal(parseFlags([], 'server').storage, 'level');
    for (const argv of [
      ['--storage', 'etcd'],
      ['--storage', 'mysql'],
      ['--etcd-servers', 'http://127.0.0.1:2379'],
      ['--storage', 'etcd', '--etcd-servers', '127.0.0.1:2379'],
      ['--storage', 'etcd', '--etcd-servers', 'http://127.0.0.1:2379', '--etcd-prefix', 'registry'],
    ]) {
      assert.throws(() => parseFlags(argv, 'server'), UsageError, argv.join(' '));
    }
  });
});

describe('API server on etcd, with kubectl', { skip: etcdMissing }, () => {
  let etcd: EtcdProcess;
  const servers: ServerProcess[] = [];
  const kubectls: Kubectl[] = [];
  const start = async () => {
    const s = await startServerProcess({
      args: ['--storage', 'etcd', '--etcd-servers', etcd.url, '--etcd-prefix', '/kube-emu'],
    });
    servers.push(s);
    const k = new Kubectl(s.kubeconfig);
    kubectls.push(k);
    return { server: s, kubectl: k };
  };

  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const s of servers) {
      await s.kill();
      s.cleanup();
    }
    for (const k of kubectls) k.dispose();
    await etcd?.stop();
  });

  it('kubectl create/get/apply/delete; the objects are in etcd under the prefix', T, async () => {
    const { kubectl } = await start();
    await kubectl.ok(['create', 'namespace', 'demo']);
    await kubectl.ok(['create', 'configmap', 'cm1', '-n', 'demo', '--from-literal=k=v1']);
    const rv1 = await kubectl.ok([
      'get',
      'configmap',
      'cm1',
      '-n',
      'demo',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    await kubectl.ok(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n  namespace: demo\ndata:\n  k: v2\n',
    });
    const got = JSON.parse(await kubectl.ok(['get', 'configmap', 'cm1', '-n', 'demo', '-o', 'json']));
    assert.equal(got.data.k, 'v2');
    assert.ok(Number(got.metadata.resourceVersion) > Number(rv1));
    // What etcd holds, read with the etcd client itself.
    const client = new Etcd3({ hosts: etcd.url });
    let revision: string;
    let value: Record<string, any>;
    try {
      const res = await client.get('/kube-emu/configmaps/demo/cm1').exec();
      revision = res.kvs[0]!.mod_revision;
      value = JSON.parse(res.kvs[0]!.value.toString());
    } finally {
      client.close();
    }
    assert.equal(value.data.k, 'v2');
    assert.equal(value.metadata.resourceVersion, undefined, 'the resourceVersion is the mod_revision, not stored');
    assert.equal(String(revision), got.metadata.resourceVersion);
    await kubectl.ok(['delete', 'configmap', 'cm1', '-n', 'demo']);
    assert.match((await kubectl.run(['get', 'configmap', 'cm1', '-n', 'demo'])).stderr, /NotFound/);
  });

  it(
    'a second server on the same etcd sees the first one’s objects and its writes reach the first one’s watch',
    T,
    async () => {
      const [a] = kubectls;
      const { kubectl: b } = await start();
      assert.match(await b.ok(['get', 'namespace', 'demo']), /demo\s+Active/);
      const watch = a!.start(['get', 'configmaps', '-n', 'demo', '-w', '-o', 'name']);
      try {
        await new Promise((r) => setTimeout(r, 500));
        await b.ok(['create', 'configmap', 'from-b', '-n', 'demo']);
        await eventually(() => watch.output().includes('configmap/from-b'), { what: 'the watch on server A' });
        // Read-your-writes across servers: a list through A right after a write through B shows it.
        await b.ok(['create', 'configmap', 'from-b-2', '-n', 'demo']);
        assert.match(await a!.ok(['get', 'configmaps', '-n', 'demo', '-o', 'name']), /configmap\/from-b-2/);
      } finally {
        watch.stop();
      }
    },
  );
});
