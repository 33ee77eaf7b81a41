// The kinds this server serves and how their definitions are referred to in the served documents, derived from the
// definitions themselves. Kept apart from the TypeBox sources (./schemas/) so that the running server never loads
// TypeBox (see ./served.ts).

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

const META_PACKAGE = 'io.k8s.apimachinery.';

/**
 * The served kinds of a set of definitions: every definition outside apimachinery that names exactly one
 * group/version/kind (`x-kubernetes-group-version-kind`), with `<definition>List` as its list when that is a
 * definition too. Kinds without a list are only ever created and answered (reviews, evictions, bindings).
 * Adding a kind is adding its definitions: nothing here lists them.
 */
export function kindsOf(definitions: Readonly<Record<string, unknown>>): KindDefinition[] {
  const out: KindDefinition[] = [];
  for (const [name, schema] of Object.entries(definitions)) {
    if (name.startsWith(META_PACKAGE)) continue;
    const gvks = (schema as { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] })[
      'x-kubernetes-group-version-kind'
    ];
    if (!gvks || gvks.length !== 1) continue;
    const { group, version, kind } = gvks[0]!;
    if (kind.endsWith('List') && definitions[name.slice(0, -'List'.length)] !== undefined) continue;
    const list = `${name}List`;
    out.push(
      definitions[list] !== undefined
        ? { group, version, kind, definition: name, listDefinition: list }
        : { group, version, kind, definition: name },
    );
  }
  return out;
}

/** The kind entry for a group/version/kind among `kinds`, if it is served. */
export function findKind(
  kinds: readonly KindDefinition[],
  group: string,
  version: string,
  kind: string,
): KindDefinition | undefined {
  return kinds.find((k) => k.group === group && k.version === version && k.kind === kind);
}

export type OpenAPIStyle = 'v2' | 'v3';

/** The JSON reference to a definition in a served document: `#/definitions/<name>` (v2) or `#/components/schemas/<name>` (v3). */
export function openAPIRef(style: OpenAPIStyle, name: string): string {
  return style === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

/**
 * The kind of the `scale` subresource of a resource served in `group`: extensions/v1beta1 had a Scale of its own,
 * every other group answers with autoscaling/v1 Scale.
 */
export function scaleKindFor(group: string): { group: string; version: string; kind: string } {
  return group === 'extensions'
    ? { group: 'extensions', version: 'v1beta1', kind: 'Scale' }
    : { group: 'autoscaling', version: 'v1', kind: 'Scale' };
}
