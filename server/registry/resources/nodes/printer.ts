// Table columns of nodes (`kubectl get nodes`), as kube-apiserver prints them.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

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
    column(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    column(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
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
