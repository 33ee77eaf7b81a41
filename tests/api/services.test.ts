/**
 * Services, Endpoints and EndpointSlices over HTTP against an in-process API server: the `kubernetes` Service and its
 * endpoints; Service defaulting, cluster IP and node port allocation with upstream's errors, headless and ExternalName
 * Services, immutable cluster IPs, type changes that free what they held, dry runs; CRUD, watch, label and field
 * selectors, paging, merge and strategic merge patches, Tables, protobuf; Endpoints and EndpointSlice validation.
 * And, with the server as a process: allocations survive a restart, and --service-cluster-ip-range is honoured.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer, startServerProcess } from '../helpers/server.js';
import { Api, type Json } from '../helpers/http.js';
import { eventually } from '../helpers/kubectl.js';
import { pbRequest, PB_ACCEPT } from '../helpers/protobuf.js';
import { WatchStream } from '../helpers/watch.js';
import { tempDir } from '../helpers/tmp.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const NS = 'svc-api';
const SVC = `/api/v1/namespaces/${NS}/services`;
const EP = `/api/v1/namespaces/${NS}/endpoints`;
const SLICES = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;

function service(name: string, spec: Json = {}, labels?: Record<string, string>): Json {
  const metadata: Json = { name };
  if (labels) metadata.labels = labels;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  };
}

function inRange(ip: string, cidr = '10.96.0.0/12'): boolean {
  const [base, bits] = cidr.split('/');
  const n = (s: string) => s.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return n(ip) >= n(base!) && n(ip) < n(base!) + size;
}

describe('Services, Endpoints and EndpointSlices over HTTP', () => {
  const { api, server } = useInProcessServer({ namespaces: [NS] });

  const create = (body: Json, path = SVC) => api.request('POST', path, { body });
  const invalid = (res: { status: number; body: Json }, message: string) => {
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.reason, 'Invalid');
    assert.equal(res.body.message, message);
  };

  describe('the kubernetes Service', () => {
    it('exists in default on the first address of the range, port 443 to the server, with endpoints naming the server', async () => {
      const svc = await eventually(async () => {
        const r = await api.get('/api/v1/namespaces/default/services/kubernetes');
        return r.status === 200 ? r.body : undefined;
      });
      const port = Number(new URL(server().url).port);
      assert.equal(svc.spec.clusterIP, '10.96.0.1');
      assert.deepEqual(svc.spec.clusterIPs, ['10.96.0.1']);
      assert.deepEqual(svc.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: port }]);
      assert.deepEqual(svc.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
      const ep = await eventually(
        async () =>
          (await api.get('/api/v1/namespaces/default/endpoints/kubernetes')).body?.subsets &&
          (await api.get('/api/v1/namespaces/default/endpoints/kubernetes')).body,
      );
      assert.deepEqual(ep.subsets, [
        { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] },
      ]);
      const slice = await eventually(async () => {
        const r = await api.get('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
        return r.status === 200 ? r.body : undefined;
      });
      assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'kubernetes');
      assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
      assert.deepEqual(slice.ports, [{ name: 'https', protocol: 'TCP', port }]);
    });

    it('is listed by the `all` category and with the `svc` short name in discovery', async () => {
      const v1 = await api.expect(200, 'GET', '/api/v1');
      const byName = new Map(v1.resources.map((r: Json) => [r.name, r]));
      const svc = byName.get('services') as Json;
      assert.deepEqual([svc.kind, svc.namespaced, svc.shortNames, svc.categories], ['Service', true, ['svc'], ['all']]);
      assert.deepEqual([...svc.verbs].sort(), [
        'create',
        'delete',
        'deletecollection',
        'get',
        'list',
        'patch',
        'update',
        'watch',
      ]);
      assert.ok(byName.has('services/status'));
      const ep = byName.get('endpoints') as Json;
      assert.deepEqual([ep.kind, ep.shortNames], ['Endpoints', ['ep']]);
      assert.ok(ep.verbs.includes('deletecollection'));
      const disc = await api.expect(200, 'GET', '/apis/discovery.k8s.io/v1');
      const slices = disc.resources.find((r: Json) => r.name === 'endpointslices');
      assert.deepEqual([slices.kind, slices.namespaced, slices.singularName], ['EndpointSlice', true, 'endpointslice']);
      const groups = (await api.expect(200, 'GET', '/apis')).groups.map((g: Json) => g.name);
      assert.ok(groups.includes('discovery.k8s.io'));
    });
  });

  describe('services', () => {
    it('defaults a ClusterIP Service as upstream and allocates an address from the range', async () => {
      const res = await create(service('web'));
      assert.equal(res.status, 201, res.text);
      const s = res.body;
      assert.equal(s.spec.type, 'ClusterIP');
      assert.equal(s.spec.sessionAffinity, 'None');
      assert.equal(s.spec.internalTrafficPolicy, 'Cluster');
      assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
      assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
      assert.deepEqual(s.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
      assert.ok(inRange(s.spec.clusterIP), s.spec.clusterIP);
      assert.notEqual(s.spec.clusterIP, '10.96.0.1');
      assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
      assert.deepEqual(s.status, { loadBalancer: {} });
      assert.equal(s.spec.externalTrafficPolicy, undefined);
    });

    it('hands out a requested address once; a taken or out-of-range one gets upstream message', async () => {
      const ok = await create(service('fixed', { clusterIP: '10.96.0.10' }));
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.body.spec.clusterIPs, ['10.96.0.10']);
      invalid(
        await create(service('taken', { clusterIP: '10.96.0.10' })),
        'Service "taken" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
      );
      invalid(
        await create(service('outside', { clusterIP: '192.168.0.1' })),
        'Service "outside" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.0.1"}: failed to allocate IP 192.168.0.1: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12',
      );
      invalid(
        await create(service('bad-ip', { clusterIP: '10.96.0.300' })),
        'Service "bad-ip" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      );
      invalid(
        await create(service('v6', { ipFamilies: ['IPv6'] })),
        'Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
      );
      invalid(
        await create(service('dual', { ipFamilyPolicy: 'RequireDualStack' })),
        'Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
      );
      // a refused create frees nothing it did not take, and keeps nothing it took
      const again = await create(service('taken', { clusterIP: '10.96.0.11' }));
      assert.equal(again.status, 201, again.text);
      // a collection delete frees what each Service held too
      await create(service('coll1', { clusterIP: '10.96.0.31' }, { batch: 'x' }));
      await create(service('coll2', { clusterIP: '10.96.0.32' }, { batch: 'x' }));
      const gone = await api.expect(200, 'DELETE', `${SVC}?labelSelector=batch%3Dx`);
      assert.deepEqual(gone.items.map((s: Json) => s.metadata.name).sort(), ['coll1', 'coll2']);
      assert.equal((await create(service('coll3', { clusterIP: '10.96.0.31' }))).status, 201);
      assert.equal((await create(service('coll4', { clusterIP: '10.96.0.32' }))).status, 201);
    });

    it('allocates node ports for NodePort and LoadBalancer Services, refusing taken and out-of-range ones', async () => {
      const np = await create(
        service('np', {
          type: 'NodePort',
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'https', port: 443 },
          ],
        }),
      );
      assert.equal(np.status, 201, np.text);
      const ports = np.body.spec.ports.map((p: Json) => p.nodePort);
      assert.equal(new Set(ports).size, 2);
      for (const p of ports) assert.ok(p >= 30000 && p <= 32767, String(p));
      assert.equal(np.body.spec.externalTrafficPolicy, 'Cluster');
      invalid(
        await create(service('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: ports[0] }] })),
        `Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: ${ports[0]}: provided port is already allocated`,
      );
      invalid(
        await create(service('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })),
        'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
      );
      const lb = await create(service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
      assert.equal(lb.status, 201, lb.text);
      assert.equal(lb.body.spec.allocateLoadBalancerNodePorts, true);
      assert.ok(lb.body.spec.ports[0].nodePort >= 30000);
      assert.ok(lb.body.spec.healthCheckNodePort >= 30000);
      invalid(
        await create(service('cip', { ports: [{ port: 80, nodePort: 30001 }] })),
        'Service "cip" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\'',
      );
    });

    it('creates headless and ExternalName Services without an address', async () => {
      const hl = await create(service('hl', { clusterIP: 'None' }));
      assert.equal(hl.status, 201, hl.text);
      assert.deepEqual(
        [hl.body.spec.clusterIP, hl.body.spec.clusterIPs, hl.body.spec.ipFamilyPolicy, hl.body.spec.ipFamilies],
        ['None', ['None'], 'SingleStack', ['IPv4']],
      );
      const bare = await create({ metadata: { name: 'hl-bare' }, spec: { clusterIP: 'None' } });
      assert.equal(bare.status, 201, bare.text);
      assert.equal(bare.body.spec.ipFamilyPolicy, 'RequireDualStack');
      assert.deepEqual(bare.body.spec.ipFamilies, ['IPv4', 'IPv6']);
      const ext = await create({
        metadata: { name: 'ext' },
        spec: { type: 'ExternalName', externalName: 'example.com' },
      });
      assert.equal(ext.status, 201, ext.text);
      assert.equal(ext.body.spec.clusterIP, undefined);
      assert.equal(ext.body.spec.ipFamilies, undefined);
      invalid(
        await create({ metadata: { name: 'ext2' }, spec: { type: 'ExternalName' } }),
        'Service "ext2" is invalid: spec.externalName: Required value',
      );
    });

    it('validates as upstream: names, ports, protocols, session affinity', async () => {
      invalid(
        await create(service('Bad_Name')),
        `Service "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      );
      invalid(
        await create({ metadata: { name: 'noports' }, spec: { selector: { a: 'b' } } }),
        'Service "noports" is invalid: spec.ports: Required value',
      );
      invalid(
        await create(service('two', { ports: [{ port: 80 }, { port: 81 }] })),
        'Service "two" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]',
      );
      invalid(
        await create(service('proto', { ports: [{ port: 80, protocol: 'HTTP' }] })),
        'Service "proto" is invalid: spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      );
      invalid(
        await create(service('range', { ports: [{ port: 70000 }] })),
        // targetPort defaults to the port, and is checked too
        'Service "range" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive]',
      );
      invalid(
        await create(service('aff', { sessionAffinity: 'Sticky' })),
        'Service "aff" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
      );
      invalid(
        await create(service('kind', { type: 'Magic' })),
        'Service "kind" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      );
      const client = await create(service('sticky', { sessionAffinity: 'ClientIP' }));
      assert.equal(client.status, 201, client.text);
      assert.deepEqual(client.body.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    });

    it('keeps the cluster IP: a PUT without it keeps it, a change is refused', async () => {
      const cur = await api.expect(200, 'GET', `${SVC}/web`);
      const body = service('web', { ports: [{ port: 8080 }] });
      body.metadata.resourceVersion = cur.metadata.resourceVersion;
      const put = await api.expect(200, 'PUT', `${SVC}/web`, { body });
      assert.equal(put.spec.clusterIP, cur.spec.clusterIP);
      assert.deepEqual(put.spec.ports, [{ port: 8080, protocol: 'TCP', targetPort: 8080 }]);
      invalid(
        await api.patch(`${SVC}/web`, { spec: { clusterIP: '10.96.0.77', clusterIPs: ['10.96.0.77'] } }),
        `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.77"}: may not change once set`,
      );
    });

    it('frees the address when a Service becomes ExternalName and allocates one when it comes back', async () => {
      const created = (
        await create(
          service('flip', { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ port: 80, nodePort: 30020 }] }),
        )
      ).body;
      assert.equal(created.spec.clusterIP, '10.96.0.20');
      const ext = await api.expect(200, 'PATCH', `${SVC}/flip`, {
        body: { spec: { type: 'ExternalName', externalName: 'flip.example.com' } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(ext.spec.clusterIP, undefined);
      assert.equal(ext.spec.ports[0].nodePort, undefined);
      assert.equal(ext.spec.externalTrafficPolicy, undefined);
      // both the address and the node port are free again
      assert.equal(
        (
          await create(
            service('reuse', { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ port: 80, nodePort: 30020 }] }),
          )
        ).status,
        201,
      );
      const back = await api.expect(200, 'PATCH', `${SVC}/flip`, {
        body: { spec: { type: 'ClusterIP', externalName: null } },
        contentType: 'application/merge-patch+json',
      });
      assert.ok(inRange(back.spec.clusterIP) && back.spec.clusterIP !== '10.96.0.20', back.spec.clusterIP);
      assert.deepEqual(back.spec.ipFamilies, ['IPv4']);
    });

    it('frees what a deleted Service held; DELETE answers with the Service', async () => {
      await create(
        service('gone', { clusterIP: '10.96.0.30', type: 'NodePort', ports: [{ port: 80, nodePort: 30030 }] }),
      );
      const del = await api.expect(200, 'DELETE', `${SVC}/gone`);
      assert.equal(del.kind, 'Service');
      assert.equal(del.metadata.name, 'gone');
      const again = await create(
        service('gone2', { clusterIP: '10.96.0.30', type: 'NodePort', ports: [{ port: 80, nodePort: 30030 }] }),
      );
      assert.equal(again.status, 201, again.text);
    });

    it('frees the address of a Service created with generateName', async () => {
      const made = await api.expect(201, 'POST', SVC, {
        body: { metadata: { generateName: 'gen-' }, spec: { clusterIP: '10.96.0.33', ports: [{ port: 80 }] } },
      });
      assert.match(made.metadata.name, /^gen-[a-z0-9]{5}$/);
      await api.expect(200, 'DELETE', `${SVC}/${made.metadata.name}`);
      assert.equal((await create(service('gen-reuse', { clusterIP: '10.96.0.33' }))).status, 201);
    });

    it('dry runs check and show an allocation without keeping it', async () => {
      const dry = await api.request('POST', `${SVC}?dryRun=All`, { body: service('dry', { clusterIP: '10.96.0.40' }) });
      assert.equal(dry.status, 201, dry.text);
      assert.equal(dry.body.spec.clusterIP, '10.96.0.40');
      const dry2 = await api.request('POST', `${SVC}?dryRun=All`, { body: service('dry2') });
      assert.ok(inRange(dry2.body.spec.clusterIP));
      assert.equal((await api.get(`${SVC}/dry`)).status, 404);
      assert.equal((await create(service('dry', { clusterIP: '10.96.0.40' }))).status, 201);
      invalid(
        await api.request('POST', `${SVC}?dryRun=All`, { body: service('dry3', { clusterIP: '10.96.0.40' }) }),
        'Service "dry3" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.40"}: failed to allocate IP 10.96.0.40: provided IP is already allocated',
      );
    });

    it('updates status through /status only, and strategic merge patches ports by port number', async () => {
      const st = await api.expect(200, 'PATCH', `${SVC}/lb/status`, {
        body: { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } },
        contentType: 'application/merge-patch+json',
      });
      assert.deepEqual(st.status.loadBalancer.ingress, [{ ip: '203.0.113.7' }]);
      const smp = await api.expect(200, 'PATCH', `${SVC}/np`, {
        body: { spec: { ports: [{ port: 443, targetPort: 8443 }] } },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.equal(smp.spec.ports.length, 2);
      assert.equal(smp.spec.ports.find((p: Json) => p.port === 443).targetPort, 8443);
      assert.equal(smp.spec.ports.find((p: Json) => p.port === 80).targetPort, 8080);
      const table = await api.expect(200, 'GET', `${SVC}/lb`, { headers: { Accept: TABLE } });
      assert.equal(table.rows[0].cells[3], '203.0.113.7');
    });

    it('server-side apply creates and updates a Service (ports keyed by port and protocol, TCP by default)', async () => {
      const applied = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'ssa' },
        spec: { selector: { app: 'ssa' }, ports: [{ name: 'http', port: 80 }] },
      };
      const apply = (body: Json) =>
        api.request('PATCH', `${SVC}/ssa?fieldManager=tester`, {
          raw: JSON.stringify(body),
          contentType: 'application/apply-patch+yaml',
        });
      const first = await apply(applied);
      assert.equal(first.status, 201, first.text);
      assert.ok(inRange(first.body.spec.clusterIP));
      const managed = first.body.metadata.managedFields.find((m: Json) => m.manager === 'tester');
      assert.ok(
        managed.fieldsV1['f:spec']['f:ports']['k:{"port":80,"protocol":"TCP"}'],
        JSON.stringify(managed.fieldsV1),
      );
      applied.spec.ports[0]!.port = 8080;
      const second = await apply(applied);
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(second.body.spec.ports, [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }]);
      assert.equal(second.body.spec.clusterIP, first.body.spec.clusterIP);
    });

    it('lists with label and field selectors (spec.type, spec.clusterIP) and pages', async () => {
      await create(service('lab1', {}, { tier: 'front' }));
      await create(service('lab2', {}, { tier: 'front' }));
      const byLabel = await api.expect(200, 'GET', `${SVC}?labelSelector=tier%3Dfront`);
      assert.deepEqual(
        byLabel.items.map((s: Json) => s.metadata.name),
        ['lab1', 'lab2'],
      );
      const byType = await api.expect(200, 'GET', `${SVC}?fieldSelector=spec.type%3DNodePort`);
      assert.deepEqual(byType.items.map((s: Json) => s.metadata.name).sort(), ['np', 'reuse', 'gone2'].sort());
      const byIP = await api.expect(200, 'GET', `/api/v1/services?fieldSelector=spec.clusterIP%3D10.96.0.1`);
      assert.deepEqual(
        byIP.items.map((s: Json) => `${s.metadata.namespace}/${s.metadata.name}`),
        ['default/kubernetes'],
      );
      const bad = await api.get(`${SVC}?fieldSelector=spec.selector%3Dx`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'field label not supported: spec.selector');
      const page = await api.expect(200, 'GET', `${SVC}?limit=2`);
      assert.equal(page.items.length, 2);
      assert.ok(page.metadata.continue);
      const next = await api.expect(
        200,
        'GET',
        `${SVC}?limit=100&continue=${encodeURIComponent(page.metadata.continue)}`,
      );
      const all = await api.expect(200, 'GET', SVC);
      assert.deepEqual(
        [...page.items, ...next.items].map((s: Json) => s.metadata.name),
        all.items.map((s: Json) => s.metadata.name),
      );
    });

    it('prints the Table of kubectl get svc (-o wide)', async () => {
      const t = await api.expect(200, 'GET', SVC, { headers: { Accept: TABLE } });
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => [c.name, c.priority]),
        [
          ['Name', 0],
          ['Type', 0],
          ['Cluster-IP', 0],
          ['External-IP', 0],
          ['Port(s)', 0],
          ['Age', 0],
          ['Selector', 1],
        ],
      );
      const row = (name: string) => t.rows.find((r: Json) => r.cells[0] === name).cells;
      assert.deepEqual(row('hl').slice(1, 5), ['ClusterIP', 'None', '<none>', '80/TCP']);
      assert.deepEqual(row('ext').slice(1, 5), ['ExternalName', '<none>', 'example.com', '<none>']);
      const np = await api.expect(200, 'GET', `${SVC}/np`);
      assert.equal(row('np')[4], np.spec.ports.map((p: Json) => `${p.port}:${p.nodePort}/TCP`).join(','));
      assert.equal(row('web')[6], 'app=web');
      assert.match(row('lb')[4], /^80:\d+\/TCP$/);
    });

    it('watches Services from a resourceVersion with a field selector', async () => {
      const list = await api.expect(200, 'GET', `${SVC}?fieldSelector=spec.type%3DClusterIP`);
      const w = await WatchStream.open(
        `${server().url}${SVC}?watch=true&resourceVersion=${list.metadata.resourceVersion}&fieldSelector=spec.type%3DClusterIP`,
      );
      try {
        await create(service('watched'));
        await create(service('watched-np', { type: 'NodePort' }));
        await api.expect(200, 'DELETE', `${SVC}/watched`);
        const a = await w.next();
        assert.deepEqual([a.type, a.object.metadata.name, a.object.kind], ['ADDED', 'watched', 'Service']);
        const d = await w.next();
        assert.deepEqual([d.type, d.object.metadata.name], ['DELETED', 'watched']);
      } finally {
        w.close();
      }
    });

    it('round-trips a Service through protobuf (create, get, list)', async () => {
      const body = service('pb', {
        type: 'NodePort',
        sessionAffinity: 'ClientIP',
        ports: [{ name: 'http', port: 80, targetPort: 'http', appProtocol: 'http' }],
      });
      body.metadata.namespace = NS;
      const res = await pbRequest(`${server().url}${SVC}`, 'POST', { body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.contentType, /protobuf/);
      const json = await api.expect(200, 'GET', `${SVC}/pb`);
      const pb = await pbRequest(`${server().url}${SVC}/pb`, 'GET');
      assert.deepEqual({ ...pb.body, apiVersion: json.apiVersion, kind: json.kind }, json);
      assert.equal(json.spec.ports[0].targetPort, 'http');
      assert.equal(json.spec.ports[0].appProtocol, 'http');
      assert.deepEqual(json.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
      const list = await pbRequest(`${server().url}${SVC}`, 'GET', { accept: PB_ACCEPT });
      assert.ok(list.body.items.some((s: Json) => s.metadata.name === 'pb'));
    });
  });

  describe('endpoints', () => {
    const endpoints = (name: string, subsets: Json) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name },
      subsets,
    });

    it('are created, defaulted (protocol TCP), printed and deleted like upstream', async () => {
      const ep = await api.expect(201, 'POST', EP, {
        body: endpoints('manual', [
          {
            addresses: [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }],
            notReadyAddresses: [{ ip: '10.1.0.3' }],
            ports: [{ port: 8080 }],
          },
        ]),
      });
      assert.deepEqual(ep.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
      const t = await api.expect(200, 'GET', `${EP}/manual`, { headers: { Accept: TABLE } });
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => c.name),
        ['Name', 'Endpoints', 'Age'],
      );
      assert.equal(t.rows[0].cells[1], '10.1.0.1:8080,10.1.0.2:8080');
      await api.expect(200, 'PUT', `${EP}/manual`, {
        body: endpoints('manual', [
          { addresses: ['10.1.0.1', '10.1.0.2', '10.1.0.4', '10.1.0.5'].map((ip) => ({ ip })), ports: [{ port: 80 }] },
        ]),
      });
      const t2 = await api.expect(200, 'GET', `${EP}/manual`, { headers: { Accept: TABLE } });
      assert.equal(t2.rows[0].cells[1], '10.1.0.1:80,10.1.0.2:80,10.1.0.4:80 + 1 more...');
      const pb = await pbRequest(`${server().url}${EP}/manual`, 'GET');
      assert.match(pb.contentType, /protobuf/);
      assert.deepEqual(pb.body.subsets, (await api.expect(200, 'GET', `${EP}/manual`)).subsets);
      assert.equal((await api.get(`${EP}?fieldSelector=metadata.name%3Dmanual`)).body.items.length, 1);
      // subsets is an atomic list: a strategic merge patch replaces it whole
      const smp = await api.expect(200, 'PATCH', `${EP}/manual`, {
        body: {
          metadata: { labels: { a: 'b' } },
          subsets: [{ addresses: [{ ip: '10.1.0.7' }], ports: [{ port: 81 }] }],
        },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(smp.subsets, [{ addresses: [{ ip: '10.1.0.7' }], ports: [{ port: 81, protocol: 'TCP' }] }]);
      assert.equal(smp.metadata.labels.a, 'b');
      await api.expect(200, 'DELETE', `${EP}/manual`);
      // deletecollection and paging
      for (const n of ['p1', 'p2', 'p3'])
        await api.expect(201, 'POST', EP, {
          body: {
            ...endpoints(n, [{ addresses: [{ ip: '10.1.1.1' }] }]),
            metadata: { name: n, labels: { page: 'yes' } },
          },
        });
      const page = await api.expect(200, 'GET', `${EP}?labelSelector=page%3Dyes&limit=2`);
      assert.deepEqual(
        page.items.map((e: Json) => e.metadata.name),
        ['p1', 'p2'],
      );
      const rest = await api.expect(
        200,
        'GET',
        `${EP}?labelSelector=page%3Dyes&limit=2&continue=${encodeURIComponent(page.metadata.continue)}`,
      );
      assert.deepEqual(
        rest.items.map((e: Json) => e.metadata.name),
        ['p3'],
      );
      const removed = await api.expect(200, 'DELETE', `${EP}?labelSelector=page%3Dyes`);
      assert.equal(removed.items.length, 3);
    });

    it('are validated as upstream (addresses, special IPs, ports)', async () => {
      invalid(
        await create(endpoints('e1', [{ ports: [{ port: 80 }] }]), EP),
        'Endpoints "e1" is invalid: subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
      );
      invalid(
        await create(endpoints('e2', [{ addresses: [{ ip: '127.0.0.1' }] }]), EP),
        'Endpoints "e2" is invalid: subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      );
      invalid(
        await create(endpoints('e3', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }]), EP),
        'Endpoints "e3" is invalid: [subsets[0].ports[0].name: Required value, subsets[0].ports[1].name: Required value]',
      );
      invalid(
        await create(endpoints('e4', [{ addresses: [{ ip: 'nope' }] }]), EP),
        'Endpoints "e4" is invalid: [subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff), subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address]',
      );
    });

    it('go with their Service when it is deleted', async () => {
      await create(service('with-ep'));
      await api.expect(201, 'POST', EP, { body: endpoints('with-ep', [{ addresses: [{ ip: '10.1.0.9' }] }]) });
      await api.expect(200, 'DELETE', `${SVC}/with-ep`);
      assert.equal((await api.get(`${EP}/with-ep`)).status, 404);
    });
  });

  describe('endpointslices', () => {
    const slice = (name: string, extra: Json = {}) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.2.0.1'], conditions: { ready: true } }],
      ports: [{ port: 80 }],
      ...extra,
    });

    it('are created with defaults, count generations, and print as upstream', async () => {
      const s = await api.expect(201, 'POST', SLICES, { body: slice('web-manual') });
      assert.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
      assert.equal(s.metadata.generation, 1);
      const upd = await api.expect(200, 'PATCH', `${SLICES}/web-manual`, {
        body: {
          endpoints: [
            { addresses: ['10.2.0.1'] },
            { addresses: ['10.2.0.2'] },
            { addresses: ['10.2.0.3'] },
            { addresses: ['10.2.0.4'] },
          ],
        },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(upd.metadata.generation, 2);
      const labelOnly = await api.expect(200, 'PATCH', `${SLICES}/web-manual`, {
        body: { metadata: { labels: { x: 'y' } } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(labelOnly.metadata.generation, 2);
      const t = await api.expect(200, 'GET', SLICES, { headers: { Accept: TABLE } });
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => c.name),
        ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
      );
      assert.deepEqual(t.rows.find((r: Json) => r.cells[0] === 'web-manual').cells.slice(1, 4), [
        'IPv4',
        '80',
        '10.2.0.1,10.2.0.2,10.2.0.3 + 1 more...',
      ]);
      const empty = await api.expect(201, 'POST', SLICES, { body: slice('web-empty', { endpoints: [], ports: [] }) });
      const t2 = await api.expect(200, 'GET', `${SLICES}/${empty.metadata.name}`, { headers: { Accept: TABLE } });
      assert.deepEqual(t2.rows[0].cells.slice(1, 4), ['IPv4', '<unset>', '<unset>']);
      const byLabel = await api.expect(200, 'GET', `${SLICES}?labelSelector=kubernetes.io%2Fservice-name%3Dweb,x%3Dy`);
      assert.deepEqual(
        byLabel.items.map((i: Json) => i.metadata.name),
        ['web-manual'],
      );
      // endpoints and ports are atomic lists: a strategic merge patch replaces them, and the generation moves
      const smp = await api.expect(200, 'PATCH', `${SLICES}/web-manual`, {
        body: { endpoints: [{ addresses: ['10.2.0.8'], conditions: { ready: false } }] },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(smp.endpoints, [{ addresses: ['10.2.0.8'], conditions: { ready: false } }]);
      assert.equal(smp.metadata.generation, 3);
      const page = await api.expect(200, 'GET', `${SLICES}?limit=1`);
      assert.equal(page.items.length, 1);
      assert.ok(page.metadata.continue);
    });

    it('are validated as upstream; the address type cannot change', async () => {
      invalid(
        await create(slice('bad1', { addressType: 'IPX' }), SLICES),
        'EndpointSlice.discovery.k8s.io "bad1" is invalid: addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"',
      );
      invalid(
        await create(slice('bad2', { endpoints: [{ addresses: [] }] }), SLICES),
        'EndpointSlice.discovery.k8s.io "bad2" is invalid: endpoints[0].addresses: Required value: must contain at least 1 address',
      );
      invalid(
        await create(slice('bad3', { endpoints: [{ addresses: ['fe80::1'] }] }), SLICES),
        'EndpointSlice.discovery.k8s.io "bad3" is invalid: endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address',
      );
      invalid(
        await create(slice('bad4', { ports: [{ port: 80, protocol: 'HTTP' }] }), SLICES),
        'EndpointSlice.discovery.k8s.io "bad4" is invalid: ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      );
      invalid(
        await api.patch(`${SLICES}/web-manual`, { addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::1'] }] }),
        'EndpointSlice.discovery.k8s.io "web-manual" is invalid: addressType: Invalid value: "IPv6": field is immutable',
      );
    });

    it('round-trip through protobuf, and watch', async () => {
      const list = await api.expect(200, 'GET', SLICES);
      const w = await WatchStream.open(
        `${server().url}${SLICES}?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      );
      try {
        const body = slice('pb-slice', {
          endpoints: [
            {
              addresses: ['10.2.0.9'],
              conditions: { ready: false, serving: false, terminating: true },
              nodeName: 'n1',
              zone: 'z',
            },
          ],
        });
        body.metadata = { ...body.metadata, namespace: NS } as never;
        const res = await pbRequest(`${server().url}${SLICES}`, 'POST', { body });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const json = await api.expect(200, 'GET', `${SLICES}/pb-slice`);
        assert.deepEqual(json.endpoints[0].conditions, { ready: false, serving: false, terminating: true });
        const pb = await pbRequest(`${server().url}${SLICES}/pb-slice`, 'GET');
        assert.deepEqual({ ...pb.body, apiVersion: json.apiVersion, kind: json.kind }, json);
        const ev = await w.next();
        assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'pb-slice']);
      } finally {
        w.close();
      }
    });
  });
});

describe('Service allocations across restarts and --service-cluster-ip-range', () => {
  it('keeps every allocation after a restart and allocates from the configured range', async () => {
    const dir = tempDir('svc-restart-');
    try {
      let srv = await startServerProcess({
        dataDir: dir.path,
        args: ['--service-cluster-ip-range', '10.100.0.0/24', '--service-node-port-range', '31000-31009'],
      });
      let api = new Api(srv.url);
      try {
        const k = await eventually(
          async () => (await api.get('/api/v1/namespaces/default/services/kubernetes')).body?.spec,
        );
        assert.equal(k.clusterIP, '10.100.0.1');
        const a = await api.expect(201, 'POST', '/api/v1/namespaces/default/services', {
          body: service('a', { type: 'NodePort' }),
        });
        assert.ok(inRange(a.spec.clusterIP, '10.100.0.0/24'), a.spec.clusterIP);
        assert.ok(a.spec.ports[0].nodePort >= 31000 && a.spec.ports[0].nodePort <= 31009);
        const out = await api.request('POST', '/api/v1/namespaces/default/services', {
          body: service('b', { clusterIP: '10.96.0.50' }),
        });
        assert.equal(
          out.body.message,
          'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.50"}: failed to allocate IP 10.96.0.50: provided IP is not in the valid range. The range of valid IPs is 10.100.0.0/24',
        );
        await srv.stop();
        srv = await startServerProcess({
          dataDir: dir.path,
          args: ['--service-cluster-ip-range', '10.100.0.0/24', '--service-node-port-range', '31000-31009'],
        });
        api = new Api(srv.url);
        const taken = await api.request('POST', '/api/v1/namespaces/default/services', {
          body: service('c', { clusterIP: a.spec.clusterIP }),
        });
        assert.equal(taken.status, 422);
        assert.match(taken.body.message, /provided IP is already allocated$/);
        const port = await api.request('POST', '/api/v1/namespaces/default/services', {
          body: service('d', { type: 'NodePort', ports: [{ port: 80, nodePort: a.spec.ports[0].nodePort }] }),
        });
        assert.match(port.body.message, /provided port is already allocated$/);
        // nine ports are left: every new one differs from the first
        for (let i = 0; i < 9; i++) {
          const s = await api.expect(201, 'POST', '/api/v1/namespaces/default/services', {
            body: service(`n${i}`, { type: 'NodePort' }),
          });
          assert.notEqual(s.spec.ports[0].nodePort, a.spec.ports[0].nodePort);
        }
        const full = await api.request('POST', '/api/v1/namespaces/default/services', {
          body: service('full', { type: 'NodePort' }),
        });
        assert.equal(full.status, 500);
        assert.equal(full.body.message, 'Internal error occurred: failed to allocate a nodePort: range is full');
      } finally {
        await srv.stop();
      }
    } finally {
      dir.remove();
    }
  });

  it('refuses a bad --service-cluster-ip-range with a usage error', async () => {
    await assert.rejects(
      startServerProcess({ args: ['--service-cluster-ip-range', 'fd00::/108'], timeoutMs: 10000 }),
      /service-cluster-ip-range/,
    );
  });
});
