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
// - the protobuf encoding (`application/vnd.kubernetes.protobuf`) is described beside the fields, by two options on the
//   schema of each property of an object definition. Neither is served (convert.ts drops them); the JSON snapshot that
//   the server and the codec read keeps them (scripts/snapshot-definitions.mjs):
//   - `protobuf: N`: the field number of the property in the upstream message of the same name (definition
//     `io.k8s.api.core.v1.Pod` is message `k8s.io.api.core.v1.Pod`; the protobuf field name is the JSON property
//     name). The wire type follows from the schema: string (format `byte`: bytes), integer int32/int64, boolean,
//     number (double), a `Type.Ref` is the referenced message, `Type.Array` is repeated, `Type.Record` is a map.
//     `apiVersion` and `kind` that come from TypeMeta (Pod, PodList, Status, ...) have none: the envelope
//     (runtime.Unknown) carries them; where the message has such fields (OwnerReference, ObjectReference) they have.
//     Definitions with a codec of their own (Time, MicroTime, Quantity, IntOrString, RawExtension, FieldsV1, Patch)
//     have no numbered properties;
//   - `protobuf: [outer, inner]`: the property travels in a nested message, at field `inner` of the message in field
//     `outer`. Go inlines some structs into the JSON object while protobuf keeps them as a field of their own
//     (ProbeHandler in Probe, VolumeSource in Volume, EphemeralContainerCommon in EphemeralContainer,
//     LocalObjectReference in ConfigMapKeySelector and its kin), and APIResource.verbs is a message `Verbs` whose
//     only field holds the list;
//   - `goPointer: true` on a scalar property (string, integer, boolean, number) whose Go field is a pointer
//     (`*int64`, `*bool`, `*string`, `*SomeEnum`). Go writes a non-pointer scalar even when it is zero, so a decoded
//     zero of a property without the option means unset and is dropped, while a zero of a pointer field
//     (`gracePeriodSeconds: 0`, `automountServiceAccountToken: false`) is a value and is kept. The numbers are held
//     against the upstream `.proto` files by tests/unit/openapi/protobuf-fields.test.ts.
import type { TSchema } from 'typebox';
import { convertDefinitions } from '../convert.js';
import type { OpenAPIStyle } from '../kinds.js';
import { appsV1Definitions } from './apps-v1.js';
import { authenticationV1Definitions } from './authentication-v1.js';
import { autoscalingV1Definitions } from './autoscaling-v1.js';
import { authorizationV1Definitions } from './authorization-v1.js';
import { coordinationV1Definitions } from './coordination-v1.js';
import { coreV1ConfigDefinitions } from './core-v1-config.js';
import { coreV1ContainerDefinitions } from './core-v1-container.js';
import { coreV1NodeDefinitions } from './core-v1-node.js';
import { coreV1OtherDefinitions } from './core-v1-other.js';
import { coreV1PodDefinitions } from './core-v1-pod.js';
import { coreV1SchedulingDefinitions } from './core-v1-scheduling.js';
import { coreV1SecurityDefinitions } from './core-v1-security.js';
import { coreV1ServiceAccountDefinitions } from './core-v1-serviceaccount.js';
import { coreV1ServiceDefinitions } from './core-v1-service.js';
import { coreV1VolumePluginDefinitions } from './core-v1-volume-plugins.js';
import { coreV1VolumeDefinitions } from './core-v1-volumes.js';
import { discoveryV1Definitions } from './discovery-v1.js';
import { extensionsV1beta1Definitions } from './extensions-v1beta1.js';
import { metaDefinitions } from './meta.js';
import { policyV1Definitions } from './policy-v1.js';
import { rbacV1Definitions } from './rbac-v1.js';
import { replicatedDefinitions } from './replicated.js';

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
  ...coreV1ConfigDefinitions,
  ...coreV1ServiceAccountDefinitions,
  ...coreV1ServiceDefinitions,
  ...appsV1Definitions,
  ...replicatedDefinitions('apps/v1'),
  ...extensionsV1beta1Definitions,
  ...replicatedDefinitions('extensions/v1beta1'),
  ...autoscalingV1Definitions,
  ...coordinationV1Definitions,
  ...policyV1Definitions,
  ...authorizationV1Definitions,
  ...authenticationV1Definitions,
  ...rbacV1Definitions,
  ...discoveryV1Definitions,
};

export { findKind, kindsOf, openAPIRef, type KindDefinition, type OpenAPIStyle } from '../kinds.js';

/**
 * The served definitions of the TypeBox source as plain JSON schema objects for a `'v2'` or `'v3'` document (see
 * convertDefinitions). The running server reads the same data from the build's JSON snapshot (../served.ts).
 */
export function toOpenAPIDefinitions(style: OpenAPIStyle): Record<string, object> {
  return convertDefinitions(definitions, style);
}
