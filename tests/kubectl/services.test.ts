/**
 * Services with real kubectl against the whole emulator (API server and controller manager): `expose pod`, `create
 * service clusterip|nodeport|headless|externalname`, `get svc,endpoints,endpointslices`, `get all -A`, `cluster-info`,
 * `describe service`, `delete`, with every version of KUBECTL_VERSIONS (`create service` only with those of
 * FULL_SCENARIO_KUBECTL_VERSIONS). kubectl 1.32 and 1.33 send protobuf from their typed clients (`create service`) and
 * read protobuf answers (`describe`), checked with -v=8; older versions speak JSON.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, itInFullScenario, Kubectl, KUBECTL_VERSIONS, speaksProtobuf } from '../helpers/kubectl.js';

const PB = 'application/vnd.kubernetes.protobuf';

const podYaml = (name: string, node: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: nginx
    ports: [{name: http, containerPort: 80}]
`;

/** The lines of a `kubectl get` table, split into cells. */
const rows = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));

describe('kubectl and Services', () => {
  let cluster: Cluster;
  let node = '';

  before(async () => {
    cluster = await startCluster({ nodes: 1 });
    node = (await cluster.api('GET', '/api/v1/nodes')).body.items[0].metadata.name;
  });
  after(async () => cluster?.stop());

  for (const version of KUBECTL_VERSIONS) {
    describe(`kubectl ${version}`, () => {
      const itFull = itInFullScenario(version);
      let kubectl: Kubectl;
      const ns = `svc-${version.replace('.', '')}`;
      // node ports are cluster-wide: each version takes its own
      const nodePort = 30000 + Number(version.split('.')[1]);
      before(async () => {
        kubectl = new Kubectl(cluster.kubeconfig, version);
        await kubectl.ok(['create', 'namespace', ns]);
      });
      after(() => kubectl?.dispose());

      it('expose pod allocates a cluster IP and the endpoints list the ready pod', async () => {
        await kubectl.ok(['apply', '-n', ns, '-f', '-'], { input: podYaml('web', node) });
        const podIP: string = (await eventually(
          async () => {
            const pod = (await cluster.api('GET', `/api/v1/namespaces/${ns}/pods/web`)).body;
            const ready = (pod.status?.conditions ?? []).some(
              (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
            );
            return ready ? (pod.status.podIP as string) : undefined;
          },
          { timeoutMs: 20000, what: 'pod web ready' },
        )) as string;
        assert.equal((await kubectl.ok(['expose', 'pod', 'web', '-n', ns, '--port=80'])).trim(), 'service/web exposed');
        const svc = (await cluster.api('GET', `/api/v1/namespaces/${ns}/services/web`)).body;
        assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
        assert.deepEqual(svc.spec.selector, { app: 'web' });
        await eventually(
          async () => {
            const slices = (
              await cluster.api(
                'GET',
                `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb`,
              )
            ).body.items;
            const ep = (await cluster.api('GET', `/api/v1/namespaces/${ns}/endpoints/web`)).body;
            return slices[0]?.endpoints?.length && ep.subsets?.length;
          },
          { what: 'endpoints of web' },
        );
        const slice = JSON.parse(
          await kubectl.ok(['get', 'endpointslices', '-n', ns, '-l', 'kubernetes.io/service-name=web', '-o', 'json']),
        ).items[0];
        assert.deepEqual(slice.endpoints[0].addresses, [podIP]);
        assert.deepEqual(slice.endpoints[0].conditions, { ready: true, serving: true, terminating: false });
        assert.equal(slice.endpoints[0].nodeName, node);
        assert.equal(slice.endpoints[0].targetRef.name, 'web');
        assert.deepEqual(slice.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
        assert.equal(
          slice.metadata.labels['endpointslice.kubernetes.io/managed-by'],
          'endpointslice-controller.k8s.io',
        );
        const out = await kubectl.ok(['get', 'svc,endpoints,endpointslices', '-n', ns]);
        assert.match(
          out,
          new RegExp(`service/web\\s+ClusterIP\\s+${svc.spec.clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80/TCP`),
        );
        assert.match(out, new RegExp(`endpoints/web\\s+${podIP.replace(/\./g, '\\.')}:80`));
        assert.match(
          out,
          new RegExp(`endpointslice.discovery.k8s.io/web-\\w{5}\\s+IPv4\\s+80\\s+${podIP.replace(/\./g, '\\.')}`),
        );
      });

      itFull('create service clusterip | nodeport | headless | externalname', async () => {
        const create = async (args: string[]) => (await kubectl.ok(['create', 'service', ...args, '-n', ns])).trim();
        assert.equal(await create(['clusterip', 'cip', '--tcp=5678:8080']), 'service/cip created');
        assert.equal(
          await create(['nodeport', 'np', '--tcp=80:8080', `--node-port=${nodePort}`]),
          'service/np created',
        );
        assert.equal(await create(['clusterip', 'hl', '--clusterip=None', '--tcp=80:80']), 'service/hl created');
        assert.equal(await create(['externalname', 'ext', '--external-name=example.com']), 'service/ext created');
        // a manifest through apply (client-side validation against the OpenAPI documents)
        const manifest = `apiVersion: v1
kind: Service
metadata:
  name: applied
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
`;
        assert.equal(
          (await kubectl.ok(['apply', '-n', ns, '-f', '-'], { input: manifest })).trim(),
          'service/applied created',
        );
        assert.equal(
          (await kubectl.ok(['apply', '-n', ns, '-f', '-'], { input: manifest })).trim(),
          'service/applied unchanged',
        );
        const table = rows(await kubectl.ok(['get', 'svc', '-n', ns, '-o', 'wide']));
        assert.deepEqual(table[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
        const byName = new Map(table.slice(1).map((r) => [r[0], r]));
        assert.deepEqual(
          byName
            .get('np')!
            .slice(1, 5)
            .filter((_, i) => i !== 1),
          ['NodePort', '<none>', `80:${nodePort}/TCP`],
        );
        assert.deepEqual(byName.get('hl')!.slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
        assert.deepEqual(byName.get('ext')!.slice(1, 5), ['ExternalName', '<none>', 'example.com', '<none>']);
        assert.equal(byName.get('cip')![4], '5678/TCP');
        // the same node port twice is refused with upstream's message
        const r = await kubectl.run([
          'create',
          'service',
          'nodeport',
          'np2',
          '--tcp=80:8080',
          `--node-port=${nodePort}`,
          '-n',
          ns,
        ]);
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /Service "np2" is invalid: spec.ports\[0\].nodePort: Invalid value: \d+: provided port is already allocated/,
        );
      });

      it('get all -A lists the kubernetes Service; cluster-info prints the control plane', async () => {
        const all = await kubectl.ok(['get', 'all', '-A']);
        assert.match(all, /default\s+service\/kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP/);
        assert.match(all, new RegExp(`${ns}\\s+service/web\\s+ClusterIP`));
        const info = await kubectl.ok(['cluster-info']);
        assert.match(
          info.replace(/\x1b\[[0-9;]*m/g, ''),
          new RegExp(`Kubernetes control plane is running at ${cluster.url.replace(/\./g, '\\.')}`),
        );
      });

      it('describe service shows its address and endpoints; delete removes it with its endpoints', async () => {
        const r = await kubectl.run(['describe', 'service', 'web', '-n', ns, '-v=8']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Name:\s+web$/m);
        assert.match(r.stdout, /^Type:\s+ClusterIP$/m);
        if (version !== '1.20') assert.match(r.stdout, /^IP Families:\s+IPv4$/m);
        assert.match(r.stdout, /^Endpoints:\s+10\.\d+\.\d+\.\d+:80$/m);
        if (speaksProtobuf(version)) {
          assert.ok(r.stderr.includes(`Accept: ${PB},application/json`), 'typed client asks for protobuf');
          assert.ok(r.stderr.includes(`Content-Type: ${PB}`), 'and gets it');
        }
        assert.equal((await kubectl.ok(['delete', 'service', 'web', '-n', ns])).trim(), 'service "web" deleted');
        await eventually(
          async () => (await cluster.api('GET', `/api/v1/namespaces/${ns}/endpoints/web`)).status === 404,
          { what: 'endpoints gone' },
        );
        await eventually(
          async () =>
            (
              await cluster.api(
                'GET',
                `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb`,
              )
            ).body.items.length === 0,
          {
            what: 'slices collected',
          },
        );
      });

      if (speaksProtobuf(version)) {
        it('create service sends a protobuf body and reads a protobuf answer', async () => {
          const r = await kubectl.run(['create', 'service', 'clusterip', 'pbsvc', '--tcp=80', '-n', ns, '-v=8']);
          assert.equal(r.code, 0, r.stderr);
          assert.equal(r.stdout.trim(), 'service/pbsvc created');
          assert.ok(r.stderr.includes(`Content-Type: ${PB}`), r.stderr.slice(-3000));
        });
      }
    });
  }
});
