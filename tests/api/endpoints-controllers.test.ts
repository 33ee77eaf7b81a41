/**
 * The endpoints and EndpointSlice controllers in the controller-manager process, against the whole emulator: ready
 * and not-ready pods, named target ports, headless Services without ports, publishNotReadyAddresses, a deleted
 * pod, a Service that changes selector, Endpoints put back after someone deletes them, and slices collected with their
 * Service. Pods are bound to the simulated node at creation (`spec.nodeName`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';

type Json = any;
const NS = 'ep-ctl';

describe('endpoints and EndpointSlice controllers', () => {
  let cluster: Cluster;
  let node = '';
  const api = (method: string, path: string, body?: unknown, ct?: string) => cluster.api(method, path, body, ct);
  const pod = (
    name: string,
    labels: Record<string, string>,
    opts: { image?: string; ports?: Json[]; hostname?: string; subdomain?: string } = {},
  ) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 30,
      ...(opts.hostname ? { hostname: opts.hostname, subdomain: opts.subdomain } : {}),
      containers: [
        { name: 'c', image: opts.image ?? 'nginx', ports: opts.ports ?? [{ name: 'http', containerPort: 8080 }] },
      ],
    },
  });
  const service = (name: string, spec: Json) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { team: 'a' } },
    spec,
  });
  const endpoints = (name: string) =>
    api('GET', `/api/v1/namespaces/${NS}/endpoints/${name}`).then((r) => (r.status === 200 ? r.body : undefined));
  const slicesOf = async (name: string): Promise<Json[]> =>
    (
      await api(
        'GET',
        `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${name}`,
      )
    ).body.items;
  const podIP = (name: string): Promise<string> =>
    eventually(
      async () => {
        const p = (await api('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).body;
        return p.status?.podIP as string | undefined;
      },
      { timeoutMs: 20000, what: `IP of ${name}` },
    ) as Promise<string>;
  const ready = (name: string) =>
    eventually(
      async () => {
        const p = (await api('GET', `/api/v1/namespaces/${NS}/pods/${name}`)).body;
        return (p.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
      },
      { timeoutMs: 20000, what: `${name} ready` },
    );

  before(async () => {
    cluster = await startCluster({ nodes: 1 });
    node = (await api('GET', '/api/v1/nodes')).body.items[0].metadata.name;
    assert.equal((await api('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    for (const p of [
      pod('a1', { app: 'a' }),
      pod('a2', { app: 'a' }),
      pod('broken', { app: 'a' }, { image: 'nginx:non-existent' }),
      pod('noport', { app: 'a' }, { ports: [] }),
      pod('h1', { app: 'h' }, { hostname: 'h1', subdomain: 'hl' }),
    ]) {
      assert.equal((await api('POST', `/api/v1/namespaces/${NS}/pods`, p)).status, 201);
    }
    await Promise.all(['a1', 'a2', 'noport', 'h1'].map(ready));
    // The pod that never gets Ready has its IP by then too: the Service created next is the last change behind its
    // Endpoints (an IP that came after it would be a second write, one with no trigger time: upstream's tracker
    // follows pods' Ready transitions, not their IPs).
    await podIP('broken');
  });
  after(async () => cluster?.stop());

  it('Endpoints: ready pods in addresses, the unready one in notReadyAddresses, ports resolved by name', async () => {
    assert.equal(
      (
        await api(
          'POST',
          `/api/v1/namespaces/${NS}/services`,
          service('a', { selector: { app: 'a' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] }),
        )
      ).status,
      201,
    );
    const [ip1, ip2, ipBroken] = await Promise.all([podIP('a1'), podIP('a2'), podIP('broken')]);
    const ep = await eventually(
      async () => {
        const e = await endpoints('a');
        return e?.subsets?.[0]?.addresses?.length === 2 && e.subsets[0].notReadyAddresses?.length === 1 ? e : undefined;
      },
      { what: 'endpoints of a' },
    );
    assert.equal(ep.subsets.length, 1);
    assert.deepEqual(ep.subsets[0].addresses.map((a: Json) => a.ip).sort(), [ip1, ip2].sort());
    assert.deepEqual(
      ep.subsets[0].notReadyAddresses.map((a: Json) => a.ip),
      [ipBroken],
    );
    assert.deepEqual(ep.subsets[0].ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const a1 = ep.subsets[0].addresses.find((a: Json) => a.ip === ip1);
    assert.equal(a1.nodeName, node);
    assert.deepEqual(
      { kind: a1.targetRef.kind, name: a1.targetRef.name, namespace: a1.targetRef.namespace },
      { kind: 'Pod', name: 'a1', namespace: NS },
    );
    assert.equal(ep.metadata.labels.team, 'a');
    // Written once for a new Service whose pods were ready before it: the change behind it is the Service's creation.
    const created = (await api('GET', `/api/v1/namespaces/${NS}/services/a`)).body.metadata.creationTimestamp;
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], created);
  });

  it('EndpointSlices: the conditions of each pod; a pod without the named port lands in a slice without ports', async () => {
    const withPorts = (all: Json[]) => all.find((x) => x.ports?.length);
    const slices = (await eventually(
      async () => {
        const s = await slicesOf('a');
        return s.length === 2 && withPorts(s)?.endpoints?.length === 3 ? s : undefined;
      },
      { what: 'slices of a' },
    )) as Json[];
    const slice = withPorts(slices);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    const byPod = new Map(slice.endpoints.map((e: Json) => [e.targetRef.name, e]));
    assert.deepEqual((byPod.get('a1') as Json).conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual((byPod.get('broken') as Json).conditions, { ready: false, serving: false, terminating: false });
    assert.equal(byPod.has('noport'), false);
    // as upstream: the endpoint of a pod that resolves none of the ports is published with no ports at all
    const portless = slices.find((x) => !x.ports);
    assert.deepEqual(
      portless.endpoints.map((e: Json) => e.targetRef.name),
      ['noport'],
    );
    assert.deepEqual(
      slice.metadata.ownerReferences.map((o: Json) => [o.kind, o.name, o.controller, o.blockOwnerDeletion]),
      [['Service', 'a', true, true]],
    );
    assert.equal(slice.metadata.labels.team, 'a');
    assert.equal(slice.metadata.generateName, 'a-');
    const created = (await api('GET', `/api/v1/namespaces/${NS}/services/a`)).body.metadata.creationTimestamp;
    assert.equal(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], created);
  });

  it('a deleted pod leaves the Endpoints and the slice', async () => {
    assert.equal((await api('DELETE', `/api/v1/namespaces/${NS}/pods/a2`, { gracePeriodSeconds: 30 })).status, 200);
    const slice = await eventually(
      async () => {
        const s = (await slicesOf('a')).find((x) => x.ports?.length);
        return s?.endpoints.length === 2 ? s : undefined;
      },
      { what: 'a2 out of the slice' },
    );
    assert.deepEqual(slice.endpoints.map((e: Json) => e.targetRef.name).sort(), ['a1', 'broken']);
    const ep = await eventually(
      async () => {
        const e = await endpoints('a');
        return e?.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
      },
      { what: 'a2 out of the endpoints' },
    );
    assert.equal(ep.subsets[0].addresses[0].targetRef.name, 'a1');
  });

  it('headless Service without ports: bare addresses, hostnames, the headless label', async () => {
    assert.equal(
      (
        await api(
          'POST',
          `/api/v1/namespaces/${NS}/services`,
          service('hl', { clusterIP: 'None', selector: { app: 'h' } }),
        )
      ).status,
      201,
    );
    const ip = await podIP('h1');
    const ep = await eventually(
      async () => {
        const e = await endpoints('hl');
        return e?.subsets ? e : undefined;
      },
      { what: 'endpoints of hl' },
    );
    assert.deepEqual(ep.subsets, [
      { addresses: [{ ip, hostname: 'h1', nodeName: node, targetRef: ep.subsets[0].addresses[0].targetRef }] },
    ]);
    assert.equal(ep.metadata.labels['service.kubernetes.io/headless'], '');
    const slice = await eventually(async () => (await slicesOf('hl')).find((s) => s.endpoints?.length === 1), {
      what: 'slice of hl',
    });
    assert.equal(slice.endpoints[0].hostname, 'h1');
    assert.equal(slice.ports, undefined);
    assert.equal(slice.metadata.labels['service.kubernetes.io/headless'], '');
  });

  it('publishNotReadyAddresses lists the unready pod as ready', async () => {
    assert.equal(
      (
        await api(
          'POST',
          `/api/v1/namespaces/${NS}/services`,
          service('all', {
            selector: { app: 'a' },
            publishNotReadyAddresses: true,
            ports: [{ port: 80, targetPort: 8080 }],
          }),
        )
      ).status,
      201,
    );
    const ep = await eventually(
      async () => {
        const e = await endpoints('all');
        return e?.subsets?.[0]?.addresses?.some((a: Json) => a.targetRef.name === 'broken') ? e : undefined;
      },
      { what: 'broken published' },
    );
    assert.equal(ep.subsets[0].notReadyAddresses, undefined);
    const slice = await eventually(
      async () => (await slicesOf('all')).find((s) => s.endpoints?.some((e: Json) => e.targetRef.name === 'broken')),
      { what: 'slice of all' },
    );
    assert.deepEqual(slice.endpoints.find((e: Json) => e.targetRef.name === 'broken').conditions, {
      ready: true,
      serving: false,
      terminating: false,
    });
  });

  it('a Service whose selector matches nothing keeps an empty placeholder slice and empty Endpoints', async () => {
    assert.equal(
      (
        await api(
          'PATCH',
          `/api/v1/namespaces/${NS}/services/all`,
          { spec: { selector: { app: 'nobody' } } },
          'application/merge-patch+json',
        )
      ).status,
      200,
    );
    const slices = (await eventually(
      async () => {
        const s = await slicesOf('all');
        return s.length === 1 && s[0].endpoints.length === 0 ? s : undefined;
      },
      { what: 'placeholder' },
    )) as Json[];
    assert.equal(slices[0].ports, undefined);
    await eventually(async () => (await endpoints('all'))?.subsets === undefined, { what: 'empty endpoints' });
  });

  it('Endpoints deleted by hand come back; a deleted Service takes its Endpoints and slices along', async () => {
    assert.equal((await api('DELETE', `/api/v1/namespaces/${NS}/endpoints/a`)).status, 200);
    await eventually(async () => (await endpoints('a'))?.subsets?.[0]?.addresses?.length === 1, {
      what: 'endpoints of a recreated',
    });
    assert.equal((await api('DELETE', `/api/v1/namespaces/${NS}/services/a`)).status, 200);
    await eventually(async () => (await endpoints('a')) === undefined, { what: 'endpoints of a gone' });
    await eventually(async () => (await slicesOf('a')).length === 0, {
      timeoutMs: 20000,
      what: 'slices of a collected',
    });
  });
});
