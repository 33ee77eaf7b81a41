// The kinds this server serves and how their definitions are referred to in the served documents. Kept apart
// from the TypeBox sources (./schemas/) so that the running server never loads TypeBox (see ./served.ts).

/** A kind the server serves, with the names of the definitions of the object and of its list. */
export interface KindDefinition {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Definition name of the object, a key of the definitions in ./schemas/. */
  definition: string;
  /**
   * Definition name of the list, a key of the definitions in ./schemas/; absent for kinds that are only ever
   * created and answered, never stored or listed (reviews, evictions).
   */
  listDefinition?: string;
}

function kindDefinition(group: string, version: string, kind: string, prefix: string): KindDefinition {
  return { group, version, kind, definition: `${prefix}.${kind}`, listDefinition: `${prefix}.${kind}List` };
}

/** A kind that is created and answered without being stored: it has no list. */
function createOnlyKind(group: string, version: string, kind: string, prefix: string): KindDefinition {
  return { group, version, kind, definition: `${prefix}.${kind}` };
}

/** The served kinds. */
export const kindDefinitions: readonly KindDefinition[] = [
  kindDefinition('', 'v1', 'Pod', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Node', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Namespace', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Event', 'io.k8s.api.core.v1'),
  kindDefinition('apps', 'v1', 'DaemonSet', 'io.k8s.api.apps.v1'),
  kindDefinition('apps', 'v1', 'ControllerRevision', 'io.k8s.api.apps.v1'),
  kindDefinition('extensions', 'v1beta1', 'DaemonSet', 'io.k8s.api.extensions.v1beta1'),
  kindDefinition('coordination.k8s.io', 'v1', 'Lease', 'io.k8s.api.coordination.v1'),
  createOnlyKind('', 'v1', 'Binding', 'io.k8s.api.core.v1'),
  createOnlyKind('policy', 'v1', 'Eviction', 'io.k8s.api.policy.v1'),
  createOnlyKind('policy', 'v1beta1', 'Eviction', 'io.k8s.api.policy.v1beta1'),
  createOnlyKind('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'io.k8s.api.authorization.v1'),
  createOnlyKind('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'io.k8s.api.authorization.v1'),
  createOnlyKind('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'io.k8s.api.authentication.v1'),
  createOnlyKind('authentication.k8s.io', 'v1beta1', 'SelfSubjectReview', 'io.k8s.api.authentication.v1beta1'),
];

/** The kind entry for a group/version/kind, if it is served. */
export function findKindDefinition(group: string, version: string, kind: string): KindDefinition | undefined {
  return kindDefinitions.find((k) => k.group === group && k.version === version && k.kind === kind);
}

export type OpenAPIStyle = 'v2' | 'v3';

/** The JSON reference to a definition in a served document: `#/definitions/<name>` (v2) or `#/components/schemas/<name>` (v3). */
export function openAPIRef(style: OpenAPIStyle, name: string): string {
  return style === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}
