/**
 * The pod printer: READY, STATUS and RESTARTS are derived from container statuses with the same precedence
 * kube-apiserver's `printPod` uses (init containers first, then app containers scanned last to first).
 */
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { humanDuration, parseTimestamp, translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer, TableRowCondition } from '../../../printers/types.js';

interface ContainerStateLike {
  waiting?: { reason?: string } | null;
  running?: Record<string, unknown> | null;
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string | null } | null;
}

/** A `status.containerStatuses[]` / `initContainerStatuses[]` entry. */
export interface ContainerStatusLike {
  name?: string;
  ready?: boolean;
  started?: boolean | null;
  restartCount?: number;
  state?: ContainerStateLike | null;
  lastState?: ContainerStateLike | null;
}

/** The pod fields the printer reads. */
export interface PodLike extends KubeObjectLike {
  spec?: {
    nodeName?: string;
    containers?: Array<{ name?: string }> | null;
    initContainers?: Array<{ name?: string; restartPolicy?: string | null }> | null;
    readinessGates?: Array<{ conditionType?: string }> | null;
  };
  status?: {
    phase?: string;
    reason?: string;
    nominatedNodeName?: string;
    podIPs?: Array<{ ip?: string }> | null;
    conditions?: Array<{ type?: string; status?: string; reason?: string }> | null;
    containerStatuses?: ContainerStatusLike[] | null;
    initContainerStatuses?: ContainerStatusLike[] | null;
  };
}

type Conditions = NonNullable<NonNullable<PodLike['status']>['conditions']>;

function conditionTrue(conditions: Conditions, type: string): boolean {
  const c = conditions.find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

/** `Signal:N` / `ExitCode:N` for a terminated state without a reason. */
function exitText(t: NonNullable<ContainerStateLike['terminated']>): string {
  return t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode ?? 0}`;
}

/** Latest `lastState.terminated.finishedAt` seen so far (milliseconds), keeping `current` when not later. */
function laterRestart(current: number | undefined, c: ContainerStatusLike): number | undefined {
  const finished = parseTimestamp(c.lastState?.terminated?.finishedAt);
  if (finished === undefined) return current;
  return current === undefined || finished > current ? finished : current;
}

/** READY, STATUS and RESTARTS cells of a pod. */
export function podSummary(pod: PodLike, now: Date): { ready: string; status: string; restarts: string } {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const conditions = status.conditions ?? [];
  const initSpecs = spec.initContainers ?? [];
  const phase = status.phase ?? '';
  let reason = status.reason ? status.reason : phase;
  if (conditions.some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  // Restartable init containers ("sidecars") keep running next to the app containers and count in READY.
  const sidecarSpecs = initSpecs.filter((c) => c.restartPolicy === 'Always');
  const sidecars = new Set(sidecarSpecs.map((c) => c.name));
  const total = (spec.containers ?? []).length + sidecarSpecs.length;
  let ready = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const isSidecar = sidecars.has(c.name);
    restarts += c.restartCount ?? 0;
    lastRestart = laterRestart(lastRestart, c);
    if (isSidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = laterRestart(lastSidecarRestart, c);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason ? `Init:${terminated.reason}` : `Init:${exitText(terminated)}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = laterRestart(lastRestart, c);
      const terminated = c.state?.terminated;
      if (c.state?.waiting?.reason) {
        reason = c.state.waiting.reason;
      } else if (terminated) {
        reason = terminated.reason ? terminated.reason : exitText(terminated);
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A "Completed" container next to a still-running one: the pod as a whole is not completed.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp) {
    if (status.reason === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsText = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}

/** `<true>/<total>` over `spec.readinessGates` (first matching condition decides), `<none>` without gates. */
function readinessGates(pod: PodLike): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  const conditions = pod.status?.conditions ?? [];
  const satisfied = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True');
  return `${satisfied.length}/${gates.length}`;
}

const COMPLETED_SUCCEEDED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const COMPLETED_FAILED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

/** Pods: Name, Ready, Status, Restarts, Age, then wide IP, Node, Nominated Node, Readiness Gates. */
export const podPrinter: Printer<PodLike> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn(),
    column(
      'IP',
      'string',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    column(
      'Node',
      'string',
      'NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by ' +
        'the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes ' +
        'responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod ' +
        'to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename',
      1,
    ),
    column(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled ' +
        'right away as preemption victims receive their graceful termination periods. This field does not guarantee ' +
        'that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes ' +
        'become available sooner. Scheduler may also decide to give the resources on this node to a higher priority ' +
        'pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when ' +
        'the pod is scheduled.',
      1,
    ),
    column(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its ' +
        'containers are ready AND all conditions specified in the readiness gates have status equal to "True" ' +
        'More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
      1,
    ),
  ],
  cells(pod, now) {
    const { ready, status, restarts } = podSummary(pod, now);
    return [
      pod.metadata?.name ?? '',
      ready,
      status,
      restarts,
      translateTimestampSince(pod.metadata?.creationTimestamp, now),
      pod.status?.podIPs?.[0]?.ip || '<none>',
      pod.spec?.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
  conditions(pod) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') return COMPLETED_SUCCEEDED;
    if (phase === 'Failed') return COMPLETED_FAILED;
    return undefined;
  },
};
