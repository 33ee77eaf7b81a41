/**
 * The schema view the patchers use: OpenAPI v2 style schema objects (the `definitions` of
 * api/openapi-spec/swagger.json), with the strategic-merge-patch extensions kube-apiserver derives from the
 * Go struct tags `patchStrategy` / `patchMergeKey`.
 *
 * Patch metadata lives on the *property* that references a type (`"containers": {"type": "array",
 * "items": {"$ref": ...}, "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"}`,
 * `"strategy": {"$ref": ..., "x-kubernetes-patch-strategy": "retainKeys"}`), so `field()` and `items()` return
 * the unresolved node and `patchMeta()` reads the extensions before following references.
 */

/** An OpenAPI v2 (or v3) schema object, reduced to what the patchers read. */
export interface SchemaNode {
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  /** `#/definitions/<name>` (v2) or `#/components/schemas/<name>` (v3). */
  $ref?: string;
  allOf?: SchemaNode[];
  /** Field of the list elements that identifies them when merging (`name`, `containerPort`, ...). */
  'x-kubernetes-patch-merge-key'?: string;
  /** Comma-separated strategies: `merge`, `replace`, `retainKeys`, `merge,retainKeys`. */
  'x-kubernetes-patch-strategy'?: string;
  /** Server-side-apply list semantics (`atomic`, `set`, `map`); not used by strategic merge patch. */
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  [extension: string]: unknown;
}

/** Strategic merge metadata of one field: its patch strategies and the merge key of its list elements. */
export interface PatchMeta {
  /** `x-kubernetes-patch-strategy` split on commas; empty when the field has none. */
  strategies: string[];
  /** `x-kubernetes-patch-merge-key`, or '' when none. */
  mergeKey: string;
}

const EMPTY: SchemaNode = Object.freeze({}) as SchemaNode;
const MAX_HOPS = 64;
const REF_PREFIXES = ['#/definitions/', '#/components/schemas/'];

function isNode(v: unknown): v is SchemaNode {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Resolves `$ref`s against a definitions table and answers field / item / patch-metadata lookups. */
export class SchemaResolver {
  private readonly definitions: Record<string, SchemaNode>;
  private readonly resolved = new WeakMap<SchemaNode, SchemaNode>();

  /** `definitions`: name → schema, as in a swagger document's `definitions` (or v3 `components.schemas`). */
  constructor(definitions: Record<string, SchemaNode>) {
    this.definitions = definitions;
  }

  /** The named definition (`io.k8s.api.apps.v1.DaemonSet`), or undefined. */
  definition(name: string): SchemaNode | undefined {
    return Object.hasOwn(this.definitions, name) ? this.definitions[name] : undefined;
  }

  /** The node a reference chain ends at: follows `$ref` and single-element `allOf`; `{}` for a dangling ref. */
  resolve(node: SchemaNode): SchemaNode {
    const cached = this.resolved.get(node);
    if (cached) return cached;
    let cur: SchemaNode = node;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const next = this.step(cur);
      if (next === undefined) break;
      cur = next;
    }
    this.resolved.set(node, cur);
    return cur;
  }

  /** The (unresolved) schema of property `name` of an object node, or of its map values; undefined if unknown. */
  field(node: SchemaNode, name: string): SchemaNode | undefined {
    const r = this.resolve(node);
    if (isNode(r.properties) && Object.hasOwn(r.properties, name) && isNode(r.properties[name]))
      return r.properties[name];
    if (isNode(r.additionalProperties)) return r.additionalProperties;
    return undefined;
  }

  /** The (unresolved) schema of the elements of an array node, or undefined. */
  items(node: SchemaNode): SchemaNode | undefined {
    const r = this.resolve(node);
    return isNode(r.items) ? r.items : undefined;
  }

  /** Patch strategy and merge key of a field node: its own extensions first, then those along its `$ref` chain. */
  patchMeta(node: SchemaNode | undefined): PatchMeta {
    let strategy: string | undefined;
    let mergeKey: string | undefined;
    let cur: SchemaNode | undefined = node;
    for (let hop = 0; cur !== undefined && hop < MAX_HOPS; hop++) {
      const s = cur['x-kubernetes-patch-strategy'];
      const k = cur['x-kubernetes-patch-merge-key'];
      if (strategy === undefined && typeof s === 'string') strategy = s;
      if (mergeKey === undefined && typeof k === 'string') mergeKey = k;
      cur = this.step(cur);
    }
    return { strategies: strategy ? strategy.split(',') : [], mergeKey: mergeKey ?? '' };
  }

  /** One hop along a reference: the `$ref` target, the single `allOf` element, or undefined. */
  private step(node: SchemaNode): SchemaNode | undefined {
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const prefix = REF_PREFIXES.find((p) => ref.startsWith(p));
      const target = prefix ? this.definition(ref.slice(prefix.length)) : undefined;
      return isNode(target) ? target : EMPTY;
    }
    if (Array.isArray(node.allOf) && node.allOf.length === 1 && isNode(node.allOf[0])) return node.allOf[0];
    return undefined;
  }
}
