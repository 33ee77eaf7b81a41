import { type FieldError, goQuote, goStringSlice, invalidRendered } from '../../../apimachinery/field-errors.js';
import { errors } from '../status.js';
import { emptyObjectMeta, isObj, nonEmptyStrings, type VirtualResource } from './definition.js';

type Obj = Record<string, unknown>;

const RESOURCE_ATTRIBUTES = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'] as const;
const NON_RESOURCE_ATTRIBUTES = ['path', 'verb'] as const;

/**
 * authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i <verb> <resource>`): may the caller do this?
 * The emulator enforces no authorization (kube-apiserver's AlwaysAllow mode), so every well-formed question is
 * answered `allowed: true`. The answer echoes the question (spec) with the status filled in.
 */
export const selfSubjectAccessReviews: VirtualResource = {
  group: 'authorization.k8s.io',
  versions: ['v1'],
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  kind: 'SelfSubjectAccessReview',
  create({ body }) {
    const spec = isObj(body.spec) ? body.spec : {};
    const errs = validate(spec, isObj(body.metadata) ? body.metadata : {});
    // Upstream names the group with the kind of the decoded (internal) object, which is empty: `.authorization.k8s.io`.
    if (errs.length) throw errors.invalid('authorization.k8s.io', '', '', errs);
    const echoed: Obj = {};
    if (isObj(spec.resourceAttributes))
      echoed.resourceAttributes = nonEmptyStrings(spec.resourceAttributes, RESOURCE_ATTRIBUTES);
    if (isObj(spec.nonResourceAttributes))
      echoed.nonResourceAttributes = nonEmptyStrings(spec.nonResourceAttributes, NON_RESOURCE_ATTRIBUTES);
    return { metadata: emptyObjectMeta(), spec: echoed, status: { allowed: true } };
  },
};

/** Upstream's ValidateSelfSubjectAccessReview: exactly one kind of attributes, and no metadata. */
function validate(spec: Obj, metadata: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const resource = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonResource = isObj(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (resource && nonResource) {
    errs.push(
      invalidRendered(
        'spec.nonResourceAttributes',
        goNonResourceAttributes(nonResource),
        nonResource,
        'cannot be specified in combination with resourceAttributes',
      ),
    );
  }
  if (!resource && !nonResource) {
    errs.push(
      invalidRendered(
        'spec.resourceAttributes',
        '"null"',
        null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    );
  }
  if (!metadataIsEmpty(metadata))
    errs.push(invalidRendered('metadata', goObjectMeta(metadata), metadata, 'must be empty'));
  return errs;
}

/** Whether metadata is the zero ObjectMeta apart from managedFields (Go's semantic equality: null, "", 0, {} and [] are empty). */
function metadataIsEmpty(meta: Obj): boolean {
  return Object.entries(meta).every(([k, v]) => k === 'managedFields' || isZero(v));
}

function isZero(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObj(v) && Object.keys(v).length === 0;
}

// Go's %#v of the values upstream puts in these errors.

function goNonResourceAttributes(v: Obj): string {
  return `authorization.NonResourceAttributes{Path:${goQuote(str(v.path))}, Verb:${goQuote(str(v.verb))}}`;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A metav1.Time as `%#v` prints it: `time.Date(2024, time.May, 1, 12, 0, 0, 0, time.UTC)`. */
function goTimeValue(v: unknown): string {
  const d = typeof v === 'string' ? new Date(v) : new Date(Date.UTC(1, 0, 1));
  if (typeof v !== 'string' || Number.isNaN(d.getTime())) return 'time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC)';
  const nanos = Number(((/\.(\d+)/.exec(v)?.[1] ?? '') + '000000000').slice(0, 9));
  return `time.Date(${d.getUTCFullYear()}, time.${MONTHS[d.getUTCMonth()]}, ${d.getUTCDate()}, ${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, ${nanos}, time.UTC)`;
}

function goStringMap(v: unknown): string {
  if (!isObj(v)) return 'map[string]string(nil)';
  const entries = Object.keys(v)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(str(v[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

function goBoolPointer(v: unknown): string {
  return typeof v === 'boolean' ? '(*bool)(0xc000000000)' : '(*bool)(nil)';
}

function goOwnerReferences(v: unknown): string {
  if (!Array.isArray(v)) return '[]v1.OwnerReference(nil)';
  const refs = v.map((r) => {
    const o = isObj(r) ? r : {};
    return (
      `v1.OwnerReference{APIVersion:${goQuote(str(o.apiVersion))}, Kind:${goQuote(str(o.kind))}, Name:${goQuote(str(o.name))}, ` +
      `UID:${goQuote(str(o.uid))}, Controller:${goBoolPointer(o.controller)}, BlockOwnerDeletion:${goBoolPointer(o.blockOwnerDeletion)}}`
    );
  });
  return `[]v1.OwnerReference{${refs.join(', ')}}`;
}

/** The `%#v` of a v1.ObjectMeta, the bad value of `metadata: must be empty`. */
function goObjectMeta(m: Obj): string {
  const s = (k: string) => goQuote(str(m[k]));
  const fields = [
    `Name:${s('name')}`,
    `GenerateName:${s('generateName')}`,
    `Namespace:${s('namespace')}`,
    `SelfLink:${s('selfLink')}`,
    `UID:${s('uid')}`,
    `ResourceVersion:${s('resourceVersion')}`,
    `Generation:${typeof m.generation === 'number' ? m.generation : 0}`,
    `CreationTimestamp:${goTimeValue(m.creationTimestamp)}`,
    `DeletionTimestamp:${typeof m.deletionTimestamp === 'string' ? goTimeValue(m.deletionTimestamp) : '<nil>'}`,
    `DeletionGracePeriodSeconds:${typeof m.deletionGracePeriodSeconds === 'number' ? '(*int64)(0xc000000000)' : '(*int64)(nil)'}`,
    `Labels:${goStringMap(m.labels)}`,
    `Annotations:${goStringMap(m.annotations)}`,
    `OwnerReferences:${goOwnerReferences(m.ownerReferences)}`,
    `Finalizers:${goStringSlice(Array.isArray(m.finalizers) ? m.finalizers.map(str) : null)}`,
    'ManagedFields:[]v1.ManagedFieldsEntry(nil)',
  ];
  return `v1.ObjectMeta{${fields.join(', ')}}`;
}
