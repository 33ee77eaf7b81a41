/**
 * Service accounts with real kubectl against `npm start -- --nodes 1` (API server and controller manager): the
 * controller gives every namespace its `default` account (and brings it back when deleted), `kubectl create
 * serviceaccount` / `get sa` / `describe sa`, `kubectl create token` (kubectl 1.32 sends the TokenRequest in protobuf)
 * whose JWT the server accepts as a bearer token, and pods created by kubectl (and by the DaemonSet controller) run as
 * `default` with the `kube-api-access-*` projected volume. kubectl 1.32 runs every case, the other versions of
 * KUBECTL_VERSIONS the core commands. kubectl 1.20 has no `create token`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, MAIN_KUBECTL_VERSION, speaksProtobuf } from '../helpers/kubectl.js';
import type { Json } from '../helpers/http.js';

const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_VOLUME = {
  defaultMode: 420,
  sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
    { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
    {
      downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] },
    },
  ],
};

const linesOf = (s: string) =>
  s
    .trimEnd()
    .split('\n')
    .map((l) => l.trim().split(/\s+/));

/** The pod runs as `default` with exactly one kube-api-access volume, mounted read-only in every container. */
function assertTokenVolume(pod: Json): void {
  assert.equal(pod.spec.serviceAccountName, 'default');
  assert.equal(pod.spec.serviceAccount, 'default');
  const volumes = pod.spec.volumes.filter((v: Json) => v.name.startsWith('kube-api-access-'));
  assert.equal(volumes.length, 1, JSON.stringify(pod.spec.volumes));
  assert.match(volumes[0].name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(volumes[0].projected, TOKEN_VOLUME);
  for (const c of pod.spec.containers) {
    assert.deepEqual(
      c.volumeMounts.find((m: Json) => m.mountPath === MOUNT_PATH),
      { name: volumes[0].name, readOnly: true, mountPath: MOUNT_PATH },
    );
  }
}

describe('kubectl and service accounts', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  const kubectls: Kubectl[] = [];

  /** Who the server takes a bearer token for (POST selfsubjectreviews, as `kubectl auth whoami` would over TLS). */
  const whoami = async (token: string): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${cluster.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
    });
    return { status: res.status, body: await res.json() };
  };

  before(async () => {
    cluster = await startCluster({ nodes: 1 });
  });
  after(async () => {
    for (const k of kubectls) k.dispose();
    await cluster?.stop();
  });

  describe(`kubectl ${MAIN_KUBECTL_VERSION} (protobuf)`, () => {
    let k: Kubectl;
    before(() => {
      k = new Kubectl(cluster.kubeconfig, MAIN_KUBECTL_VERSION);
      kubectls.push(k);
    });

    it('get sa -A: every namespace the cluster starts with has its default account', async () => {
      const rows = (await eventually(
        async () => {
          const r = linesOf(await k.ok(['get', 'sa', '-A']));
          return r.length === 5 ? r : undefined;
        },
        { what: 'four default service accounts', timeoutMs: 20_000 },
      ))!;
      assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'SECRETS', 'AGE']);
      assert.deepEqual(
        rows.slice(1).map((r) => r.slice(0, 3)),
        ['default', 'kube-node-lease', 'kube-public', 'kube-system'].map((ns) => [ns, 'default', '0']),
      );
    });

    it('a new namespace gets its default account shortly; a pod created right away is admitted', async () => {
      assert.equal(await k.ok(['create', 'namespace', 'team-a']), 'namespace/team-a created\n');
      assert.equal(
        await k.ok(['run', 'first', '-n', 'team-a', '--image=registry.k8s.io/pause:3.9']),
        'pod/first created\n',
      );
      const rows = linesOf(await k.ok(['get', 'serviceaccounts', '-n', 'team-a']));
      assert.deepEqual(
        rows.map((r) => r.slice(0, 2)),
        [
          ['NAME', 'SECRETS'],
          ['default', '0'],
        ],
      );
      assertTokenVolume((await cluster.api('GET', '/api/v1/namespaces/team-a/pods/first')).body);
    });

    it('create serviceaccount, get sa, describe sa', async () => {
      assert.equal(await k.ok(['create', 'serviceaccount', 'builder']), 'serviceaccount/builder created\n');
      const rows = linesOf(await k.ok(['get', 'sa']));
      assert.deepEqual(rows[0], ['NAME', 'SECRETS', 'AGE']);
      assert.deepEqual(
        rows.slice(1).map((r) => r.slice(0, 2)),
        [
          ['builder', '0'],
          ['default', '0'],
        ],
      );
      const described = await k.ok(['describe', 'sa', 'builder']);
      assert.match(described, /^Name:\s+builder$/m);
      assert.match(described, /^Namespace:\s+default$/m);
      assert.match(described, /^Tokens:\s+<none>$/m);
      const err = await k.run(['create', 'serviceaccount', 'builder']);
      assert.equal(err.code, 1);
      assert.equal(err.stderr, 'error: failed to create serviceaccount: serviceaccounts "builder" already exists\n');
    });

    it('create token prints a JWT (TokenRequest in protobuf) that the server accepts as the account', async () => {
      const r = await k.run(['create', 'token', 'builder', '-v=8']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        /POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/default\/serviceaccounts\/builder\/token/,
      );
      assert.match(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
      assert.match(r.stderr, /Response Status: 201 Created/);
      const token = r.stdout.trim();
      assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      assert.equal(claims.sub, 'system:serviceaccount:default:builder');
      assert.equal(claims.exp - claims.iat, 3600);
      const who = await whoami(token);
      assert.equal(who.status, 201);
      assert.equal(who.body.status.userInfo.username, 'system:serviceaccount:default:builder');
      assert.deepEqual(who.body.status.userInfo.groups, [
        'system:serviceaccounts',
        'system:serviceaccounts:default',
        'system:authenticated',
      ]);

      const short = await k.run(['create', 'token', 'builder', '--duration=5m']);
      assert.equal(short.code, 1);
      assert.equal(
        short.stderr,
        'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes\n',
      );
      const missing = await k.run(['create', 'token', 'nobody']);
      assert.equal(missing.stderr, 'error: failed to create token: serviceaccounts "nobody" not found\n');
    });

    it('create token --bound-object-kind Pod: tied to the pod, refused for a pod of another account', async () => {
      assert.equal(await k.ok(['run', 'web', '--image=registry.k8s.io/pause:3.9']), 'pod/web created\n');
      const token = (
        await k.ok([
          'create',
          'token',
          'default',
          '--bound-object-kind',
          'Pod',
          '--bound-object-name',
          'web',
          '--audience',
          'https://kubernetes.default.svc.cluster.local',
        ])
      ).trim();
      const who = await whoami(token);
      assert.deepEqual(who.body.status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['web']);
      const other = await k.run([
        'create',
        'token',
        'builder',
        '--bound-object-kind',
        'Pod',
        '--bound-object-name',
        'web',
      ]);
      assert.equal(
        other.stderr,
        'error: failed to create token: cannot bind token for serviceaccount "builder" to pod running with different serviceaccount name.\n',
      );
    });

    it('kubectl run: the pod runs as default with the kube-api-access volume, exactly as upstream', async () => {
      const pod = JSON.parse(await k.ok(['get', 'pod', 'web', '-o', 'json']));
      assertTokenVolume(pod);
      assert.equal(pod.spec.containers[0].volumeMounts.length, 1);
    });

    it('the DaemonSet controller’s pods get the volume too', async () => {
      const ds = await cluster.api('POST', '/apis/apps/v1/namespaces/default/daemonsets', {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'a', image: 'registry.k8s.io/pause:3.9' }] },
          },
        },
      });
      assert.equal(ds.status, 201, JSON.stringify(ds.body));
      const pod = await eventually(
        async () =>
          (await cluster.api('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dagent')).body.items[0],
        {
          what: 'the DaemonSet pod',
          timeoutMs: 30_000,
        },
      );
      assertTokenVolume(pod);
    });

    it('delete sa default: the controller brings it back', async () => {
      const before = (await cluster.api('GET', '/api/v1/namespaces/team-a/serviceaccounts/default')).body.metadata.uid;
      assert.equal(await k.ok(['delete', 'sa', 'default', '-n', 'team-a']), 'serviceaccount "default" deleted\n');
      const after = await eventually(
        async () => {
          const r = await cluster.api('GET', '/api/v1/namespaces/team-a/serviceaccounts/default');
          return r.status === 200 && r.body.metadata.uid !== before ? r.body : undefined;
        },
        { what: 'the default account to come back' },
      );
      assert.equal(after.metadata.name, 'default');
    });
  });

  for (const version of KUBECTL_VERSIONS.filter((v) => v !== MAIN_KUBECTL_VERSION)) {
    describe(`kubectl ${version} (${speaksProtobuf(version) ? 'protobuf' : 'JSON'})`, () => {
      let k: Kubectl;
      const name = `sa-${version.replace('.', '-')}`;
      before(() => {
        k = new Kubectl(cluster.kubeconfig, version);
        kubectls.push(k);
      });

      it('create serviceaccount, get sa, get -o json', async () => {
        assert.equal(await k.ok(['create', 'serviceaccount', name]), `serviceaccount/${name} created\n`);
        const rows = linesOf(await k.ok(['get', 'sa', name]));
        assert.deepEqual(rows[0], ['NAME', 'SECRETS', 'AGE']);
        assert.deepEqual(rows[1]!.slice(0, 2), [name, '0']);
        const json = JSON.parse(await k.ok(['get', 'serviceaccount', name, '-o', 'json']));
        assert.equal(json.kind, 'ServiceAccount');
        assert.equal(json.metadata.namespace, 'default');
      });

      it('apply -f: created, then unchanged; explain', async () => {
        const manifest = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}-applied\nsecrets:\n- name: s1\nautomountServiceAccountToken: false\n`;
        assert.equal(await k.ok(['apply', '-f', '-'], { input: manifest }), `serviceaccount/${name}-applied created\n`);
        assert.equal(
          await k.ok(['apply', '-f', '-'], { input: manifest }),
          `serviceaccount/${name}-applied unchanged\n`,
        );
        const sa = (await cluster.api('GET', `/api/v1/namespaces/default/serviceaccounts/${name}-applied`)).body;
        assert.deepEqual(sa.secrets, [{ name: 's1' }]);
        assert.equal(sa.automountServiceAccountToken, false);
        assert.match(
          await k.ok(['explain', 'serviceaccount.automountServiceAccountToken']),
          /automountServiceAccountToken/,
        );
      });

      it('kubectl run: the pod runs as default with the kube-api-access volume', async () => {
        const pod = `pod-${version.replace('.', '-')}`;
        const out = await k.ok(['run', pod, '--image=registry.k8s.io/pause:3.9', '--restart=Never']);
        assert.equal(out, `pod/${pod} created\n`);
        assertTokenVolume(JSON.parse(await k.ok(['get', 'pod', pod, '-o', 'json'])));
      });

      if (version !== '1.20') {
        it('create token: a JWT the server accepts', async () => {
          const token = (await k.ok(['create', 'token', name, '--duration=20m'])).trim();
          const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
          assert.equal(claims.exp - claims.iat, 1200);
          assert.equal((await whoami(token)).body.status.userInfo.username, `system:serviceaccount:default:${name}`);
        });
      }
    });
  }
});
