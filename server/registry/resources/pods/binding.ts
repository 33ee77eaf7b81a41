import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { CreateSubresource } from '../../definition.js';
import { fieldErr, fieldErrorString, type FieldError } from '../../../../apimachinery/field-errors.js';
import { rfc3339 } from '../../../../apimachinery/time.js';
import { errors, StatusError } from '../../status.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** How the errors of a binding that cannot be applied name the resource (upstream: `pods/binding`). */
const BINDING_RESOURCE = { group: '', resource: 'pods/binding' };

/**
 * `POST /api/v1/namespaces/<ns>/pods/<name>/binding` (core/v1 Binding), what a scheduler calls to place a pod, as
 * kube-apiserver's BindingREST does it: the Binding's name must be the pod's; its target must name a node (kind
 * `Node` or empty); then, in one write that bypasses the pod strategy, a pod that is not being deleted, has no node
 * and no scheduling gates gets `spec.nodeName`, the Binding's annotations and the `PodScheduled=True` condition.
 * The Binding's `metadata.uid` and `metadata.resourceVersion`, when set, are preconditions on the pod. Answers a
 * Success Status with 201. A pod that cannot be bound is a 409 Conflict on `pods/binding` with upstream's message
 * (`pod web is already assigned to node "n1"`); a precondition that fails is a 409 on `pods`.
 */
export const podBinding: CreateSubresource = {
  name: 'binding',
  group: '',
  version: 'v1',
  kind: 'Binding',
  acceptedVersions: ['v1'],
  collection: { plural: 'bindings', singular: 'binding' },
  async create(req) {
    const metadata = isObj(req.body.metadata) ? req.body.metadata : {};
    const namespace = str(metadata.namespace);
    if (namespace !== '' && namespace !== req.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    // The legacy `bindings` collection takes the pod's name from the body; the request names it in the URL.
    const name = req.fromCollection ? str(metadata.name) : req.name;
    if (str(metadata.name) !== name) throw errors.badRequest('name in URL does not match name in Binding object');
    checkTarget(req.body.target);
    if (name === '') throw errors.badRequest('Name parameter required.');
    // kube-apiserver keeps uid and resourceVersion of the body only for the subresource (they become preconditions);
    // the create handler of the `bindings` collection wipes them like any other system field.
    const preconditions: { uid?: string; resourceVersion?: string } = {};
    if (!req.fromCollection) {
      if (str(metadata.uid)) preconditions.uid = str(metadata.uid);
      if (str(metadata.resourceVersion)) preconditions.resourceVersion = str(metadata.resourceVersion);
    }
    const node = str((req.body.target as Obj).name);
    const annotations = isObj(metadata.annotations) ? (metadata.annotations as Record<string, string>) : {};
    await req.store.guaranteedUpdate(req.view, req.namespace, name, (pod) => bind(pod, node, annotations, new Date()), {
      dryRun: req.dryRun,
      preconditions: Object.keys(preconditions).length > 0 ? preconditions : undefined,
    });
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
  },
};

/**
 * ValidatePodBinding: the target's kind is `Node` or empty, its name is set. Upstream returns the field errors as a
 * plain aggregate error, which kube-apiserver answers as a 500 with the errors as the message (no reason).
 */
function checkTarget(target: unknown): void {
  const t = isObj(target) ? target : {};
  const errs: FieldError[] = [];
  const kind = str(t.kind);
  if (kind !== '' && kind !== 'Node') errs.push(fieldErr.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (str(t.name) === '') errs.push(fieldErr.required('target.name'));
  if (errs.length === 0) return;
  const messages = errs.map(fieldErrorString);
  throw new StatusError({ message: messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`, code: 500 });
}

/** The binding's change of a (mutable, storage-form) pod; throws the 409 upstream answers when it cannot apply. */
function bind(pod: KubeObject, node: string, annotations: Record<string, string>, now: Date): void {
  const name = pod.metadata.name ?? '';
  const refuse = (why: string) => errors.conflict(BINDING_RESOURCE, name, why);
  if (pod.metadata.deletionTimestamp) throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
  const spec: Obj = isObj(pod.spec) ? pod.spec : (pod.spec = {});
  const current = str(spec.nodeName);
  if (current !== '') throw refuse(`pod ${name} is already assigned to node ${JSON.stringify(current)}`);
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0)
    throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
  spec.nodeName = node;
  if (Object.keys(annotations).length > 0)
    pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
  const status: Obj = isObj(pod.status) ? pod.status : {};
  const conditions = updatePodCondition(status.conditions, { type: 'PodScheduled', status: 'True' }, now);
  // conditions follow phase, as PodStatus serializes its fields
  const { phase, conditions: _old, ...rest } = status;
  pod.status = phase === undefined ? { conditions, ...rest } : { phase, conditions, ...rest };
}

/**
 * podutil.UpdatePodCondition: the condition replaces the one of its type (appended when there is none); its
 * lastTransitionTime is now unless the status stays the same, when the old one is kept. Fields the new condition
 * leaves out (reason, message) are gone, lastProbeTime is null.
 */
function updatePodCondition(
  conditions: unknown,
  next: { type: string; status: string; reason?: string; message?: string },
  now: Date,
): Obj[] {
  const list = Array.isArray(conditions) ? (conditions as Obj[]).filter(isObj) : [];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const condition: Obj = {
    type: next.type,
    status: next.status,
    lastProbeTime: null,
    lastTransitionTime:
      old && old.status === next.status && old.lastTransitionTime !== undefined ? old.lastTransitionTime : rfc3339(now),
  };
  if (next.reason) condition.reason = next.reason;
  if (next.message) condition.message = next.message;
  return i >= 0 ? list.map((c, j) => (j === i ? condition : c)) : [...list, condition];
}
