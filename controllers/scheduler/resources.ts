/**
 * Compute resources as kube-scheduler accounts them (framework.Resource, component-helpers' PodRequests): a pod's
 * requests are the sum of its containers' plus its sidecars', at least the largest an init container needs while it
 * runs, plus the pod overhead; a node offers `status.allocatable`. CPU is counted in millicores, the rest in units.
 */
import { quantityMilliValue, quantityValue } from './quantity.js';
import type { Container, Node, PodSpec, ResourceList } from './types.js';

/** framework.Resource. */
export interface Resource {
  milliCPU: bigint;
  memory: bigint;
  ephemeralStorage: bigint;
  /** Only meaningful for a node's allocatable: how many pods it takes. */
  allowedPodNumber: bigint;
  /** Extended resources, hugepages, attachable volumes... by name. */
  scalar: Map<string, bigint>;
}

/** The CPU a container without a CPU request is counted for when spreading (schedutil.DefaultMilliCPURequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100n;
/** The memory a container without a memory request is counted for when spreading (200 MiB). */
export const DEFAULT_MEMORY_REQUEST = 200n * 1024n * 1024n;

export function emptyResource(): Resource {
  return { milliCPU: 0n, memory: 0n, ephemeralStorage: 0n, allowedPodNumber: 0n, scalar: new Map() };
}

export function cloneResource(r: Resource): Resource {
  return { ...r, scalar: new Map(r.scalar) };
}

/** IsPrefixedNativeResource: a name in the kubernetes.io namespace. */
function isPrefixedNative(name: string): boolean {
  return name.includes('kubernetes.io/');
}

const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** IsExtendedResourceName: a domain-prefixed name outside kubernetes.io (`example.com/foo`). */
export function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || isPrefixedNative(name) || name.startsWith('requests.')) return false;
  const slash = name.indexOf('/');
  return QUALIFIED_NAME.test(name) && slash <= 253 && name.length - slash - 1 <= 63;
}

/** IsScalarResourceName: the resources counted by name beyond cpu, memory, ephemeral-storage and pods. */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    name.startsWith('hugepages-') ||
    isPrefixedNative(name) ||
    name.startsWith('attachable-volumes-')
  );
}

/** Resource.Add: adds a ResourceList into `r` (unknown native names are ignored, as upstream). */
export function addList(r: Resource, list: ResourceList | undefined): void {
  for (const [name, q] of Object.entries(list ?? {})) {
    switch (name) {
      case 'cpu':
        r.milliCPU += quantityMilliValue(q);
        break;
      case 'memory':
        r.memory += quantityValue(q);
        break;
      case 'pods':
        r.allowedPodNumber += quantityValue(q);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage += quantityValue(q);
        break;
      default:
        if (isScalarResourceName(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0n) + quantityValue(q));
    }
  }
}

export function addResource(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  into.allowedPodNumber += r.allowedPodNumber;
  for (const [k, v] of r.scalar) into.scalar.set(k, (into.scalar.get(k) ?? 0n) + v);
}

export function subtractResource(from: Resource, r: Resource): void {
  from.milliCPU -= r.milliCPU;
  from.memory -= r.memory;
  from.ephemeralStorage -= r.ephemeralStorage;
  from.allowedPodNumber -= r.allowedPodNumber;
  for (const [k, v] of r.scalar) from.scalar.set(k, (from.scalar.get(k) ?? 0n) - v);
}

function maxResource(into: Resource, r: Resource): void {
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  into.milliCPU = max(into.milliCPU, r.milliCPU);
  into.memory = max(into.memory, r.memory);
  into.ephemeralStorage = max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of r.scalar) into.scalar.set(k, max(into.scalar.get(k) ?? 0n, v));
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = emptyResource();
  const requests = c.resources?.requests ?? {};
  addList(r, requests);
  if (nonZero) {
    // Only a request that is missing is replaced, an explicit 0 stays 0 (NonMissingContainerRequests).
    if (!('cpu' in requests)) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!('memory' in requests)) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * PodRequests: the sum over containers; sidecars (init containers with `restartPolicy: Always`) add to it and to
 * what every later init container runs beside; the result is at least the largest of those init phases; then the
 * overhead. With `nonZero`, a container that names no CPU or memory request counts as 100m / 200Mi (used for
 * spreading, never for fitting).
 */
export function podRequests(spec: PodSpec | undefined, nonZero = false): Resource {
  const reqs = emptyResource();
  for (const c of spec?.containers ?? []) addResource(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResource();
  const initPeak = emptyResource();
  for (const c of spec?.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    let phase: Resource;
    if (c.restartPolicy === 'Always') {
      addResource(reqs, own);
      addResource(sidecars, own);
      phase = sidecars;
    } else {
      phase = cloneResource(own);
      addResource(phase, sidecars);
    }
    maxResource(initPeak, phase);
  }
  maxResource(reqs, initPeak);
  if (spec?.overhead) addList(reqs, spec.overhead);
  return reqs;
}

/** A node's allocatable resources (`status.allocatable`; a node that reports none offers nothing). */
export function nodeAllocatable(node: Node): Resource {
  const r = emptyResource();
  addList(r, node.status?.allocatable);
  return r;
}
