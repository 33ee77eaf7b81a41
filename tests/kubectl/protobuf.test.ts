/**
 * kubectl 1.32 and 1.33, whose typed clients send `application/vnd.kubernetes.protobuf` bodies and prefer
 * protobuf answers, against the whole emulator (API server and controller manager): the first commands of most
 * tutorials, `drain`, `debug node`, `auth can-i` / `whoami`, and with `-v=8` which requests really travel as
 * protobuf. The same everyday commands with kubectl 1.28, 1.27 and 1.20, which speak JSON, on the same server
 * (their auth and drain: tests/kubectl/auth-drain.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, speaksProtobuf } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/tmp.js';

const PB = 'application/vnd.kubernetes.protobuf';

/** A request as `-v=8` logs it: its line, then its headers and the response's (both klog layouts). */
interface LoggedRequest {
  method: string;
  url: string;
  headers: string[];
  responseHeaders: string[];
}

function requestsOf(log: string): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  let section: 'request' | 'response' = 'request';
  for (const raw of log.split('\n')) {
    const line = raw.replace(/^[IWE]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, '');
    const req =
      /^"Request" verb="(\w+)" url="([^"]+)"/.exec(line) ?? /^(GET|POST|PUT|PATCH|DELETE) (http\S+)$/.exec(line);
    if (req) {
      out.push({ method: req[1]!, url: req[2]!, headers: [], responseHeaders: [] });
      section = 'request';
    } else if (/^"Response"|^Response (Status|Headers)/.test(line)) {
      section = 'response';
    } else if (out.length && /^\s*(Content-Type|Accept):/.test(line)) {
      const last = out[out.length - 1]!;
      (section === 'request' ? last.headers : last.responseHeaders).push(line.trim());
    }
  }
  return out;
}

const dsYaml = (name: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: agent
        image: busybox
`;

const barePodYaml = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: nginx
`;

describe('kubectl with Kubernetes protobuf', () => {
  let cluster: Cluster;
  const files = tempDir('kubectl-pb-');
  let nodes: string[] = [];

  before(async () => {
    cluster = await startCluster({ nodes: 4 });
    nodes = (await cluster.api('GET', '/api/v1/nodes')).body.items
      .map((n: { metadata: { name: string } }) => n.metadata.name)
      .sort();
  });
  after(async () => {
    await cluster?.stop();
    files.remove();
  });

  // Newest first: the protobuf-speaking versions drain nodes 2 and 3 (by their index's parity).
  for (const [i, version] of [...KUBECTL_VERSIONS].reverse().entries()) {
    const protobuf = speaksProtobuf(version);
    describe(`kubectl ${version}`, () => {
      let kubectl: Kubectl;
      const tag = version.replace('.', '');
      before(() => {
        kubectl = new Kubectl(cluster.kubeconfig, version);
      });
      after(() => kubectl?.dispose());

      it('creates and deletes a namespace', async () => {
        const r = await kubectl.run(['create', 'namespace', `demo-${tag}`, '-v=8']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `namespace/demo-${tag} created`);
        const post = requestsOf(r.stderr).find((q) => q.method === 'POST' && q.url.includes('/api/v1/namespaces'));
        assert.ok(post, r.stderr);
        const expected = protobuf ? PB : 'application/json';
        // (kubectl 1.20 does not log the Content-Type it sends)
        if (version !== '1.20')
          assert.ok(
            post.headers.includes(`Content-Type: ${expected}`),
            `${version} POST headers: ${post.headers.join(' | ')}`,
          );
        // the answer came in the encoding asked for, and kubectl understood it
        assert.ok(
          post.responseHeaders.some((h) => h.startsWith(`Content-Type: ${expected}`)),
          `${version} response headers: ${post.responseHeaders.join(' | ')}`,
        );
        assert.match(await kubectl.ok(['get', 'namespace', `demo-${tag}`]), new RegExp(`demo-${tag}\\s+Active`));
        assert.equal(
          (await kubectl.ok(['delete', 'namespace', `demo-${tag}`])).trim(),
          `namespace "demo-${tag}" deleted`,
        );
        assert.equal((await cluster.api('GET', `/api/v1/namespaces/demo-${tag}`)).status, 404);
      });

      it('describe reads protobuf answers (typed client)', async () => {
        const r = await kubectl.run(['describe', 'namespace', 'default', '-v=8']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Name:\s+default$/m);
        assert.match(r.stdout, /^Status:\s+Active$/m);
        if (protobuf) {
          const typed = requestsOf(r.stderr).filter((q) => q.headers.includes(`Accept: ${PB},application/json`));
          assert.ok(typed.length > 0, r.stderr);
          for (const q of typed)
            assert.ok(
              q.responseHeaders.includes(`Content-Type: ${PB}`),
              `${q.method} ${q.url}: ${q.responseHeaders.join(' | ')}`,
            );
        }
        // a missing object: the protobuf Status is decoded
        const missing = await kubectl.run(['describe', 'pod', 'no-such-pod']);
        assert.notEqual(missing.code, 0);
        assert.match(missing.stderr, /Error from server \(NotFound\): pods "no-such-pod" not found/);
      });

      it('run, get and delete a pod', async () => {
        const name = `web-${tag}`;
        assert.equal(
          (await kubectl.ok(['run', name, '--image=nginx', `--overrides={"spec":{"nodeName":"${nodes[0]}"}}`])).trim(),
          `pod/${name} created`,
        );
        await eventually(async () => /Running/.test(await kubectl.ok(['get', 'pod', name])), {
          timeoutMs: 30000,
          what: `${name} Running`,
        });
        assert.equal(
          (await kubectl.ok(['delete', 'pod', name, '--grace-period=0', '--force'], { timeoutMs: 60000 })).includes(
            `pod "${name}" force deleted`,
          ),
          true,
        );
      });

      it('debug node creates its pod on the node', async () => {
        const node = nodes[1]!;
        // --profile came with 1.27; 1.20 debugs nodes with its only (legacy) profile
        const profile = version === '1.20' ? [] : ['--profile=general'];
        const r = await kubectl.run(['debug', `node/${node}`, '--image=busybox', ...profile, '-v=8']);
        assert.equal(r.code, 0, r.stderr);
        const m = /Creating debugging pod (node-debugger-\S+) with container debugger on node (\S+)\./.exec(
          r.stdout + r.stderr,
        );
        assert.ok(m, r.stdout + r.stderr);
        assert.equal(m[2], node);
        if (protobuf) {
          const post = requestsOf(r.stderr).find((q) => q.method === 'POST' && q.url.includes('/pods'));
          assert.ok(post?.headers.includes(`Content-Type: ${PB}`), r.stderr);
        }
        const pod = (await cluster.api('GET', `/api/v1/namespaces/default/pods/${m[1]}`)).body;
        assert.equal(pod.spec.nodeName, node);
        assert.equal(pod.spec.hostPID, true);
        assert.equal(pod.spec.containers[0].image, 'busybox');
        await kubectl.ok(['delete', 'pod', m[1]!, '--grace-period=0', '--force'], { timeoutMs: 60000 });
      });

      // auth and drain with the JSON-speaking versions: tests/kubectl/auth-drain.test.ts
      const itProtobuf = protobuf ? it : () => undefined;
      itProtobuf('auth can-i, can-i --list and whoami', async () => {
        assert.equal((await kubectl.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
        assert.equal((await kubectl.ok(['auth', 'can-i', 'delete', 'nodes', '--all-namespaces'])).trim(), 'yes');
        const list = await kubectl.ok(['auth', 'can-i', '--list']);
        assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
        assert.match(list, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
        {
          const who = await kubectl.ok(['auth', 'whoami']);
          assert.match(who, /^Username\s+system:anonymous$/m);
          assert.match(who, /^Groups\s+\[system:unauthenticated\]$/m);
        }
      });

      itProtobuf('drain --ignore-daemonsets --force evicts the bare pod and leaves the DaemonSet pod', async () => {
        const node = nodes[2 + (i % 2)]!; // drained nodes are uncordoned again at the end
        const ds = `agent-${tag}`;
        const bare = `bare-${tag}`;
        writeFileSync(join(files.path, `${ds}.yaml`), dsYaml(ds));
        writeFileSync(join(files.path, `${bare}.yaml`), barePodYaml(bare, node));
        await kubectl.ok(['apply', '-f', join(files.path, `${ds}.yaml`)]);
        await kubectl.ok(['apply', '-f', join(files.path, `${bare}.yaml`)]);
        const dsPodOn = async () =>
          (
            await cluster.api(
              'GET',
              `/api/v1/namespaces/default/pods?labelSelector=app%3D${ds}&fieldSelector=spec.nodeName%3D${node}`,
            )
          ).body.items;
        await eventually(async () => (await dsPodOn()).length === 1, {
          timeoutMs: 30000,
          what: 'DaemonSet pod on the node',
        });
        const r = await kubectl.run(['drain', node, '--ignore-daemonsets', '--force', '--timeout=60s'], {
          timeoutMs: 90000,
        });
        const out = r.stdout + r.stderr;
        assert.equal(r.code, 0, out);
        assert.match(out, new RegExp(`node/${node} cordoned`));
        assert.match(out, new RegExp(`ignoring DaemonSet-managed Pods: default/${ds}-\\w+`));
        assert.match(out, new RegExp(`evicting pod default/${bare}`));
        assert.match(out, new RegExp(`pod/${bare} evicted`));
        assert.match(out, new RegExp(`node/${node} drained`));
        assert.equal((await cluster.api('GET', `/api/v1/namespaces/default/pods/${bare}`)).status, 404);
        assert.equal((await dsPodOn()).length, 1);
        assert.equal((await cluster.api('GET', `/api/v1/nodes/${node}`)).body.spec.unschedulable, true);
        await kubectl.ok(['uncordon', node]);
        await kubectl.ok(['delete', 'daemonset', ds]);
      });
    });
  }
});
