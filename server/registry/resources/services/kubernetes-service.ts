/**
 * The `kubernetes` Service of the `default` namespace and its endpoints, as kube-apiserver keeps them
 * (pkg/controlplane/controller/kubernetesservice and the endpoint reconciler): a ClusterIP Service on the first
 * address of the service range, port 443 (`https`) → the API server's own port, and an Endpoints and an EndpointSlice
 * of the same name listing the API server's address. Checked at start and then periodically, written only when they
 * differ; the Service goes through the Service store (so its address is allocated like any other), the endpoints
 * straight to storage (the address may be loopback, which validation refuses for user-written endpoints).
 */
import { networkInterfaces } from 'node:os';
import type { Storage } from '../../../../storage/interface.js';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { isStorageError } from '../../../../storage/errors.js';
import { newUID, normalizeMeta } from '../../meta.js';
import type { Registry } from '../../registry.js';
import { isStatusError } from '../../status.js';
import { firstAddress, type ServiceAllocators } from './allocator.js';
import { clone, semanticEqual } from '../../../../apimachinery/copy.js';
import { rfc3339 } from '../../../../apimachinery/time.js';

const NAMESPACE = 'default';
const NAME = 'kubernetes';
/** kube-apiserver's --endpoint-reconciler interval. */
const RECONCILE_MS = 10_000;

interface Logger {
  warn(obj: unknown, msg?: string): void;
}

/** The address other components reach this server at: the bound address, or a non-internal IPv4 for a wildcard bind. */
export function advertiseAddress(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && /^\d+\.\d+\.\d+\.\d+$/.test(host)) return host;
  if (host === 'localhost' || host === '::1') return '127.0.0.1';
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export class KubernetesServiceController {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private endpoint: { ip: string; port: number } | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly storage: Storage,
    private readonly log: Logger,
  ) {}

  /** Starts keeping the objects for the server reachable at `ip:port`. */
  start(ip: string, port: number): void {
    this.endpoint = { ip, port };
    this.tick();
  }

  /** One reconciliation now (tests await it). */
  async reconcileNow(): Promise<void> {
    if (this.running) await this.running;
    this.running = this.reconcile().finally(() => (this.running = undefined));
    await this.running;
  }

  private tick(): void {
    if (this.stopped) return;
    void this.reconcileNow()
      .catch((err) => this.log.warn({ err }, 'reconciling the kubernetes service failed; will retry'))
      .finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(() => this.tick(), RECONCILE_MS);
        this.timer.unref();
      });
  }

  /** Stops the loop; resolves once a reconciliation in flight is done, so the store is not closed under it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  private async reconcile(): Promise<void> {
    const ep = this.endpoint;
    if (!ep || this.stopped) return;
    await this.ensureService(ep.port);
    await this.ensureEndpoints(ep.ip, ep.port);
    await this.ensureEndpointSlice(ep.ip, ep.port);
  }

  private async ensureService(targetPort: number): Promise<void> {
    const handle = this.registry.find('v1', 'services');
    if (!handle) return;
    const alloc = (handle.def as { allocators?: ServiceAllocators }).allocators;
    const ports = [{ name: 'https', protocol: 'TCP', port: 443, targetPort }];
    let current: KubeObject | undefined;
    try {
      current = await handle.store.get(handle.view, NAMESPACE, NAME);
    } catch (err) {
      if (!(isStatusError(err) && err.code === 404)) throw err;
    }
    if (!current) {
      const body: KubeObject = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: NAME, namespace: NAMESPACE, labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ports,
          ...(alloc ? { clusterIP: firstAddress(alloc.range) } : {}),
        },
      };
      try {
        await handle.store.create(handle.view, NAMESPACE, body, { dryRun: false });
      } catch (err) {
        // Another API server on the same store created it first.
        if (!(isStatusError(err) && err.code === 409)) throw err;
      }
      return;
    }
    const spec = (current.spec ?? {}) as { ports?: unknown[]; type?: string };
    const wanted = ports.map((p) => ({ ...p }));
    const have = (spec.ports ?? []).map((p) => {
      const q = p as Record<string, unknown>;
      return { name: q.name, protocol: q.protocol, port: q.port, targetPort: q.targetPort };
    });
    if (spec.type === 'ClusterIP' && semanticEqual(have, wanted)) return;
    await handle.store.update(
      handle.view,
      NAMESPACE,
      NAME,
      (cur) => {
        const next = clone(cur!);
        (next.spec as Record<string, unknown>).ports = wanted;
        return next;
      },
      { dryRun: false },
    );
  }

  private async ensureEndpoints(ip: string, port: number): Promise<void> {
    await this.put(
      `/registry/services/endpoints/${NAMESPACE}/${NAME}`,
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: NAME, namespace: NAMESPACE, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
        subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
      },
      ['subsets'],
      false,
    );
  }

  private async ensureEndpointSlice(ip: string, port: number): Promise<void> {
    await this.put(
      `/registry/endpointslices/${NAMESPACE}/${NAME}`,
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: NAME, namespace: NAMESPACE, labels: { 'kubernetes.io/service-name': NAME } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: true } }],
        ports: [{ name: 'https', protocol: 'TCP', port }],
      },
      ['addressType', 'endpoints', 'ports'],
      true,
    );
  }

  /** Creates the object at `key`, or rewrites the `fields` (and labels) that differ. */
  private async put(key: string, want: KubeObject, fields: string[], generation: boolean): Promise<void> {
    let current: KubeObject | undefined;
    try {
      current = await this.storage.get(key);
    } catch (err) {
      if (!isStorageError(err, 'KeyNotFound')) throw err;
    }
    if (!current) {
      const obj: KubeObject = {
        ...want,
        metadata: normalizeMeta({
          ...want.metadata,
          uid: newUID(),
          creationTimestamp: rfc3339(new Date()),
          ...(generation ? { generation: 1 } : {}),
        }),
      };
      try {
        await this.storage.create(key, obj);
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
      }
      return;
    }
    const labelsOK = Object.entries(want.metadata.labels ?? {}).every(([k, v]) => current!.metadata.labels?.[k] === v);
    if (labelsOK && fields.every((f) => semanticEqual(current![f], want[f]))) return;
    await this.storage.guaranteedUpdate(key, (cur) => {
      const next = clone(cur);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), ...(want.metadata.labels ?? {}) };
      for (const f of fields) next[f] = clone(want[f]);
      if (generation) next.metadata.generation = (cur.metadata.generation ?? 0) + 1;
      next.metadata = normalizeMeta(next.metadata);
      return next;
    });
  }
}
