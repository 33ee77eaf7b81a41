import { SchemaResolver, type SchemaNode } from './patch/schema.js';
import { servedKinds } from '../openapi/served.js';
import { servedDefinitions } from '../openapi/served.js';

let resolver: SchemaResolver | undefined;
let byGVK: Map<string, SchemaNode> | undefined;

/**
 * The OpenAPI v2 style definitions of every served type, resolved once, for patches and field validation (and the
 * managed fields of every write): read at the first use, or once the server is ready (see buildApp).
 */
export function loadSchemas(): void {
  if (resolver) return;
  const defs = servedDefinitions('v2') as Record<string, SchemaNode>;
  resolver = new SchemaResolver(defs);
  byGVK = new Map();
  for (const k of servedKinds()) {
    const node = defs[k.definition];
    if (node) byGVK.set(`${k.group}/${k.version}/${k.kind}`, node);
  }
}

/** The schema of a kind as served at group/version (undefined when the project has none). */
export function schemaFor(
  group: string,
  version: string,
  kind: string,
): { schema: SchemaNode | undefined; resolver: SchemaResolver } {
  loadSchemas();
  return { schema: byGVK!.get(`${group}/${version}/${kind}`), resolver: resolver! };
}
