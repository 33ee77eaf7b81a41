/**
 * Storage keys as kube-apiserver lays them out in etcd: `/registry/<resource>/<namespace>/<name>`, cluster-scoped
 * resources without the namespace part. `<resource>` is the resource's etcd prefix (usually its plural; both
 * DaemonSet views share `daemonsets`).
 */

/** The key of one object; `namespace` is left out when undefined (cluster-scoped resources). */
export function storageKey(resource: string, namespace: string | undefined, name: string): string {
  return namespace === undefined ? `/registry/${resource}/${name}` : `/registry/${resource}/${namespace}/${name}`;
}

/** The prefix every key of `resource` (in `namespace`, when given and not empty) starts with, ending in `/`. */
export function storagePrefix(resource: string, namespace?: string): string {
  return namespace ? `/registry/${resource}/${namespace}/` : `/registry/${resource}/`;
}
