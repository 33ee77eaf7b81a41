/**
 * The node status a simulated kubelet posts (pkg/kubelet/nodestatus setters, simplified): the four
 * conditions with their kubelet reasons, capacity and allocatable, addresses, nodeInfo and the kubelet
 * endpoint; plus what the kubelet sets once on registration (default labels, pod CIDR when unset).
 * Values the node already has are kept (a user-made node may state its capacity); only missing ones are filled.
 */
import { MAX_PODS } from './ids.js';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../apimachinery/objects.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { hexDigest, uuidFrom } from './ids.js';

type Json = Record<string, unknown>;

/** The parts of a core/v1 Node the kubelet reads. */
export interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean; [key: string]: unknown };
  status?: Json;
}

/** The kubelet version every simulated node reports. */
export const KUBELET_VERSION = 'v1.32.0';

/** Capacity of a simulated node: 4 CPUs, 16 GiB, 100 GiB of disk, 110 pods. */
export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = Object.freeze({
  cpu: '4',
  'ephemeral-storage': '102350Mi',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16374584Ki',
  pods: String(MAX_PODS),
});

/** Allocatable of a simulated node: capacity minus the default eviction thresholds (100Mi memory, 10% disk). */
export const DEFAULT_ALLOCATABLE: Readonly<Record<string, string>> = Object.freeze({
  cpu: '4',
  'ephemeral-storage': '92115Mi',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16272184Ki',
  pods: String(MAX_PODS),
});

/** The kubelet's node conditions, in upstream's order, with the reasons and messages of a healthy node. */
export const NODE_CONDITIONS = [
  {
    type: 'MemoryPressure',
    status: 'False',
    reason: 'KubeletHasSufficientMemory',
    message: 'kubelet has sufficient memory available',
  },
  {
    type: 'DiskPressure',
    status: 'False',
    reason: 'KubeletHasNoDiskPressure',
    message: 'kubelet has no disk pressure',
  },
  {
    type: 'PIDPressure',
    status: 'False',
    reason: 'KubeletHasSufficientPID',
    message: 'kubelet has sufficient PID available',
  },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
] as const;

/** The kubelet's port, reported as `daemonEndpoints.kubeletEndpoint.Port` when no kubelet server runs. */
export const KUBELET_PORT = 10250;

/**
 * Where the node's kubelet serves (log-server.ts): its port goes to `daemonEndpoints.kubeletEndpoint.Port`, and its
 * address to an `InternalDNS` entry of `status.addresses`, the address type the API server looks at first for a
 * simulated node (its InternalIP is the simulated one pods report as hostIP; nothing listens there).
 */
export interface KubeletEndpoint {
  address: string;
  port: number;
}

/** The keys of nodeInfoFor's answer. */
export const NODE_INFO_KEYS = [
  'machineID',
  'systemUUID',
  'bootID',
  'kernelVersion',
  'osImage',
  'containerRuntimeVersion',
  'kubeletVersion',
  'kubeProxyVersion',
  'operatingSystem',
  'architecture',
] as const;

/** nodeInfo of a simulated node; machine, system and boot IDs are derived from the node's uid. */
export function nodeInfoFor(node: Node): Record<string, string> {
  const seed = node.metadata.uid ?? node.metadata.name ?? '';
  return {
    machineID: hexDigest(`machine:${seed}`).slice(0, 32),
    systemUUID: uuidFrom(`system:${seed}`),
    bootID: uuidFrom(`boot:${seed}`),
    kernelVersion: '6.8.0-1015-gcp',
    osImage: 'Ubuntu 24.04.1 LTS',
    containerRuntimeVersion: 'containerd://1.7.24',
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: 'linux',
    architecture: 'amd64',
  };
}

/** Labels a kubelet puts on its node when it registers. */
export function defaultNodeLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

/**
 * The merge patch of what registration sets on the node object itself: missing default labels and, when
 * the node has none, `spec.podCIDR(s)` = `podCIDR`. Undefined when nothing is missing.
 */
export function registrationPatch(node: Node, podCIDR: string | undefined): Json | undefined {
  const patch: Json = {};
  const labels = node.metadata.labels ?? {};
  const missing = Object.entries(defaultNodeLabels(node.metadata.name ?? '')).filter(([k]) => labels[k] === undefined);
  if (missing.length) patch.metadata = { labels: Object.fromEntries(missing) };
  if (podCIDR && !node.spec?.podCIDR && !(node.spec?.podCIDRs ?? []).length)
    patch.spec = { podCIDR, podCIDRs: [podCIDR] };
  return Object.keys(patch).length ? patch : undefined;
}

/** The InternalIP a node's status already reports, if any. */
export function internalIPOf(node: Node): string | undefined {
  const addrs = Array.isArray(node.status?.addresses) ? (node.status!.addresses as Json[]) : [];
  const a = addrs.find((x) => x.type === 'InternalIP' && typeof x.address === 'string' && x.address);
  return a ? (a.address as string) : undefined;
}

/** When the node's Ready condition was last heartbeated (ms), if ever. */
export function lastHeartbeat(node: Node): number | undefined {
  const conds = Array.isArray(node.status?.conditions) ? (node.status!.conditions as Json[]) : [];
  const ready = conds.find((c) => c.type === 'Ready');
  const t = typeof ready?.lastHeartbeatTime === 'string' ? Date.parse(ready.lastHeartbeatTime) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

function fillMissing(current: unknown, defaults: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {
    ...((current && typeof current === 'object' ? current : {}) as Record<string, string>),
  };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  return out;
}

/** The result of computing a node's status. */
export interface NodeStatusPlan {
  /** The status to write, when it differs from the node's. */
  status?: Json;
  /** Whether the Ready condition became True with this write (a NodeReady event). */
  becameReady: boolean;
}

/**
 * The status the kubelet posts at `now`. Conditions keep their lastTransitionTime while their status holds;
 * lastHeartbeatTime moves only when something else changes or `heartbeatDue` (so a quiet node is written once
 * per report interval, not on every look).
 */
export function planNodeStatus(
  node: Node,
  internalIP: string,
  now: number,
  heartbeatDue: boolean,
  endpoint?: KubeletEndpoint,
): NodeStatusPlan {
  const old = (node.status ?? {}) as Json;
  const status: Json = { ...old };
  const capacity = fillMissing(old.capacity, DEFAULT_CAPACITY);
  const givenCapacity = (old.capacity && typeof old.capacity === 'object' ? old.capacity : {}) as Record<
    string,
    string
  >;
  // Allocatable defaults to the node's own capacity for resources the node stated, ours for the others.
  const allocDefaults: Record<string, string> = { ...DEFAULT_ALLOCATABLE };
  for (const [k, v] of Object.entries(givenCapacity)) allocDefaults[k] = v;
  status.capacity = capacity;
  status.allocatable = fillMissing(old.allocatable, allocDefaults);

  const addresses = Array.isArray(old.addresses) ? [...(old.addresses as Json[])] : [];
  if (!addresses.some((a) => a.type === 'InternalIP')) addresses.unshift({ type: 'InternalIP', address: internalIP });
  if (!addresses.some((a) => a.type === 'Hostname'))
    addresses.push({ type: 'Hostname', address: node.metadata.name ?? '' });
  if (endpoint) {
    // The kubelet's own address replaces any InternalDNS entry; it goes before the Hostname, as kubelets order them.
    const rest = addresses.filter((a) => a.type !== 'InternalDNS');
    const at = rest.findIndex((a) => a.type === 'Hostname');
    rest.splice(at < 0 ? rest.length : at, 0, { type: 'InternalDNS', address: endpoint.address });
    addresses.splice(0, addresses.length, ...rest);
  }
  status.addresses = addresses;

  const info = {
    ...((old.nodeInfo && typeof old.nodeInfo === 'object' ? old.nodeInfo : {}) as Record<string, string>),
  };
  // The derived IDs hash the uid: computed only for a node whose nodeInfo lacks some (at registration).
  if (NODE_INFO_KEYS.some((k) => !info[k]))
    for (const [k, v] of Object.entries(nodeInfoFor(node))) if (!info[k]) info[k] = v;
  status.nodeInfo = info;

  const port = ((old.daemonEndpoints as Json | undefined)?.kubeletEndpoint as Json | undefined)?.Port;
  if (endpoint ? port !== endpoint.port : !port)
    status.daemonEndpoints = { kubeletEndpoint: { Port: endpoint?.port ?? KUBELET_PORT } };

  const oldConds = Array.isArray(old.conditions) ? (old.conditions as Json[]) : [];
  const stamp = rfc3339(now);
  let condsChanged = false;
  let becameReady = false;
  const conds: Json[] = NODE_CONDITIONS.map((want) => {
    const prev = oldConds.find((c) => c.type === want.type);
    const same = prev && prev.status === want.status && prev.reason === want.reason && prev.message === want.message;
    if (!same) condsChanged = true;
    if (want.type === 'Ready' && prev?.status !== 'True') becameReady = true;
    const transition =
      prev && prev.status === want.status && typeof prev.lastTransitionTime === 'string'
        ? prev.lastTransitionTime
        : stamp;
    return {
      ...want,
      lastHeartbeatTime: (prev?.lastHeartbeatTime as string | undefined) ?? stamp,
      lastTransitionTime: transition,
    };
  });
  // Conditions someone else added (other types) are kept after the kubelet's own.
  for (const c of oldConds) if (!NODE_CONDITIONS.some((w) => w.type === c.type)) conds.push(c);
  status.conditions = conds;

  const changed =
    condsChanged || !isDeepStrictEqual({ ...status, conditions: undefined }, { ...old, conditions: undefined });
  if (!changed && !heartbeatDue) return { becameReady: false };
  for (const c of conds) if (NODE_CONDITIONS.some((w) => w.type === c.type)) c.lastHeartbeatTime = stamp;
  return { status, becameReady };
}
