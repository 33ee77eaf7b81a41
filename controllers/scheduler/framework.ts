/**
 * One scheduling cycle of kube-scheduler's default profile, as pure functions of a pod and a snapshot of the nodes
 * with the pods bound to them. Filters run in the default plugin order and stop at the first that rejects a node
 * (NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit), after NodeAffinity's PreFilter
 * narrowed the nodes for `metadata.name` affinity. Feasible nodes are scored (NodeResourcesFit least-allocated,
 * NodeResourcesBalancedAllocation, TaintToleration's PreferNoSchedule count, NodeAffinity's preferred terms, with
 * upstream's weights and normalization); the best wins, ties going to the first node by name. When nothing fits,
 * the FitError message is upstream's, with DefaultPreemption's dry run appended.
 *
 * Node readiness: the node lifecycle controller taints a node whose Ready condition is False with
 * `node.kubernetes.io/not-ready:NoSchedule`, and one whose Ready is Unknown (or never reported) with
 * `node.kubernetes.io/unreachable:NoSchedule`; this emulator has no such controller, so the snapshot adds those
 * taints to the nodes it reads.
 */
import {
  findUntoleratedTaint,
  matchesNodeAffinity,
  TAINT_NODE_NOT_READY,
  TAINT_NODE_UNREACHABLE,
  TAINT_NODE_UNSCHEDULABLE,
  toleratesTaint,
} from '../daemonset/placement.js';
import {
  addResource,
  cloneResource,
  isScalarResourceName,
  nodeAllocatable,
  podRequests,
  subtractResource,
  type Resource,
} from './resources.js';
import type { Node, NodeSelectorTerm, Pod, Taint } from './types.js';

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;

/** How a filter rejects a node: `Unschedulable` nodes are worth a preemption attempt, the others are not. */
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  code: Code;
  reasons: string[];
  /** The plugin that rejected the node. */
  plugin?: string;
}

/** The reasons of the default plugins, worded as kube-scheduler 1.32 words them. */
export const REASONS = {
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodeAffinityConflict: 'pod affinity terms conflict',
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  untoleratedTaint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
  insufficient: (resource: string) => `Insufficient ${resource}`,
  didNotSatisfy: (plugins: string[]) => `node(s) didn't satisfy plugin(s) [${plugins.join(' ')}]`,
  noNodes: 'no nodes available to schedule pods',
  noVictims: 'No preemption victims found for incoming pod',
  preemptionNotHelpful: 'Preemption is not helpful for scheduling',
  preemptionNever: 'not eligible due to preemptionPolicy=Never.',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// The snapshot

/** One node as the scheduler sees it (framework.NodeInfo). */
export interface NodeInfo {
  name: string;
  node: Node;
  /** The node's taints, with the lifecycle controller's readiness taint when it would have one. */
  taints: Taint[];
  /** Pods bound to the node that have not finished (the scheduler's pod informer skips Succeeded and Failed). */
  pods: Pod[];
  allocatable: Resource;
  /** Sum of the pods' requests. */
  requested: Resource;
  /** Sum of the pods' requests with 100m / 200Mi for containers that request no CPU / memory (for scoring). */
  nonZeroRequested: Resource;
  /** Host ports in use: `ip|protocol|port`. */
  usedPorts: Set<string>;
}

const requestsCache = new WeakMap<Pod, { requests: Resource; nonZero: Resource }>();

/** A pod's requests and non-zero requests, computed once per (immutable, cached) pod object. */
export function requestsOf(pod: Pod): { requests: Resource; nonZero: Resource } {
  let r = requestsCache.get(pod);
  if (!r) {
    r = { requests: podRequests(pod.spec), nonZero: podRequests(pod.spec, true) };
    requestsCache.set(pod, r);
  }
  return r;
}

/** Succeeded and Failed pods hold nothing on their node. */
export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The taints the scheduler sees on a node: its own, then the readiness taint the lifecycle controller would add. */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = (node.status?.conditions ?? []).find((c) => c.type === 'Ready');
  const key =
    ready?.status === 'True' ? undefined : ready?.status === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE;
  if (key && !taints.some((t) => t.key === key && t.effect === 'NoSchedule'))
    taints.push({ key, effect: 'NoSchedule' });
  return taints;
}

/** The host ports a pod binds: its containers' and sidecars' ports with a hostPort. */
export function hostPortsOf(pod: Pod): Array<{ ip: string; protocol: string; port: number }> {
  const out: Array<{ ip: string; protocol: string; port: number }> = [];
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function newNodeInfo(node: Node): NodeInfo {
  return {
    name: node.metadata.name ?? '',
    node,
    taints: effectiveTaints(node),
    pods: [],
    allocatable: nodeAllocatable(node),
    requested: { milliCPU: 0n, memory: 0n, ephemeralStorage: 0n, allowedPodNumber: 0n, scalar: new Map() },
    nonZeroRequested: { milliCPU: 0n, memory: 0n, ephemeralStorage: 0n, allowedPodNumber: 0n, scalar: new Map() },
    usedPorts: new Set(),
  };
}

/** NodeInfo.AddPod. */
export function addPod(info: NodeInfo, pod: Pod): void {
  const { requests, nonZero } = requestsOf(pod);
  info.pods.push(pod);
  addResource(info.requested, requests);
  addResource(info.nonZeroRequested, nonZero);
  for (const p of hostPortsOf(pod)) info.usedPorts.add(`${p.ip}|${p.protocol}|${p.port}`);
}

/** A copy of the node without some of its pods (preemption's dry run). */
function withoutPods(info: NodeInfo, remove: Set<Pod>): NodeInfo {
  const copy: NodeInfo = {
    ...info,
    pods: [],
    requested: cloneResource(info.requested),
    nonZeroRequested: cloneResource(info.nonZeroRequested),
    usedPorts: new Set(),
  };
  for (const pod of info.pods) {
    if (remove.has(pod)) {
      subtractResource(copy.requested, requestsOf(pod).requests);
      subtractResource(copy.nonZeroRequested, requestsOf(pod).nonZero);
      continue;
    }
    copy.pods.push(pod);
    for (const p of hostPortsOf(pod)) copy.usedPorts.add(`${p.ip}|${p.protocol}|${p.port}`);
  }
  return copy;
}

/** The snapshot: every node with the unfinished pods bound to it, by node name. */
export function buildSnapshot(nodes: readonly Node[], pods: Iterable<Pod>): NodeInfo[] {
  const byName = new Map<string, NodeInfo>();
  for (const n of nodes) byName.set(n.metadata.name ?? '', newNodeInfo(n));
  for (const p of pods) {
    const name = p.spec?.nodeName;
    if (!name || isTerminal(p)) continue;
    const info = byName.get(name);
    if (info) addPod(info, p);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------------------------
// PreFilter and Filter

/**
 * NodeAffinity's PreFilter: when every required term pins `metadata.name` (In), only the union of those names can
 * fit. Undefined means every node; an empty set is a conflict (no term can be satisfied).
 */
export function preFilterNodeNames(pod: Pod): Set<string> | undefined {
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms as NodeSelectorTerm[]) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set(r.values ?? []);
      termNames = termNames === undefined ? s : new Set([...termNames].filter((n) => s.has(n)));
    }
    if (termNames === undefined) return undefined; // a term without a name pin: any node may match it
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names;
}

type Filter = { name: string; run(pod: Pod, info: NodeInfo): Status | undefined };

const unschedulableTaint: Taint = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' };
const doNotSchedule = (t: Taint) => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

/** The default profile's filters, in order. */
export const FILTERS: readonly Filter[] = [
  {
    name: 'NodeUnschedulable',
    run(pod, info) {
      if (!info.node.spec?.unschedulable) return undefined;
      if ((pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, unschedulableTaint))) return undefined;
      return { code: 'UnschedulableAndUnresolvable', reasons: [REASONS.unschedulable] };
    },
  },
  {
    name: 'TaintToleration',
    run(pod, info) {
      const taint = findUntoleratedTaint(info.taints, pod.spec?.tolerations, doNotSchedule);
      return taint ? { code: 'UnschedulableAndUnresolvable', reasons: [REASONS.untoleratedTaint(taint)] } : undefined;
    },
  },
  {
    name: 'NodeAffinity',
    run(pod, info) {
      return matchesNodeAffinity(pod.spec ?? {}, info.node)
        ? undefined
        : { code: 'UnschedulableAndUnresolvable', reasons: [REASONS.nodeAffinity] };
    },
  },
  {
    name: 'NodePorts',
    run(pod, info) {
      for (const p of hostPortsOf(pod))
        if (portConflict(info.usedPorts, p)) return { code: 'Unschedulable', reasons: [REASONS.nodePorts] };
      return undefined;
    },
  },
  {
    name: 'NodeResourcesFit',
    run(pod, info) {
      const reasons = insufficientResources(pod, info);
      return reasons.length > 0 ? { code: 'Unschedulable', reasons } : undefined;
    },
  },
];

/** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with the same protocol and port on any address. */
function portConflict(used: Set<string>, p: { ip: string; protocol: string; port: number }): boolean {
  if (p.ip === '0.0.0.0') {
    for (const u of used) if (u.endsWith(`|${p.protocol}|${p.port}`)) return true;
    return false;
  }
  return used.has(`0.0.0.0|${p.protocol}|${p.port}`) || used.has(`${p.ip}|${p.protocol}|${p.port}`);
}

/** fitsRequest: the pod count, then cpu, memory, ephemeral-storage, then the scalar resources by name. */
export function insufficientResources(pod: Pod, info: NodeInfo): string[] {
  const reasons: string[] = [];
  if (BigInt(info.pods.length + 1) > info.allocatable.allowedPodNumber) reasons.push(REASONS.tooManyPods);
  const req = requestsOf(pod).requests;
  const free = (alloc: bigint, used: bigint) => alloc - used;
  if (req.milliCPU > 0n && req.milliCPU > free(info.allocatable.milliCPU, info.requested.milliCPU))
    reasons.push(REASONS.insufficient('cpu'));
  if (req.memory > 0n && req.memory > free(info.allocatable.memory, info.requested.memory))
    reasons.push(REASONS.insufficient('memory'));
  if (
    req.ephemeralStorage > 0n &&
    req.ephemeralStorage > free(info.allocatable.ephemeralStorage, info.requested.ephemeralStorage)
  ) {
    reasons.push(REASONS.insufficient('ephemeral-storage'));
  }
  for (const name of [...req.scalar.keys()].sort()) {
    const q = req.scalar.get(name)!;
    if (q === 0n || !isScalarResourceName(name)) continue;
    if (q > free(info.allocatable.scalar.get(name) ?? 0n, info.requested.scalar.get(name) ?? 0n))
      reasons.push(REASONS.insufficient(name));
  }
  return reasons;
}

/** RunFilterPlugins: the status of the first filter that rejects the node, or undefined when the pod fits. */
export function filterNode(pod: Pod, info: NodeInfo): Status | undefined {
  for (const f of FILTERS) {
    const s = f.run(pod, info);
    if (s) return { ...s, plugin: f.name };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Score

function leastRequestedScore(requested: bigint, capacity: bigint): number {
  if (capacity === 0n || requested > capacity) return 0;
  return Number(((capacity - requested) * BigInt(MAX_NODE_SCORE)) / capacity);
}

/** NodeResourcesFit with the LeastAllocated strategy over cpu and memory (weight 1 each), on non-zero requests. */
export function leastAllocatedScore(pod: Pod, info: NodeInfo): number {
  const req = requestsOf(pod).nonZero;
  const cpu = leastRequestedScore(info.nonZeroRequested.milliCPU + req.milliCPU, info.allocatable.milliCPU);
  const mem = leastRequestedScore(info.nonZeroRequested.memory + req.memory, info.allocatable.memory);
  return Math.trunc((cpu + mem) / 2);
}

/**
 * NodeResourcesBalancedAllocation: 100 × (1 − the standard deviation of the cpu and memory fractions the node would
 * have in use). Pods that request neither are not scored by it (undefined).
 */
export function balancedAllocationScore(pod: Pod, info: NodeInfo): number | undefined {
  const req = requestsOf(pod).requests;
  if (req.milliCPU === 0n && req.memory === 0n) return undefined;
  const fractions: number[] = [];
  for (const [used, alloc] of [
    [info.requested.milliCPU + req.milliCPU, info.allocatable.milliCPU],
    [info.requested.memory + req.memory, info.allocatable.memory],
  ] as const) {
    if (alloc === 0n) continue;
    fractions.push(Math.min(1, Number(used) / Number(alloc)));
  }
  const std = fractions.length === 2 ? Math.abs((fractions[0]! - fractions[1]!) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** TaintToleration's raw score: the node's PreferNoSchedule taints the pod does not tolerate. */
function intolerablePreferNoSchedule(pod: Pod, info: NodeInfo): number {
  const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return (info.node.spec?.taints ?? []).filter(
    (t) => t.effect === 'PreferNoSchedule' && !tolerations.some((tol) => toleratesTaint(tol, t)),
  ).length;
}

/** NodeAffinity's raw score: the summed weights of the preferred terms the node matches. */
function preferredAffinityWeight(pod: Pod, info: NodeInfo): number {
  let sum = 0;
  for (const term of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (!term.weight) continue;
    const pref = term.preference ?? {};
    // An empty preference matches nothing (NodeSelectorTerm with no requirements).
    if ((pref.matchExpressions ?? []).length === 0 && (pref.matchFields ?? []).length === 0) continue;
    if (
      matchesNodeAffinity(
        {
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [pref] } } },
        },
        info.node,
      )
    )
      sum += term.weight;
  }
  return sum;
}

/** helper.DefaultNormalizeScore: scale to 0..100 by the highest score, reversed when asked. */
function normalize(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return scores.map((s) => {
    const n = Math.trunc((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - n : n;
  });
}

/** The weighted sum of the default score plugins for each feasible node, in the order given. */
export function scoreNodes(pod: Pod, infos: readonly NodeInfo[]): number[] {
  const fit = infos.map((i) => leastAllocatedScore(pod, i));
  const balanced = infos.map((i) => balancedAllocationScore(pod, i) ?? 0);
  const taints = normalize(
    infos.map((i) => intolerablePreferNoSchedule(pod, i)),
    true,
  );
  const affinity = normalize(
    infos.map((i) => preferredAffinityWeight(pod, i)),
    false,
  );
  return infos.map((_, k) => fit[k]! * 1 + balanced[k]! * 1 + taints[k]! * 3 + affinity[k]! * 2);
}

// ---------------------------------------------------------------------------------------------------------------
// FitError and the preemption dry run

/** framework.Diagnosis, as far as the message needs it. */
export interface Diagnosis {
  numAllNodes: number;
  /** Statuses of the nodes that were filtered out, by name. */
  nodeToStatus: Map<string, Status>;
  /** The status of every node not in the map (PreFilter narrowed or rejected them). */
  absent?: Status;
  preFilterMsg?: string;
  postFilterMsg?: string;
}

/**
 * FitError.Error(): `0/N nodes are available: ` then the PreFilter message, or the histogram of every rejected
 * node's reasons (`<count> <reason>` sorted as strings, joined by `, `), each closed by a period; then the
 * PostFilter (preemption) message after a space.
 */
export function fitErrorMessage(d: Diagnosis): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of d.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = d.numAllNodes - d.nodeToStatus.size;
    if (absent > 0) for (const r of d.absent?.reasons ?? []) counts.set(r, (counts.get(r) ?? 0) + absent);
    const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort(goStringCompare);
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings: byte-wise (UTF-16 code units agree for the ASCII these messages use). */
function goStringCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function priorityOf(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/**
 * DefaultPreemption's PostFilter, as a dry run: nodes rejected with `Unschedulable` are candidates; on each, every
 * pod of lower priority is removed and the filters run again. Undefined when some node would fit (upstream would
 * then preempt and nominate it; this scheduler does not preempt, and upstream's message has no preemption part in
 * that case); otherwise the `preemption: ...` message.
 */
export function preemptionMessage(pod: Pod, snapshot: readonly NodeInfo[], d: Diagnosis): string | undefined {
  if (pod.spec?.preemptionPolicy === 'Never') return `preemption: ${REASONS.preemptionNever}`;
  const statusOf = (name: string) => d.nodeToStatus.get(name) ?? d.absent;
  const potential = snapshot.filter((i) => statusOf(i.name)?.code === 'Unschedulable');
  const result: Diagnosis = {
    numAllNodes: snapshot.length,
    nodeToStatus: new Map(),
    absent: { code: 'UnschedulableAndUnresolvable', reasons: [REASONS.preemptionNotHelpful] },
  };
  const priority = priorityOf(pod);
  for (const info of potential) {
    const victims = new Set(info.pods.filter((p) => priorityOf(p) < priority));
    if (victims.size === 0) {
      result.nodeToStatus.set(info.name, { code: 'UnschedulableAndUnresolvable', reasons: [REASONS.noVictims] });
      continue;
    }
    const status = filterNode(pod, withoutPods(info, victims));
    if (!status) return undefined; // preemption would make room here
    result.nodeToStatus.set(info.name, status);
  }
  return `preemption: ${fitErrorMessage(result)}`;
}

/** What one scheduling attempt decided. */
export type ScheduleResult =
  | { kind: 'Scheduled'; node: string; feasible: number }
  | { kind: 'Unschedulable'; message: string; rejectedBy: Set<string> };

/**
 * schedulePod: PreFilter, Filter over every node (all of them are evaluated: percentageOfNodesToScore only
 * matters from hundreds of nodes on), Score, select the host; or the FitError message when nothing fits.
 */
export function schedulePod(pod: Pod, snapshot: readonly NodeInfo[]): ScheduleResult {
  if (snapshot.length === 0) return { kind: 'Unschedulable', message: REASONS.noNodes, rejectedBy: new Set() };
  const d: Diagnosis = { numAllNodes: snapshot.length, nodeToStatus: new Map() };
  const rejectedBy = new Set<string>();
  let candidates = snapshot;
  const names = preFilterNodeNames(pod);
  if (names !== undefined && names.size === 0) {
    d.preFilterMsg = REASONS.nodeAffinityConflict;
    d.absent = {
      code: 'UnschedulableAndUnresolvable',
      reasons: [REASONS.nodeAffinityConflict],
      plugin: 'NodeAffinity',
    };
    rejectedBy.add('NodeAffinity');
  } else {
    if (names !== undefined) {
      candidates = snapshot.filter((i) => names.has(i.name));
      d.absent = {
        code: 'UnschedulableAndUnresolvable',
        reasons: [REASONS.didNotSatisfy(['NodeAffinity'])],
        plugin: 'NodeAffinity',
      };
      if (candidates.length < snapshot.length) rejectedBy.add('NodeAffinity');
    }
    const feasible: NodeInfo[] = [];
    for (const info of candidates) {
      const status = filterNode(pod, info);
      if (!status) feasible.push(info);
      else {
        d.nodeToStatus.set(info.name, status);
        rejectedBy.add(status.plugin!);
      }
    }
    if (feasible.length > 0) {
      const scores = scoreNodes(pod, feasible);
      let best = 0;
      for (let k = 1; k < feasible.length; k++) if (scores[k]! > scores[best]!) best = k;
      return { kind: 'Scheduled', node: feasible[best]!.name, feasible: feasible.length };
    }
  }
  d.postFilterMsg = preemptionMessage(pod, snapshot, d);
  return { kind: 'Unschedulable', message: fitErrorMessage(d), rejectedBy };
}
