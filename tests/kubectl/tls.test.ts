// Security beyond loopback: `npm start -- --host 0.0.0.0` serves HTTPS with a certificate from the data directory's
// own CA and requires the bearer token. Real kubectl (1.20, 1.32, 1.33) works through the written kubeconfig over
// verified TLS; callers without the token, with a wrong one, or that skip verification but bring no token get a
// 401 Status; a client that does not trust the CA fails the handshake. The controller manager reaches the server
// over the same TLS (its pods appear, its kube-root-ca.crt carries the CA), and no log line at trace level holds a
// token or a Secret's value. (The server listens on every interface only for the few seconds of this test.) On
// loopback, `--tls` turns the token on as well.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import YAML from 'yaml';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startServerProcess } from '../helpers/server.js';

interface Reply {
  status: number;
  body: string;
}

/** One HTTPS GET with node:https (no kubeconfig involved): what curl does with the given options. */
function get(
  url: string,
  opts: { ca?: string; rejectUnauthorized?: boolean; token?: string; path?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${url}${opts.path ?? '/api/v1/namespaces'}`,
      {
        ca: opts.ca,
        rejectUnauthorized: opts.rejectUnauthorized ?? true,
        headers: opts.token !== undefined ? { authorization: `Bearer ${opts.token}` } : {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
  });
}

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

const daemonSet = (name: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: default }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: nginx }] }
`;

const SECRET_VALUE = 'sup3r-s3cret-value-that-must-never-be-logged';

describe('TLS and bearer tokens beyond loopback (npm start -- --host 0.0.0.0)', { timeout: 180_000 }, () => {
  let cluster: Cluster;
  let ca: string;
  let token: string;

  before(async () => {
    cluster = await startCluster({ nodes: 1, args: ['--host', '0.0.0.0', '--log-level', 'trace'] });
    ca = readFileSync(join(cluster.dataDir, 'pki', 'ca.crt'), 'utf8');
    token = readFileSync(join(cluster.dataDir, 'token'), 'utf8').trim();
  });
  after(async () => {
    await cluster?.stop();
  });

  it('listens on https, keeps keys private, and writes a kubeconfig that verifies the server', () => {
    assert.match(cluster.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    for (const key of ['ca.key', 'apiserver.key'])
      assert.equal(statSync(join(cluster.dataDir, 'pki', key)).mode & 0o777, 0o600, key);
    const config = YAML.parse(readFileSync(cluster.kubeconfig, 'utf8'));
    const entry = config.clusters[0].cluster;
    assert.equal(entry.server, cluster.url);
    assert.equal(entry['insecure-skip-tls-verify'], undefined, 'no skipping verification over TLS');
    assert.equal(Buffer.from(entry['certificate-authority-data'], 'base64').toString('utf8'), ca);
    assert.equal(config.users[0].user.token, token);
  });

  for (const version of ['1.32', '1.33', '1.20']) {
    it(`kubectl ${version} works over verified TLS with the token: get ns, apply a DaemonSet, get pods`, async () => {
      const kubectl = new Kubectl(cluster.kubeconfig, version);
      try {
        assert.match(await kubectl.ok(['get', 'ns']), /^default\s+Active/m);
        const name = `tls-${version.replace('.', '-')}`;
        assert.match(
          await kubectl.ok(['apply', '-f', '-'], { input: daemonSet(name) }),
          new RegExp(`daemonset.apps/${name} created`),
        );
        // The controller manager, over the same TLS, creates the pod on the node.
        await eventually(async () => new RegExp(`^${name}-\\w{5}\\s`, 'm').test(await kubectl.ok(['get', 'pods'])), {
          timeoutMs: 30_000,
          what: `a pod of ${name}`,
        });
        if (version !== '1.20') {
          const who = await kubectl.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
          assert.equal(who, 'kubernetes-admin', 'kubectl sends the token over TLS');
        }
      } finally {
        kubectl.dispose();
      }
    });
  }

  it('without the token, with a wrong one, or skipping verification without one: 401 Unauthorized Status', async () => {
    for (const [what, opts] of [
      ['no token', { ca }],
      ['no token, -k', { rejectUnauthorized: false }],
      ['wrong token', { ca, token: 'wrong' }],
      ['a longer wrong token', { ca, token: `${token}x` }],
      ['a prefix of the token', { ca, token: token.slice(0, -1) }],
      ['wrong token, -k', { rejectUnauthorized: false, token: 'wrong' }],
    ] as const) {
      const r = await get(cluster.url, opts);
      assert.equal(r.status, 401, what);
      assert.deepEqual(JSON.parse(r.body), UNAUTHORIZED, what);
    }
    const ok = await get(cluster.url, { ca, token });
    assert.equal(ok.status, 200);
    assert.equal(JSON.parse(ok.body).kind, 'NamespaceList');
    // Health and version probes stay anonymous-readable (system:public-info-viewer); a wrong token still is not.
    for (const path of ['/readyz', '/livez', '/healthz', '/version'])
      assert.equal((await get(cluster.url, { ca, path })).status, 200, path);
    assert.equal((await get(cluster.url, { ca, path: '/readyz', token: 'wrong' })).status, 401);
    assert.equal((await get(cluster.url, { ca, path: '/readyz/' })).status, 401);
  });

  it('a client that does not trust the CA fails the TLS handshake', async () => {
    await assert.rejects(get(cluster.url, { token }), (err: NodeJS.ErrnoException) => {
      assert.match(String(err.code), /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
      return true;
    });
    // kubectl with the CA taken out of the kubeconfig refuses the server as well.
    const kubectl = new Kubectl(cluster.kubeconfig);
    try {
      const r = await kubectl.run(['get', 'ns', '--certificate-authority', '/dev/null', '--server', cluster.url]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /x509: certificate signed by unknown authority/);
    } finally {
      kubectl.dispose();
    }
  });

  it('publishes the CA as kube-root-ca.crt in every namespace (the controller manager over TLS)', async () => {
    const cm = await eventually(
      async () => {
        const r = await cluster.api('GET', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt');
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 20_000, what: 'kube-root-ca.crt' },
    );
    assert.equal(cm.data['ca.crt'], ca);
    assert.match(cm.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle/);
  });

  it('no log line holds the token, a service account token or a Secret value, at trace level', async () => {
    const secret = await cluster.api('POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name: 'db' },
      stringData: { password: SECRET_VALUE },
    });
    assert.equal(secret.status, 201);
    const sa = await cluster.api('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {},
    });
    assert.equal(sa.status, 201);
    const saToken: string = sa.body.status.token;
    assert.equal((await get(cluster.url, { ca, token: saToken })).status, 200, 'service account tokens work');
    // A malformed request carrying the token (logged at debug level, without its bytes) and a rejected one.
    await new Promise<void>((resolve) => {
      const req = https.request(`${cluster.url}/api/v1/namespaces/default/secrets`, {
        method: 'POST',
        ca,
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'bogus' },
      });
      req.on('error', () => resolve());
      req.on('response', (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.end(JSON.stringify({ metadata: { name: 'x' }, stringData: { password: SECRET_VALUE } }));
    });
    assert.equal((await get(cluster.url, { ca, token: `${saToken.slice(0, -4)}AAAA` })).status, 401);
    await new Promise((r) => setTimeout(r, 500));
    const logs = cluster.output();
    assert.match(logs, /"level":(10|20)/, 'trace and debug lines were written');
    assert.match(logs, /malformed request refused/, 'the malformed request was logged');
    assert.equal(logs.includes(token), false, 'the server token is in the logs');
    // pino writes a Buffer (Node's raw bytes of a bad request) as a list of byte values.
    assert.equal(logs.includes(Buffer.from(token).join(',')), false, 'the server token is in the logs as bytes');
    assert.equal(logs.includes(saToken.split('.')[1]!), false, 'a service account token is in the logs');
    assert.equal(logs.includes(SECRET_VALUE), false, 'a Secret value is in the logs');
    assert.equal(logs.includes(Buffer.from(SECRET_VALUE).toString('base64')), false, 'a Secret value is in the logs');
  });
});

describe('TLS on loopback (--tls): a token too, so kubectl has credentials to send', { timeout: 60_000 }, () => {
  it('the kubeconfig carries the generated token; kubectl 1.32, 1.33 and 1.20 work without asking for a username', async () => {
    const server = await startServerProcess({ args: ['--tls'] });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim();
      const config = YAML.parse(readFileSync(server.kubeconfig, 'utf8'));
      assert.equal(config.users[0].user.token, token);
      const ca = readFileSync(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
      assert.equal((await get(server.url, { ca })).status, 401, 'the token is required, as beyond loopback');
      for (const version of ['1.32', '1.33', '1.20']) {
        // Without credentials for an https server, kubectl asked "Please enter Username" (and failed on EOF here).
        const kubectl = new Kubectl(server.kubeconfig, version);
        try {
          assert.match(await kubectl.ok(['get', 'ns']), /^default\s+Active/m, version);
        } finally {
          kubectl.dispose();
        }
      }
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});
