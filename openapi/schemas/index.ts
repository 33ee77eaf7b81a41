// The API schemas this server publishes, as TypeBox schemas keyed by their upstream OpenAPI definition names.
//
// Conventions of the TypeBox source (the served documents are produced from it by toOpenAPIDefinitions):
// - a reference to another definition is `Type.Ref('<definition name>')`, resolved against `definitions`
//   (e.g. `Value.Check(definitions, Type.Ref('io.k8s.api.core.v1.Pod'), pod)`);
// - a map is `Type.Record(Type.String(), V)` (served as `additionalProperties: V`);
// - an object without declared properties (FieldsV1, RawExtension, Patch) is free-form;
// - IntOrString and Quantity are unions of their JSON types (served as `type: string` in v2, `oneOf` in v3);
// - Kubernetes extensions (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`, `x-kubernetes-list-type`,
//   `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`, `x-kubernetes-group-version-kind`, `x-kubernetes-unions`)
//   sit on the schema they apply to, exactly as in the upstream documents;
// - every property of an object definition but apiVersion and kind carries `protobuf: <upstream field number>`, and
//   a scalar property whose Go field is a pointer (`*bool`, `*int64`, `*string`...) also `goPointer: true`; both are
//   for the protobuf codec and are left out of the served documents (../convert.ts).
import type { TSchema } from 'typebox';
import { convertDefinitions } from '../convert.js';
import type { OpenAPIStyle } from '../kinds.js';
import { appsV1Definitions } from './apps-v1.js';
import { authenticationV1Definitions } from './authentication-v1.js';
import { authorizationV1Definitions } from './authorization-v1.js';
import { coordinationV1Definitions } from './coordination-v1.js';
import { coreV1ContainerDefinitions } from './core-v1-container.js';
import { coreV1NodeDefinitions } from './core-v1-node.js';
import { coreV1OtherDefinitions } from './core-v1-other.js';
import { coreV1PodDefinitions } from './core-v1-pod.js';
import { coreV1SchedulingDefinitions } from './core-v1-scheduling.js';
import { coreV1SecurityDefinitions } from './core-v1-security.js';
import { coreV1VolumePluginDefinitions } from './core-v1-volume-plugins.js';
import { coreV1VolumeDefinitions } from './core-v1-volumes.js';
import { extensionsV1beta1Definitions } from './extensions-v1beta1.js';
import { metaDefinitions } from './meta.js';
import { policyV1Definitions } from './policy-v1.js';

/** Every served definition, keyed by its OpenAPI definition name (e.g. `io.k8s.api.core.v1.Pod`). */
export const definitions: Record<string, TSchema> = {
  ...metaDefinitions,
  ...coreV1PodDefinitions,
  ...coreV1ContainerDefinitions,
  ...coreV1SecurityDefinitions,
  ...coreV1SchedulingDefinitions,
  ...coreV1VolumeDefinitions,
  ...coreV1VolumePluginDefinitions,
  ...coreV1NodeDefinitions,
  ...coreV1OtherDefinitions,
  ...appsV1Definitions,
  ...extensionsV1beta1Definitions,
  ...coordinationV1Definitions,
  ...policyV1Definitions,
  ...authorizationV1Definitions,
  ...authenticationV1Definitions,
};

export { findKindDefinition, kindDefinitions, openAPIRef, type KindDefinition, type OpenAPIStyle } from '../kinds.js';

/**
 * The served definitions of the TypeBox source as plain JSON schema objects for a `'v2'` or `'v3'` document (see
 * convertDefinitions). The running server reads the same data from the build's JSON snapshot (../served.ts).
 */
export function toOpenAPIDefinitions(style: OpenAPIStyle): Record<string, object> {
  return convertDefinitions(definitions, style);
}
