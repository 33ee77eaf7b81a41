/**
 * How a Service is defaulted, completed and checked on its way to storage (upstream pkg/apis/core/v1 defaults,
 * pkg/registry/core/service strategy and storage/alloc.go): v1 defaulting, the cluster IP fields kept in step
 * (clusterIP ↔ clusterIPs), IP families and policy for this single-stack IPv4 cluster, cluster IP and node port
 * allocation (create, type changes, released on delete), fields that stop applying when the type changes, and
 * the Endpoints of a deleted Service removed with it.
 */
import type { Storage } from '../../../../storage/interface.js';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { FinishWrite, RequestContext, ResourceStrategy } from '../../definition.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { errors } from '../../status.js';
import { semanticEqual } from '../../validation/helpers.js';
import { AllocationError, heldBy, ownerKey, type ServiceAllocators, SharedClaims } from './allocator.js';
import {
  isHeadless,
  validateClusterIPFields,
  validateService,
  validateServiceStatusUpdate,
  validateServiceUpdate,
} from './validation.js';
import { goStringSlice, renderedError } from '../../../../apimachinery/field-errors.js';

/** The JSON shape of the Service fields read and written here. */
export interface ServicePortLike {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface ServiceSpecLike {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: ServicePortLike[];
  selector?: Record<string, string>;
  sessionAffinity?: string;
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } } | null;
  externalTrafficPolicy?: string;
  internalTrafficPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  healthCheckNodePort?: number;
  externalIPs?: string[];
  externalName?: string;
  loadBalancerClass?: string;
  [key: string]: unknown;
}

export interface ServiceLike extends KubeObject {
  spec?: ServiceSpecLike;
  status?: { loadBalancer?: { ingress?: unknown[] }; [key: string]: unknown };
}

/** v1.DefaultClientIPServiceAffinitySeconds: three hours. */
const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

function specOf(svc: KubeObject): ServiceSpecLike {
  if (!svc.spec || typeof svc.spec !== 'object' || Array.isArray(svc.spec)) svc.spec = {};
  return svc.spec as ServiceSpecLike;
}

/** NodePort, LoadBalancer, or ClusterIP with external IPs: reachable from outside the cluster. */
export function externallyAccessible(spec: ServiceSpecLike): boolean {
  return (
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0)
  );
}

/** A LoadBalancer with `externalTrafficPolicy: Local` gets a health check node port. */
export function needsHealthCheck(spec: ServiceSpecLike): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

const needsClusterIP = (spec: ServiceSpecLike) => spec.type !== 'ExternalName';
const needsNodePort = (spec: ServiceSpecLike) => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const shouldAllocateNodePorts = (spec: ServiceSpecLike) =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);

/** SetDefaults_Service of core/v1 (create and update bodies). */
export function defaultService(svc: KubeObject): void {
  const spec = specOf(svc);
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '')
      p.targetPort = p.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type))
    spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined)
    spec.allocateLoadBalancerNodePorts = true;
}

/** NormalizeClusterIPs: keeps `clusterIP` and `clusterIPs` in step for clients that set only one of them. */
export function normalizeClusterIPs(spec: ServiceSpecLike, old: ServiceSpecLike | undefined): void {
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (
    (old.clusterIPs?.length ?? 0) > 0 &&
    !spec.clusterIPs?.length &&
    (old.clusterIP ?? '') === (spec.clusterIP ?? '')
  ) {
    spec.clusterIPs = [...old.clusterIPs!];
  }
  if ((old.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    const same = semanticEqual(old.clusterIPs, spec.clusterIPs);
    if (old.clusterIP && !spec.clusterIP) {
      if (same) delete spec.clusterIPs;
    } else if (same) {
      spec.clusterIPs = [spec.clusterIP ?? ''];
    }
  }
}

/** patchAllocatedValues: an update that leaves out what was allocated keeps it (PUT of an edited manifest). */
export function patchAllocatedValues(spec: ServiceSpecLike, old: ServiceSpecLike): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if (!spec.clusterIP && old.clusterIP) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && old.clusterIPs?.length) spec.clusterIPs = [...old.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(spec)) {
    const used = (ports: ServicePortLike[] | undefined) =>
      new Set((ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n > 0));
    const oldUsed = used(old.ports);
    const newUsed = used(spec.ports);
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p && !p.nodePort) {
        const v = byName.get(p.name ?? '') ?? 0;
        if (v > 0 && !(oldUsed.has(v) && newUsed.has(v))) p.nodePort = v;
      }
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(spec) && !spec.healthCheckNodePort && old.healthCheckNodePort) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
}

function invalid(svc: KubeObject, errs: FieldError[]) {
  return errors.invalid('', 'Service', svc.metadata.name ?? '', errs);
}

/**
 * initIPFamilyFields for a cluster with one IPv4 range: defaults ipFamilyPolicy (SingleStack; RequireDualStack for
 * a headless Service without selector, as upstream) and ipFamilies, refusing families and policies the cluster
 * cannot serve with upstream's messages.
 */
function initIPFamilies(svc: KubeObject, old: ServiceSpecLike | undefined): void {
  const spec = specOf(svc);
  if (spec.type === 'ExternalName') return;
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (spec.ipFamilyPolicy === undefined) {
    if (old?.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = old.ipFamilyPolicy;
    else spec.ipFamilyPolicy = headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  }
  const related = validateClusterIPFields(spec);
  if (related.length) throw invalid(svc, related);
  const errs: FieldError[] = [];
  const policyErr = (detail: string) =>
    renderedError('FieldValueInvalid', 'spec.ipFamilyPolicy', `"${spec.ipFamilyPolicy}"`, spec.ipFamilyPolicy, detail);
  if (old && spec.ipFamilyPolicy === 'SingleStack') {
    if (semanticEqual(old.clusterIPs, spec.clusterIPs) && (spec.clusterIPs?.length ?? 0) > 1)
      spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
    if (semanticEqual(old.ipFamilies, spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1)
      spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
  }
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (spec.clusterIPs?.length === 2)
      errs.push(policyErr("must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (spec.ipFamilies?.length === 2)
      errs.push(policyErr("must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  const families = [...(spec.ipFamilies ?? [])];
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip === 'None' || i < families.length) return;
    const fam = ip.includes(':') ? 'IPv6' : 'IPv4';
    if (fam !== 'IPv4')
      errs.push(
        renderedError(
          'FieldValueInvalid',
          `spec.clusterIPs[${i}]`,
          goStringSlice(spec.clusterIPs),
          spec.clusterIPs,
          `${fam} is not configured on this cluster`,
        ),
      );
    else families.push(fam);
  });
  if (errs.length) throw invalid(svc, errs);
  spec.ipFamilies = families;
  if (headlessNoSelector) {
    if (spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
    if (spec.ipFamilies.length < 2 && spec.ipFamilyPolicy !== 'SingleStack')
      spec.ipFamilies.push(spec.ipFamilies[0] === 'IPv4' ? 'IPv6' : 'IPv4');
    return;
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack')
    errs.push(policyErr('this cluster is not configured for dual-stack services'));
  spec.ipFamilies.forEach((f, i) => {
    if (f !== 'IPv4') errs.push(fieldErr.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (errs.length) throw invalid(svc, errs);
  if (spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
}

/** What one write reserved, to be undone if the write fails, and what it frees once the write succeeds. */
class Reservation {
  readonly ips: string[] = [];
  readonly ports: number[] = [];
  readonly releaseIPs: string[] = [];
  readonly releasePorts: number[] = [];

  constructor(
    private readonly alloc: ServiceAllocators,
    readonly owner: string,
    readonly dryRun: boolean,
  ) {}

  ip(ip: string | undefined, spec: ServiceSpecLike, svc: KubeObject): string {
    try {
      if (ip) {
        this.alloc.allocateIP(ip, this.owner, this.dryRun);
        if (!this.dryRun) this.ips.push(ip);
        return ip;
      }
      const next = this.alloc.allocateNextIP(this.owner, this.dryRun);
      if (!this.dryRun) this.ips.push(next);
      return next;
    } catch (err) {
      if (!(err instanceof AllocationError)) throw err;
      if (!ip) throw errors.internal(`failed to allocate a serviceIP: ${err.message}`);
      throw invalid(svc, [
        renderedError(
          'FieldValueInvalid',
          'spec.clusterIPs',
          goStringSlice(spec.clusterIPs),
          spec.clusterIPs,
          `failed to allocate IP ${ip}: ${err.message}`,
        ),
      ]);
    }
  }

  port(port: number | undefined, field: string, svc: KubeObject, what = 'a nodePort'): number {
    try {
      if (port) {
        this.alloc.allocatePort(port, this.owner, this.dryRun);
        if (!this.dryRun) this.ports.push(port);
        return port;
      }
      const next = this.alloc.allocateNextPort(this.owner, this.dryRun);
      if (!this.dryRun) this.ports.push(next);
      return next;
    } catch (err) {
      if (!(err instanceof AllocationError)) throw err;
      if (!port) throw errors.internal(`failed to allocate ${what}: ${err.message}`);
      throw invalid(svc, [fieldErr.invalid(field, port, err.message)]);
    }
  }

  // What is released was this write's or this Service's alone: no owner check (a generated name may have changed).
  finish: FinishWrite = (stored) => {
    if (stored && !this.dryRun) {
      for (const ip of this.releaseIPs) this.alloc.releaseIP(ip);
      for (const p of this.releasePorts) this.alloc.releasePort(p);
      return;
    }
    for (const ip of this.ips) this.alloc.releaseIP(ip);
    for (const p of this.ports) this.alloc.releasePort(p);
  };

  /** Undoes what was reserved so far when a later step fails. */
  abort(err: unknown): never {
    this.finish(false);
    throw err;
  }
}

/** Allocates the cluster IP(s) of a Service that needs them and has none (or requested some). */
function allocateClusterIPs(r: Reservation, svc: KubeObject): void {
  const spec = specOf(svc);
  if (spec.type === 'ExternalName') return;
  if (spec.clusterIPs?.[0] === 'None') return;
  const ip = r.ip(spec.clusterIPs?.[0], spec, svc);
  spec.clusterIPs = [ip];
  spec.clusterIP = ip;
}

/** initNodePorts: every port of a NodePort/LoadBalancer Service gets a node port; ports sharing a number share it. */
function allocateNodePorts(r: Reservation, svc: KubeObject, oldPorts: Set<number>): void {
  const spec = specOf(svc);
  const byPort = new Map<number, number>();
  const taken = new Set<number>();
  (spec.ports ?? []).forEach((p, i) => {
    if (!p) return;
    if (!p.nodePort && !shouldAllocateNodePorts(spec)) return;
    const field = `spec.ports[${i}].nodePort`;
    const shared = byPort.get(p.port ?? 0);
    if (p.nodePort) {
      if (shared === p.nodePort || oldPorts.has(p.nodePort) || taken.has(p.nodePort)) {
        byPort.set(p.port ?? 0, p.nodePort);
        return;
      }
      r.port(p.nodePort, field, svc);
      taken.add(p.nodePort);
      byPort.set(p.port ?? 0, p.nodePort);
      return;
    }
    if (shared) {
      p.nodePort = shared;
      return;
    }
    // a later port with the same number may have asked for a specific node port
    const requested = (spec.ports ?? []).find((q) => q && q.port === p.port && q.nodePort)?.nodePort;
    p.nodePort =
      requested && (oldPorts.has(requested) || taken.has(requested)) ? requested : r.port(requested, field, svc);
    taken.add(p.nodePort);
    byPort.set(p.port ?? 0, p.nodePort);
  });
}

function allocateHealthCheckPort(r: Reservation, svc: KubeObject): void {
  const spec = specOf(svc);
  try {
    spec.healthCheckNodePort = r.port(
      spec.healthCheckNodePort || undefined,
      'spec.healthCheckNodePort',
      svc,
      'a HealthCheck NodePort',
    );
  } catch (err) {
    // upstream reports a refused requested health check port as an internal error
    if (spec.healthCheckNodePort)
      throw errors.internal(
        `failed to allocate requested HealthCheck NodePort ${spec.healthCheckNodePort}: ${(err as Error).message.replace(/^.*Invalid value: \d+: /, '')}`,
      );
    throw err;
  }
}

/** Allocation rounds lost to other API servers before a write gives up. */
const MAX_CLAIM_ATTEMPTS = 16;

/**
 * Runs `reserve` (which allocates into `svc.spec` and returns what it reserved); on a store other API servers share,
 * also claims the reserved values there, and when one was taken through another server, starts over from the
 * Service as it came (the local allocator now knows that value is taken).
 */
async function reserveAcrossServers(
  claims: SharedClaims,
  storage: Storage,
  dryRun: boolean,
  svc: KubeObject,
  reserve: () => Reservation,
): Promise<FinishWrite> {
  if (!storage.shared) return reserve().finish;
  await claims.forgetReleased(storage, svc);
  if (dryRun) return reserve().finish;
  const original = structuredClone(svc.spec);
  for (let attempt = 1; ; attempt++) {
    const r = reserve();
    const claimed = await claims.claim(storage, r.ips, r.ports, r.owner).catch((err: unknown) => r.abort(err));
    if (!('conflict' in claimed)) {
      const made = claimed;
      return (stored) => {
        r.finish(stored);
        const [ips, ports] = stored ? [r.releaseIPs, r.releasePorts] : [made.ips, made.ports];
        void claims.release(storage, ips, ports, r.owner);
      };
    }
    r.finish(false);
    claims.markTaken(claimed.conflict);
    if (attempt >= MAX_CLAIM_ATTEMPTS)
      throw errors.internal('failed to allocate a serviceIP or nodePort: every pick was taken by another API server');
    svc.spec = structuredClone(original);
  }
}

/** The Service strategy over one set of allocators. */
export function serviceStrategy(alloc: ServiceAllocators): {
  strategy: ResourceStrategy;
  statusStrategy: ResourceStrategy;
} {
  const claims = new SharedClaims(alloc);
  const strategy: ResourceStrategy = {
    async beginCreate(svc, ctx, storage) {
      await alloc.ensureLoaded(storage);
      return reserveAcrossServers(claims, storage, ctx.dryRun, svc, () => {
        const spec = specOf(svc);
        normalizeClusterIPs(spec, undefined);
        initIPFamilies(svc, undefined);
        const r = new Reservation(alloc, ownerKey(svc), ctx.dryRun);
        try {
          allocateClusterIPs(r, svc);
          if (needsNodePort(spec)) allocateNodePorts(r, svc, new Set());
          if (needsHealthCheck(spec)) allocateHealthCheckPort(r, svc);
        } catch (err) {
          r.abort(err);
        }
        return r;
      });
    },
    prepareForCreate(svc) {
      svc.status = { loadBalancer: {} };
    },
    validate: (svc) => validateService(svc as ServiceLike),
    async beginUpdate(svc, old, ctx, storage) {
      await alloc.ensureLoaded(storage);
      return reserveAcrossServers(claims, storage, ctx.dryRun, svc, () => {
        const spec = specOf(svc);
        const oldSpec = (old.spec ?? {}) as ServiceSpecLike;
        patchAllocatedValues(spec, oldSpec);
        normalizeClusterIPs(spec, oldSpec);
        initIPFamilies(svc, oldSpec);
        const r = new Reservation(alloc, ownerKey(svc), ctx.dryRun);
        try {
          // cluster IPs: allocated when leaving ExternalName, released when becoming one
          if (oldSpec.type === 'ExternalName' && spec.type !== 'ExternalName') allocateClusterIPs(r, svc);
          else if (
            oldSpec.clusterIPs?.[0] !== 'None' &&
            oldSpec.type !== 'ExternalName' &&
            spec.type === 'ExternalName'
          ) {
            r.releaseIPs.push(
              ...(oldSpec.clusterIPs ?? (oldSpec.clusterIP ? [oldSpec.clusterIP] : [])).filter(
                (ip) => ip && ip !== 'None',
              ),
            );
          }
          // node ports
          const oldPorts = new Set((oldSpec.ports ?? []).map((p) => p?.nodePort ?? 0).filter((n) => n > 0));
          if (needsNodePort(spec)) allocateNodePorts(r, svc, oldPorts);
          const newPorts = new Set((spec.ports ?? []).map((p) => p?.nodePort ?? 0).filter((n) => n > 0));
          for (const p of oldPorts) if (!needsNodePort(spec) || !newPorts.has(p)) r.releasePorts.push(p);
          // health check node port
          const had = needsHealthCheck(oldSpec);
          const needs = needsHealthCheck(spec);
          if (!had && needs) allocateHealthCheckPort(r, svc);
          else if (had && !needs && oldSpec.healthCheckNodePort) r.releasePorts.push(oldSpec.healthCheckNodePort);
        } catch (err) {
          r.abort(err);
        }
        return r;
      });
    },
    prepareForUpdate(svc, old) {
      if (old.status === undefined) delete svc.status;
      else svc.status = old.status;
      dropTypeDependentFields(svc as ServiceLike, old as ServiceLike);
    },
    validateUpdate: (svc, old) => validateServiceUpdate(svc as ServiceLike, old as ServiceLike),
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: true,
    async afterDelete(svc, storage) {
      alloc.releaseAll(svc);
      if (storage.shared) {
        const held = heldBy(svc);
        await claims.release(storage, held.ips, held.ports, ownerKey(svc));
      }
      // As kube-apiserver: the Service's Endpoints go with it, so that a new Service of that name never sees them.
      await storage
        .delete(`/registry/services/endpoints/${svc.metadata.namespace}/${svc.metadata.name}`)
        .catch(() => undefined);
    },
  };
  const statusStrategy: ResourceStrategy = {
    prepareForCreate: strategy.prepareForCreate,
    validate: strategy.validate,
    prepareForUpdate(svc, old) {
      if (old.spec === undefined) delete svc.spec;
      else svc.spec = old.spec;
    },
    validateUpdate: (svc, old) => validateServiceStatusUpdate(svc as ServiceLike, old as ServiceLike),
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: false,
  };
  return { strategy, statusStrategy };
}

/** dropTypeDependentFields: what stops applying when the type changes is cleared, unless the update also changed it. */
export function dropTypeDependentFields(svc: ServiceLike, old: ServiceLike): void {
  const spec = specOf(svc);
  const oldSpec = (old.spec ?? {}) as ServiceSpecLike;
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if ((oldSpec.clusterIP ?? '') === (spec.clusterIP ?? '') && semanticEqual(oldSpec.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (oldSpec.ipFamilyPolicy === spec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (semanticEqual(oldSpec.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
  }
  const nodePorts = (s: ServiceSpecLike) => (s.ports ?? []).map((p) => p?.nodePort ?? 0);
  if (needsNodePort(oldSpec) && !needsNodePort(spec) && sameNodePorts(nodePorts(oldSpec), nodePorts(spec))) {
    for (const p of spec.ports ?? []) if (p) delete p.nodePort;
  }
  if (
    needsHealthCheck(oldSpec) &&
    !needsHealthCheck(spec) &&
    (oldSpec.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)
  ) {
    delete spec.healthCheckNodePort;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (
      spec.allocateLoadBalancerNodePorts !== undefined &&
      oldSpec.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts
    ) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (oldSpec.loadBalancerClass === spec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (
    externallyAccessible(oldSpec) &&
    !externallyAccessible(spec) &&
    oldSpec.externalTrafficPolicy === spec.externalTrafficPolicy
  ) {
    delete spec.externalTrafficPolicy;
  }
  if (spec.type !== 'LoadBalancer') {
    svc.status = { ...(svc.status ?? {}), loadBalancer: {} };
  }
}

/** sameNodePorts: the update brings no node port the Service did not have (ports may be removed or reordered). */
function sameNodePorts(old: number[], updated: number[]): boolean {
  const had = new Set(old.filter((n) => n > 0));
  return updated.every((n) => n <= 0 || had.has(n));
}

export { isHeadless };
export type { RequestContext, Storage };
