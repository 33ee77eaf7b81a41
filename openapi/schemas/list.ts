// The shape every `<Kind>List` shares: type meta, the items, and list metadata.
import Type from 'typebox';

/**
 * The list schema of a kind, e.g. `listOf({ group: 'apps', version: 'v1', kind: 'DaemonSet', item:
 * 'io.k8s.api.apps.v1.DaemonSet', description: 'A list of daemon sets.' })`.
 */
export function listOf(o: { group: string; version: string; kind: string; item: string; description: string }) {
  const groupVersion = o.group ? `${o.group}/${o.version}` : o.version;
  return Type.Object(
    {
      apiVersion: Type.Optional(
        Type.String({ description: `API version of this object's schema: \`${groupVersion}\`.` }),
      ),
      items: Type.Array(Type.Ref(o.item), { protobuf: 2, description: `The ${o.kind} objects in the list.` }),
      kind: Type.Optional(Type.String({ description: `Object kind: \`${o.kind}List\`.` })),
      metadata: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', {
          protobuf: 1,
          description: 'List metadata: the resourceVersion of the collection and the token for the next page.',
        }),
      ),
    },
    {
      description: o.description,
      'x-kubernetes-group-version-kind': [{ group: o.group, kind: `${o.kind}List`, version: o.version }],
    },
  );
}
