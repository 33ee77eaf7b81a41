/**
 * The type model field management and field validation share, compiled once from the served OpenAPI v2
 * definitions: structs (with the Go names decoding errors mention), maps, lists with their server-side-apply
 * semantics (`atomic`, `set`, `map` keyed by `x-kubernetes-list-map-keys`, or by the strategic-merge key when a
 * list only declares `patchStrategy: merge`, as kube-openapi's schema conversion does), scalars, and the
 * free-form "untyped" values (RawExtension, FieldsV1) whose contents are taken as they come.
 */
import type { SchemaNode, SchemaResolver } from '../patch/schema.js';
import { schemaFor } from '../schemas.js';
import { findKindDefinition } from '../../openapi/served.js';

/** How a scalar decodes: its JSON type, or one of the types with a custom decoder. */
export type ScalarKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'float'
  | 'boolean'
  | 'quantity'
  | 'int-or-string'
  | 'time'
  | 'micro-time'
  | 'bytes';

export interface StructType {
  kind: 'struct';
  /** OpenAPI definition name (`io.k8s.api.core.v1.PodSpec`). */
  def: string;
  /** Go type name without package (`PodSpec`), as `Go struct field PodSpec.spec...` names it. */
  goName: string;
  /** Go type with package (`v1.PodSpec`). */
  goType: string;
  /** `x-kubernetes-map-type: atomic`: owned and replaced as a whole. */
  atomic: boolean;
  /** The declared field, or undefined for an unknown field. */
  field(name: string): TypeNode | undefined;
  /** Fields Go always serializes, with their zero values (non-pointer structs, fields without omitempty). */
  zero: Readonly<Record<string, unknown>>;
  /** Defaults of list-map key fields (ContainerPort.protocol: TCP), used when an item omits them. */
  keyDefaults: Readonly<Record<string, unknown>>;
}

export interface MapType {
  kind: 'map';
  elem: TypeNode;
  atomic: boolean;
  goType: string;
}

export interface ListType {
  kind: 'list';
  elem: TypeNode;
  /** `atomic` (replaced whole), `set` (of scalars, items `v:`), `map` (items keyed by `keys`, `k:`). */
  listType: 'atomic' | 'set' | 'map';
  keys: string[];
  goType: string;
}

export interface ScalarType {
  kind: 'scalar';
  scalar: ScalarKind;
  goType: string;
}

/** Anything (RawExtension, FieldsV1, schema-less kinds): maps are granular, lists atomic. */
export interface UntypedType {
  kind: 'untyped';
  goType: string;
}

export type TypeNode = StructType | MapType | ListType | ScalarType | UntypedType;

/** The free-form type used where there is no schema. */
export const UNTYPED: UntypedType = Object.freeze({ kind: 'untyped', goType: 'interface {}' });

const SPECIAL: Record<string, TypeNode> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { kind: 'scalar', scalar: 'quantity', goType: 'resource.Quantity' },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    kind: 'scalar',
    scalar: 'int-or-string',
    goType: 'intstr.IntOrString',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { kind: 'scalar', scalar: 'time', goType: 'v1.Time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { kind: 'scalar', scalar: 'micro-time', goType: 'v1.MicroTime' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { kind: 'untyped', goType: 'runtime.RawExtension' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { kind: 'untyped', goType: 'v1.FieldsV1' },
};

/**
 * Go types of fields whose type is a named string, slice or map (`<pkg>` is the package of the struct's own
 * definition); other fields are named from their schema (`string`, `int32`, `[]v1.Container`...).
 */
const NAMED_FIELD_TYPES: Record<string, string> = Object.fromEntries(
  `Container.imagePullPolicy v1.PullPolicy
Container.terminationMessagePolicy v1.TerminationMessagePolicy
EphemeralContainer.imagePullPolicy v1.PullPolicy
EphemeralContainer.terminationMessagePolicy v1.TerminationMessagePolicy
ContainerPort.protocol v1.Protocol
PodSpec.restartPolicy v1.RestartPolicy
PodSpec.dnsPolicy v1.DNSPolicy
PodSpec.preemptionPolicy v1.PreemptionPolicy
PodSpec.overhead v1.ResourceList
PodSpec.nodeSelector map[string]string
ResourceRequirements.limits v1.ResourceList
ResourceRequirements.requests v1.ResourceList
PodStatus.phase v1.PodPhase
PodStatus.qosClass v1.PodQOSClass
PodCondition.type v1.PodConditionType
PodCondition.status v1.ConditionStatus
NodeStatus.phase v1.NodePhase
NodeStatus.capacity v1.ResourceList
NodeStatus.allocatable v1.ResourceList
NodeCondition.type v1.NodeConditionType
NodeCondition.status v1.ConditionStatus
NodeAddress.type v1.NodeAddressType
Taint.effect v1.TaintEffect
Toleration.operator v1.TolerationOperator
Toleration.effect v1.TaintEffect
NamespaceSpec.finalizers []v1.FinalizerName
NamespaceStatus.phase v1.NamespacePhase
NamespaceCondition.type v1.NamespaceConditionType
NamespaceCondition.status v1.ConditionStatus
ObjectMeta.uid types.UID
OwnerReference.uid types.UID
ManagedFieldsEntry.operation v1.ManagedFieldsOperationType
LabelSelectorRequirement.operator v1.LabelSelectorOperator
NodeSelectorRequirement.operator v1.NodeSelectorOperator
HostPathVolumeSource.type v1.HostPathType
Capabilities.add []v1.Capability
Capabilities.drop []v1.Capability
SecurityContext.procMount v1.ProcMountType
DaemonSetUpdateStrategy.type <pkg>.DaemonSetUpdateStrategyType
DaemonSetCondition.type <pkg>.DaemonSetConditionType
DaemonSetCondition.status v1.ConditionStatus`
    .split('\n')
    .map((l) => l.split(' ') as [string, string]),
);

/** Zero values Go serializes for a new object of each definition (json tags without omitempty, non-pointer structs). */
const ZERO: Record<string, Record<string, unknown>> = {
  'meta.v1.ObjectMeta': { creationTimestamp: null },
  'core.v1.Pod': { metadata: {}, spec: {}, status: {} },
  'core.v1.PodSpec': { containers: null },
  'core.v1.PodTemplateSpec': { metadata: {}, spec: {} },
  'core.v1.Container': { name: '', resources: {} },
  'core.v1.EphemeralContainer': { name: '', resources: {} },
  'core.v1.ContainerPort': { containerPort: 0 },
  'core.v1.EnvVar': { name: '' },
  'core.v1.VolumeMount': { name: '', mountPath: '' },
  'core.v1.Volume': { name: '' },
  'core.v1.PodCondition': { type: '', status: '', lastProbeTime: null, lastTransitionTime: null },
  'core.v1.ContainerStatus': {
    name: '',
    state: {},
    lastState: {},
    ready: false,
    restartCount: 0,
    image: '',
    imageID: '',
  },
  'core.v1.Node': { metadata: {}, spec: {}, status: {} },
  'core.v1.NodeStatus': { daemonEndpoints: {}, nodeInfo: {} },
  'core.v1.NodeDaemonEndpoints': { kubeletEndpoint: {} },
  'core.v1.DaemonEndpoint': { Port: 0 },
  'core.v1.NodeSystemInfo': {
    machineID: '',
    systemUUID: '',
    bootID: '',
    kernelVersion: '',
    osImage: '',
    containerRuntimeVersion: '',
    kubeletVersion: '',
    kubeProxyVersion: '',
    operatingSystem: '',
    architecture: '',
  },
  'core.v1.NodeCondition': { type: '', status: '', lastHeartbeatTime: null, lastTransitionTime: null },
  'core.v1.NodeAddress': { type: '', address: '' },
  'core.v1.Taint': { key: '', effect: '' },
  'core.v1.Namespace': { metadata: {}, spec: {}, status: {} },
  'core.v1.Event': {
    metadata: {},
    involvedObject: {},
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    eventTime: null,
    reportingComponent: '',
    reportingInstance: '',
  },
  'apps.v1.DaemonSet': { metadata: {}, spec: {}, status: {} },
  'apps.v1.DaemonSetSpec': { selector: null, template: {}, updateStrategy: {} },
  'apps.v1.DaemonSetStatus': {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  },
  'apps.v1.DaemonSetCondition': { type: '', status: '', lastTransitionTime: null },
  'apps.v1.ControllerRevision': { metadata: {}, data: null, revision: 0 },
  'coordination.v1.Lease': { metadata: {}, spec: {} },
  'extensions.v1beta1.DaemonSet': { metadata: {}, spec: {}, status: {} },
  'extensions.v1beta1.DaemonSetSpec': { template: {}, updateStrategy: {} },
  'extensions.v1beta1.DaemonSetStatus': {
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    desiredNumberScheduled: 0,
    numberReady: 0,
  },
  'extensions.v1beta1.DaemonSetCondition': { type: '', status: '', lastTransitionTime: null },
};

/** Defaults of list-map key fields, which upstream publishes as schema `default`s. */
const KEY_DEFAULTS: Record<string, Record<string, unknown>> = {
  'core.v1.ContainerPort': { protocol: 'TCP' },
  'core.v1.ServicePort': { protocol: 'TCP' },
};

function shortDef(def: string): string {
  return def.replace(/^io\.k8s\.api\./, '').replace(/^io\.k8s\.apimachinery\.pkg\.apis\./, '');
}

function isNode(v: unknown): v is SchemaNode {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Compiles schema nodes into TypeNodes; definitions are compiled once and their fields lazily. */
class Compiler {
  private readonly defs = new Map<string, TypeNode>();
  constructor(private readonly resolver: SchemaResolver) {}

  /** The type of a definition by name. */
  definition(name: string): TypeNode {
    const special = SPECIAL[name];
    if (special) return special;
    const cached = this.defs.get(name);
    if (cached) return cached;
    const node = this.resolver.definition(name);
    if (!node) return UNTYPED;
    const t = this.build(node, name, undefined);
    this.defs.set(name, t);
    return t;
  }

  /** The type of a (property) node; `owner`/`field` name it for Go type overrides. */
  node(n: SchemaNode, owner?: StructType, field?: string): TypeNode {
    const named =
      owner && field
        ? NAMED_FIELD_TYPES[`${owner.goName}.${field}`]?.replace('<pkg>', owner.goType.split('.')[0]!)
        : undefined;
    const t = this.nodeType(n, owner, field);
    if (!named || t.kind === 'struct' || t.kind === 'untyped') return t;
    return { ...t, goType: named } as TypeNode;
  }

  private nodeType(n: SchemaNode, owner?: StructType, field?: string): TypeNode {
    const ref = refName(n);
    if (ref !== undefined) {
      const t = this.definition(ref);
      if (t.kind === 'struct' && n['x-kubernetes-map-type'] === 'atomic' && !t.atomic) return { ...t, atomic: true };
      return t;
    }
    return this.build(n, undefined, owner && field ? `${owner.goName}.${field}` : undefined);
  }

  private build(n: SchemaNode, def: string | undefined, where: string | undefined): TypeNode {
    const type = Array.isArray(n.type) ? n.type[0] : n.type;
    if (type === 'array') {
      const elem = isNode(n.items) ? this.node(n.items) : UNTYPED;
      const [listType, keys] = listSemantics(n);
      return { kind: 'list', elem, listType, keys, goType: `[]${elem.goType}` };
    }
    if (type === 'object' || (type === undefined && isNode(n.properties))) {
      if (isNode(n.properties)) return this.struct(n, def ?? where ?? 'inline');
      if (isNode(n.additionalProperties)) {
        const elem = this.node(n.additionalProperties);
        return {
          kind: 'map',
          elem,
          atomic: n['x-kubernetes-map-type'] === 'atomic',
          goType: `map[string]${elem.goType}`,
        };
      }
      return UNTYPED;
    }
    switch (type) {
      case 'string':
        if (n.format === 'int-or-string') return SPECIAL['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!;
        if (n.format === 'byte') return { kind: 'scalar', scalar: 'bytes', goType: '[]uint8' };
        return { kind: 'scalar', scalar: 'string', goType: 'string' };
      case 'integer':
        return n.format === 'int32'
          ? { kind: 'scalar', scalar: 'int32', goType: 'int32' }
          : { kind: 'scalar', scalar: 'int64', goType: 'int64' };
      case 'number':
        return { kind: 'scalar', scalar: 'float', goType: 'float64' };
      case 'boolean':
        return { kind: 'scalar', scalar: 'boolean', goType: 'bool' };
      default:
        return UNTYPED;
    }
  }

  private struct(n: SchemaNode, def: string): StructType {
    const parts = def.split('.');
    const goName = parts[parts.length - 1]!;
    const pkg = parts.length > 1 ? parts[parts.length - 2]! : 'v1';
    const props = n.properties as Record<string, SchemaNode>;
    const fields = new Map<string, TypeNode>();
    const short = shortDef(def);
    const st: StructType = {
      kind: 'struct',
      def,
      goName,
      goType: `${pkg}.${goName}`,
      atomic: n['x-kubernetes-map-type'] === 'atomic',
      field: (name) => {
        let t = fields.get(name);
        if (!t && Object.hasOwn(props, name) && isNode(props[name]))
          fields.set(name, (t = this.node(props[name], st, name)));
        return t;
      },
      zero: ZERO[short] ?? {},
      keyDefaults: KEY_DEFAULTS[short] ?? {},
    };
    return st;
  }
}

function refName(n: SchemaNode): string | undefined {
  let cur: SchemaNode = n;
  for (let hop = 0; hop < 8; hop++) {
    if (typeof cur.$ref === 'string') {
      const m = /^#\/(?:definitions|components\/schemas)\/(.+)$/.exec(cur.$ref);
      return m ? m[1] : undefined;
    }
    if (Array.isArray(cur.allOf) && cur.allOf.length === 1 && isNode(cur.allOf[0])) cur = cur.allOf[0];
    else return undefined;
  }
  return undefined;
}

/** `x-kubernetes-list-type` (with its map keys), else `patchStrategy: merge` (keyed by the merge key), else atomic. */
function listSemantics(n: SchemaNode): ['atomic' | 'set' | 'map', string[]] {
  const lt = n['x-kubernetes-list-type'];
  if (lt === 'atomic') return ['atomic', []];
  if (lt === 'set') return ['set', []];
  if (lt === 'map') {
    const keys = n['x-kubernetes-list-map-keys'];
    return ['map', Array.isArray(keys) ? keys.map(String) : []];
  }
  const strategy = n['x-kubernetes-patch-strategy'];
  if (typeof strategy === 'string' && strategy.split(',').includes('merge')) {
    const key = n['x-kubernetes-patch-merge-key'];
    return typeof key === 'string' && key ? ['map', [key]] : ['set', []];
  }
  return ['atomic', []];
}

const compilers = new WeakMap<SchemaResolver, Compiler>();
const roots = new Map<string, TypeNode>();

/** The type of a served kind at group/version; UNTYPED when the project publishes no schema for it. */
export function typeFor(group: string, version: string, kind: string): TypeNode {
  const key = `${group}/${version}/${kind}`;
  const cached = roots.get(key);
  if (cached) return cached;
  const { schema, resolver } = schemaFor(group, version, kind);
  const kd = findKindDefinition(group, version, kind);
  const t = schema && kd ? typeOfDefinition(resolver, kd.definition) : UNTYPED;
  roots.set(key, t);
  return t;
}

/** The type of the named definition (for tests and synthetic schemas). */
export function typeOfDefinition(resolver: SchemaResolver, name: string): TypeNode {
  let compiler = compilers.get(resolver);
  if (!compiler) compilers.set(resolver, (compiler = new Compiler(resolver)));
  return compiler.definition(name);
}

/** The element type of the field or map key `name` of a struct/map/untyped type, or undefined when unknown. */
export function childType(t: TypeNode, name: string): TypeNode | undefined {
  if (t.kind === 'struct') return t.field(name);
  if (t.kind === 'map') return t.elem;
  if (t.kind === 'untyped') return UNTYPED;
  return undefined;
}
