/**
 * Printers for core/v1 resources (pods live in `pod.ts` and are re-exported here): nodes, namespaces,
 * events, and the generic Name/Age printer used for every resource without a dedicated one.
 */
import { ageColumn, column, nameColumn, NAME_DESCRIPTION } from './columns.js';
import { parseTimestamp, translateTimestampSince } from './duration.js';
import type { KubeObjectLike, Printer } from './types.js';

export { podPrinter, podSummary } from './pod.js';
export type { PodLike, ContainerStatusLike } from './pod.js';

/** The node fields the printer reads. */
export interface NodeLike extends KubeObjectLike {
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: Array<{ type?: string; status?: string }> | null;
    addresses?: Array<{ type?: string; address?: string }> | null;
    nodeInfo?: {
      kubeletVersion?: string;
      osImage?: string;
      kernelVersion?: string;
      containerRuntimeVersion?: string;
    };
  };
}

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/**
 * Node roles: the suffix of every `node-role.kubernetes.io/<role>` label (non-empty suffix) and the value of
 * `kubernetes.io/role` (when non-empty), de-duplicated and sorted.
 */
export function nodeRoles(node: NodeLike): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(ROLE_LABEL_PREFIX)) {
      const role = key.slice(ROLE_LABEL_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (key === ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort();
}

/** `Ready` / `NotReady` from the (last) Ready condition, `Unknown` without one; `,SchedulingDisabled` when cordoned. */
export function nodeStatus(node: NodeLike): string {
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  const parts = [ready === undefined ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeAddress(node: NodeLike, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

const NODE_ADDRESSES_DESCRIPTION =
  'List of addresses reachable to the node. Queried from cloud provider, if available. More info: ' +
  'https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, ' +
  'but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers ' +
  'should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should ' +
  'assume that addresses can change during the lifetime of a Node. However, there are some exceptions where ' +
  "this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the " +
  'downward API (status.hostIP).';

/** Nodes: Name, Status, Roles, Age, Version, then wide Internal-IP, External-IP, OS-Image, Kernel-Version, Container-Runtime. */
export const nodePrinter: Printer<NodeLike> = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', NODE_ADDRESSES_DESCRIPTION, 1),
    column('External-IP', 'string', NODE_ADDRESSES_DESCRIPTION, 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      1,
    ),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    const roles = nodeRoles(node);
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      roles.length > 0 ? roles.join(',') : '<none>',
      translateTimestampSince(node.metadata?.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** The namespace fields the printer reads. */
export interface NamespaceLike extends KubeObjectLike {
  status?: { phase?: string };
}

/** Namespaces: Name, Status (`status.phase`), Age. */
export const namespacePrinter: Printer<NamespaceLike> = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells(ns, now) {
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', translateTimestampSince(ns.metadata?.creationTimestamp, now)];
  },
};

/**
 * An Event in either wire shape: core/v1 (`involvedObject`, `message`, `source`, `firstTimestamp`, ...) or
 * events.k8s.io/v1 (`regarding`, `note`, `deprecatedSource`, `deprecatedFirstTimestamp`, ...).
 */
export interface EventLike extends KubeObjectLike {
  type?: string;
  reason?: string;
  message?: string;
  note?: string;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  regarding?: { kind?: string; name?: string; fieldPath?: string };
  source?: { component?: string; host?: string };
  deprecatedSource?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingController?: string;
  reportingInstance?: string;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  deprecatedCount?: number;
  series?: { count?: number; lastObservedTime?: string | null } | null;
}

/** `component[, host]`, falling back to the reporting controller / instance when the source is empty. */
function eventSource(e: EventLike): string {
  const source = e.source ?? e.deprecatedSource ?? {};
  const component = source.component || e.reportingComponent || e.reportingController || '';
  const host = source.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** Events: Last Seen, Type, Reason, Object, Message; wide Subobject, Source, First Seen, Count, Name. */
export const eventPrinter: Printer<EventLike> = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid ' +
        'JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object ' +
        'reference is to a container within a pod, this would take on a value like: "spec.containers{name}" ' +
        '(where "name" refers to the name of the container that triggered the event) or if no container name is ' +
        'specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have ' +
        'some well-defined way of referencing a part of an object.',
      1,
    ),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    column('Count', 'string', 'The number of times this event has occurred.', 1),
    column('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
  ],
  cells(e, now) {
    const first = e.firstTimestamp ?? e.deprecatedFirstTimestamp;
    const last = e.lastTimestamp ?? e.deprecatedLastTimestamp;
    const firstSeen =
      parseTimestamp(first) !== undefined ? translateTimestampSince(first, now) : translateTimestampSince(e.eventTime, now);
    let lastSeen = parseTimestamp(last) !== undefined ? translateTimestampSince(last, now) : firstSeen;
    let count = e.count ?? e.deprecatedCount ?? 0;
    if (e.series) {
      lastSeen = translateTimestampSince(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events of the new API carry no count
    }
    const ref = e.involvedObject ?? e.regarding ?? {};
    const kind = (ref.kind ?? '').toLowerCase();
    return [
      lastSeen,
      e.type ?? '',
      e.reason ?? '',
      ref.name ? `${kind}/${ref.name}` : kind,
      ref.fieldPath ?? '',
      eventSource(e),
      (e.message ?? e.note ?? '').trim(),
      firstSeen,
      count,
      e.metadata?.name ?? '',
    ];
  },
};

/** Any other resource: Name and Age. */
export const defaultPrinter: Printer<KubeObjectLike> = {
  columns: [nameColumn(), ageColumn()],
  cells(obj, now) {
    return [obj.metadata?.name ?? '', translateTimestampSince(obj.metadata?.creationTimestamp, now)];
  },
};

/** The lease fields the printer reads. */
export interface LeaseLike extends KubeObjectLike {
  spec?: { holderIdentity?: string };
}

/** coordination.k8s.io Leases: Name, Holder (`spec.holderIdentity`), Age. */
export const leasePrinter: Printer<LeaseLike> = {
  columns: [nameColumn(), column('Holder', 'string', 'The identity of the lease holder'), ageColumn()],
  cells(lease, now) {
    return [lease.metadata?.name ?? '', lease.spec?.holderIdentity ?? '', translateTimestampSince(lease.metadata?.creationTimestamp, now)];
  },
};
