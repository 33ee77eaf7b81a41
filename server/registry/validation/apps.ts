/**
 * apps/v1 validation (pkg/apis/apps/validation): DaemonSets (spec, update, status update) and
 * ControllerRevisions, with upstream's field paths and messages. Objects are in the STORAGE form (apps/v1 JSON,
 * templateGeneration in the `deprecated.daemonset.template.generation` annotation). Bad values of Go structs are
 * rendered as kube-apiserver renders them (`%#v` of the internal type, `String()` of IntOrString), so 422
 * messages read like the real ones.
 */
import { semanticEqual as strictEqual } from '../../../apimachinery/copy.js';
import {
  child,
  fieldErr,
  type FieldError,
  goQuote,
  goStringSlice,
  index,
  invalidRendered,
  key,
  renderedError,
} from '../../../apimachinery/field-errors.js';
import {
  isEmptyLabelSelector,
  labelSelectorFromObject,
  type LabelSelectorObject,
  validateLabels,
  validateLabelSelector,
} from '../../../apimachinery/labels.js';
import { regexError } from '../../../apimachinery/validation.js';
import { arr, isObj, num, obj, semanticEqual, sortedKeys, str, type Obj } from './helpers.js';
import { FIELD_IMMUTABLE, validateAnnotations } from './meta.js';
import { validatePodSpec } from './pod.js';

/** The annotation the apps/v1 form carries `spec.templateGeneration` in (upstream's DeprecatedTemplateGeneration). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** Upstream's IsNegativeErrorMsg. */
export const NEGATIVE_ERROR = 'must be greater than or equal to 0';

const MAX_INT32 = 2147483647;

/**
 * The templateGeneration of a storage-form DaemonSet: its annotation parsed as an integer, 0 when absent or
 * unparseable (the views reject unparseable values before anything is stored).
 */
export function templateGenerationOf(ds: {
  metadata?: { annotations?: Record<string, string> | null } | null;
}): number {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v)) return 0;
  return Number(v);
}

/** Writes the templateGeneration annotation of a (mutable) storage-form DaemonSet. */
export function setTemplateGeneration(
  ds: { metadata: { annotations?: Record<string, string> | null } },
  generation: number,
): void {
  const ann = isObj(ds.metadata.annotations) ? ds.metadata.annotations : (ds.metadata.annotations = {});
  ann[TEMPLATE_GENERATION_ANNOTATION] = String(generation);
}

// ---- Go renderings of bad values ----

/** `%#v` of a Go `map[string]string`: `map[string]string{"a":"b", "c":"d"}`, `map[string]string(nil)` when absent. */
export function goStringMap(m: unknown): string {
  if (!isObj(m)) return 'map[string]string(nil)';
  return `map[string]string{${sortedKeys(m)
    .map((k) => `${goQuote(k)}:${goQuote(str(m[k]))}`)
    .join(', ')}}`;
}

/**
 * `%#v` of a metav1.LabelSelector, as validation errors print a selector:
 * `v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
 */
export function goLabelSelector(sel: LabelSelectorObject): string {
  const exprs = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map(
          (e) =>
            `v1.LabelSelectorRequirement{Key:${goQuote(str(e?.key))}, Operator:${goQuote(str(e?.operator))}, Values:${goStringSlice(Array.isArray(e?.values) ? e.values.map(str) : null)}}`,
        )
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** IntOrString's `String()`: the number, or the string unquoted. */
export function goIntOrString(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  if (typeof v === 'string') return v;
  return JSON.stringify(v ?? null);
}

/**
 * `%#v` of the internal DaemonSetUpdateStrategy. A set rollingUpdate pointer prints as an address upstream; a
 * fixed placeholder address stands in for it here.
 */
export function goUpdateStrategy(s: Obj): string {
  const ru = isObj(s.rollingUpdate)
    ? '(*apps.RollingUpdateDaemonSet)(0xc000000000)'
    : '(*apps.RollingUpdateDaemonSet)(nil)';
  return `apps.DaemonSetUpdateStrategy{Type:${goQuote(str(s.type))}, RollingUpdate:${ru}}`;
}

/** `%#v` of the runtime.Unknown a ControllerRevision's data decodes to internally (Raw = its JSON bytes). */
export function goRawExtension(data: unknown): string {
  const bytes = [...Buffer.from(JSON.stringify(data ?? null), 'utf8')].map((b) => `0x${b.toString(16)}`).join(', ');
  return `runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:"", Kind:""}, Raw:[]uint8{${bytes}}, ContentEncoding:"", ContentType:"application/json"}`;
}

// ---- generic helpers ----

/** apivalidation.ValidateNonnegativeField. */
export function validateNonnegative(value: number, path: string): FieldError[] {
  return value < 0 ? [fieldErr.invalid(path, value, NEGATIVE_ERROR)] : [];
}

const PERCENT_RE = /^[0-9]+%$/;
const PERCENT_ERROR = regexError(
  "a valid percent string must be a numeric string followed by an ending '%'",
  '[0-9]+%',
  '1%',
  '93%',
);

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && PERCENT_RE.test(v) ? Number(v.slice(0, -1)) : undefined;
}

/** Upstream's getIntOrPercentValue: the percentage, the integer, or a numeric string's value (0 otherwise). */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

/** ValidatePositiveIntOrPercent: an integer ≥ 0 or a valid percent string (an absent value is the integer 0). */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (v == null) return [];
  if (typeof v === 'string')
    return PERCENT_RE.test(v) ? [] : [renderedError('FieldValueInvalid', path, v, v, PERCENT_ERROR)];
  if (typeof v === 'number' && Number.isInteger(v)) return validateNonnegative(v, path);
  return [
    renderedError('FieldValueInvalid', path, goIntOrString(v), v, "must be an integer or percentage (e.g '5%%')"),
  ];
}

/** IsNotMoreThan100Percent. */
export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100
    ? [renderedError('FieldValueInvalid', path, goIntOrString(v), v, 'must not be greater than 100%')]
    : [];
}

// ---- pod template ----

/**
 * core ValidatePodTemplateSpec as workloads run it: template labels and annotations (reported at
 * `<path>.labels`/`<path>.annotations`, as upstream does), the pod-specific annotations, the pod spec, and no
 * ephemeral containers.
 */
export function validatePodTemplateSpec(template: unknown, path: string): FieldError[] {
  const t = obj(template);
  const meta = obj(t.metadata);
  const spec = obj(t.spec);
  const errs = validateLabels(meta.labels as Record<string, unknown> | undefined, child(path, 'labels'));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  const ann = obj(meta.annotations);
  const annPath = child(path, 'annotations');
  const mirror = 'kubernetes.io/config.mirror';
  if (mirror in ann && !str(spec.nodeName))
    errs.push(
      fieldErr.invalid(
        key(annPath, mirror),
        str(ann[mirror]),
        'must set spec.nodeName if mirror pod annotation is set',
      ),
    );
  const cost = 'controller.kubernetes.io/pod-deletion-cost';
  if (cost in ann) {
    const v = str(ann[cost]);
    const firstOk = v.startsWith('-') || v === '0' || /^[1-9]/.test(v);
    const ok = firstOk && /^-?\d+$/.test(v) && Number(v) <= MAX_INT32 && Number(v) >= -MAX_INT32 - 1;
    if (!ok) errs.push(fieldErr.invalid(key(annPath, cost), v, 'must be a 32bit integer'));
  }
  errs.push(...validatePodSpec(spec, child(path, 'spec'), { resourceIsPod: false }));
  if (arr(spec.ephemeralContainers).length > 0)
    errs.push(
      fieldErr.forbidden(
        child(child(path, 'spec'), 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  return errs;
}

// ---- DaemonSet ----

/** ValidateRollingUpdateDaemonSet: both limits int-or-percent, ≤ 100%, and exactly one of them non-zero. */
export function validateRollingUpdateDaemonSet(ru: Obj, path: string): FieldError[] {
  const muPath = child(path, 'maxUnavailable');
  const msPath = child(path, 'maxSurge');
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, muPath),
    ...validatePositiveIntOrPercent(ru.maxSurge, msPath),
  ];
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, muPath), ...isNotMoreThan100Percent(ru.maxSurge, msPath));
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge)
    errs.push(
      renderedError(
        'FieldValueInvalid',
        msPath,
        goIntOrString(ru.maxSurge),
        ru.maxSurge,
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  else if (!hasUnavailable && !hasSurge) errs.push(fieldErr.required(muPath, 'cannot be 0 when maxSurge is 0'));
  return errs;
}

/** ValidateDaemonSetUpdateStrategy: RollingUpdate (with its rollingUpdate) or OnDelete. */
export function validateDaemonSetUpdateStrategy(strategy: unknown, path: string): FieldError[] {
  const s = obj(strategy);
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate':
      if (!isObj(s.rollingUpdate)) return [fieldErr.required(child(path, 'rollingUpdate'), '')];
      return validateRollingUpdateDaemonSet(s.rollingUpdate, child(path, 'rollingUpdate'));
    default:
      return [
        renderedError(
          'FieldValueNotSupported',
          path,
          goUpdateStrategy(s),
          strategy,
          'supported values: "RollingUpdate", "OnDelete"',
        ),
      ];
  }
}

/** GCE PDs mounted by more than one pod must be read-only (ValidateReadOnlyPersistentDisks). */
function readOnlyPersistentDisks(volumes: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Obj>(volumes).forEach((v, i) => {
    if (isObj(v) && isObj(v.gcePersistentDisk) && !v.gcePersistentDisk.readOnly) {
      errs.push(
        fieldErr.invalid(
          child(index(path, i), 'gcePersistentDisk.readOnly'),
          false,
          'must be true for replicated pods > 1; GCE PD can only be mounted on multiple machines if it is read-only',
        ),
      );
    }
  });
  return errs;
}

/**
 * ValidateDaemonSetSpec on a storage-form DaemonSet: selector valid, non-empty and matching the template labels,
 * the pod template (restartPolicy Always, no activeDeadlineSeconds, read-only GCE PDs), non-negative counters,
 * the update strategy. `spec.templateGeneration` is read from the annotation.
 */
export function validateDaemonSetSpec(ds: Obj, path = 'spec'): FieldError[] {
  const spec = obj(ds.spec);
  const template = obj(spec.template);
  const tmeta = obj(template.metadata);
  const tspec = obj(template.spec);
  const sel = spec.selector == null ? null : (obj(spec.selector) as LabelSelectorObject);
  const errs = validateLabelSelector(sel, child(path, 'selector'));
  let matches = false;
  let parsed = true;
  try {
    matches = labelSelectorFromObject(sel).matches(tmeta.labels as Record<string, string> | undefined);
  } catch {
    parsed = false;
  }
  if (parsed && !matches) {
    errs.push(
      invalidRendered(
        `${path}.template.metadata.labels`,
        goStringMap(tmeta.labels),
        tmeta.labels ?? null,
        '`selector` does not match template `labels`',
      ),
    );
  }
  if (sel && isEmptyLabelSelector(sel)) {
    errs.push(
      invalidRendered(child(path, 'selector'), goLabelSelector(sel), sel, 'empty selector is invalid for daemonset'),
    );
  }
  errs.push(...validatePodTemplateSpec(template, child(path, 'template')));
  errs.push(...readOnlyPersistentDisks(tspec.volumes, `${path}.template.spec.volumes`));
  if (tspec.restartPolicy !== 'Always')
    errs.push(fieldErr.notSupported(`${path}.template.spec.restartPolicy`, str(tspec.restartPolicy), ['Always']));
  if (tspec.activeDeadlineSeconds != null)
    errs.push(
      fieldErr.forbidden(
        `${path}.template.spec.activeDeadlineSeconds`,
        'activeDeadlineSeconds in DaemonSet is not Supported',
      ),
    );
  errs.push(...validateNonnegative(num(spec.minReadySeconds) ?? 0, child(path, 'minReadySeconds')));
  errs.push(
    ...validateNonnegative(
      templateGenerationOf(ds as { metadata?: { annotations?: Record<string, string> } }),
      child(path, 'templateGeneration'),
    ),
  );
  errs.push(...validateDaemonSetUpdateStrategy(spec.updateStrategy, child(path, 'updateStrategy')));
  if (spec.revisionHistoryLimit != null)
    errs.push(...validateNonnegative(num(spec.revisionHistoryLimit) ?? 0, child(path, 'revisionHistoryLimit')));
  return errs;
}

/**
 * ValidateDaemonSetSpecUpdate: templateGeneration never decreases, and grows exactly when the template changes
 * (checked after the strategy has bumped it, so only a broken strategy or a direct caller trips it).
 */
export function validateDaemonSetSpecUpdate(ds: Obj, old: Obj, path = 'spec'): FieldError[] {
  const tg = templateGenerationOf(ds as { metadata?: { annotations?: Record<string, string> } });
  const oldTg = templateGenerationOf(old as { metadata?: { annotations?: Record<string, string> } });
  const p = child(path, 'templateGeneration');
  const errs: FieldError[] = [];
  if (tg < oldTg) errs.push(fieldErr.invalid(p, tg, 'must not be decremented'));
  const templateUpdated = !semanticEqual(obj(ds.spec).template, obj(old.spec).template);
  if (tg === oldTg && templateUpdated) errs.push(fieldErr.invalid(p, tg, 'must be incremented upon template update'));
  else if (tg > oldTg && !templateUpdated)
    errs.push(fieldErr.invalid(p, tg, 'must not be incremented without template update'));
  return errs;
}

/** The selector of every group/version but extensions/v1beta1 is immutable (`spec.selector: ... field is immutable`). */
export function validateDaemonSetSelectorUpdate(ds: Obj, old: Obj): FieldError[] {
  const sel = obj(ds.spec).selector;
  const oldSel = obj(old.spec).selector;
  if ((sel == null) === (oldSel == null) && semanticEqual(sel, oldSel)) return [];
  const rendered = sel == null ? '"null"' : goLabelSelector(obj(sel) as LabelSelectorObject);
  return [invalidRendered('spec.selector', rendered, sel ?? null, FIELD_IMMUTABLE)];
}

const STATUS_COUNTERS = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
] as const;

/** ValidateDaemonSetStatusUpdate (status part): every counter ≥ 0 and collisionCount never decremented. */
export function validateDaemonSetStatusUpdate(ds: Obj, old: Obj): FieldError[] {
  const st = obj(ds.status);
  const errs: FieldError[] = [];
  for (const f of STATUS_COUNTERS) errs.push(...validateNonnegative(num(st[f]) ?? 0, `status.${f}`));
  if (st.collisionCount != null)
    errs.push(...validateNonnegative(num(st.collisionCount) ?? 0, 'status.collisionCount'));
  const oldCount = num(obj(old.status).collisionCount);
  const newCount = num(st.collisionCount);
  if (oldCount !== undefined && (newCount === undefined || newCount < oldCount)) {
    errs.push(fieldErr.invalid('status.collisionCount', newCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}

// ---- ControllerRevision ----

/** ValidateControllerRevision (beyond ObjectMeta): data present, revision ≥ 0. */
export function validateControllerRevision(cr: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (cr.data == null) errs.push(fieldErr.required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(num(cr.revision) ?? 0, 'revision'));
  return errs;
}

/** ValidateControllerRevisionUpdate (beyond ObjectMeta): the create rules plus immutable data. */
export function validateControllerRevisionUpdate(cr: Obj, old: Obj): FieldError[] {
  const errs = validateControllerRevision(cr);
  if (!strictEqual(cr.data ?? null, old.data ?? null)) {
    errs.push(
      invalidRendered('data', cr.data == null ? '"null"' : goRawExtension(cr.data), cr.data ?? null, FIELD_IMMUTABLE),
    );
  }
  return errs;
}

// ---- ReplicaSet and Deployment ----

/**
 * The selector part shared by ValidateReplicaSetSpec and ValidateDeploymentSpec: required, valid, non-empty
 * (upstream says "for deployment" for both), then the template as ValidatePodTemplateSpecForReplicaSet checks it:
 * labels matched by the selector, restartPolicy Always, no activeDeadlineSeconds, read-only GCE PDs when
 * replicas > 1. `kindWord` is the kind in the activeDeadlineSeconds message (`ReplicaSet`; Deployments say it too).
 */
function validateReplicatedSelectorAndTemplate(spec: Obj, path: string): FieldError[] {
  const selPath = child(path, 'selector');
  const errs: FieldError[] = [];
  const sel = spec.selector == null ? null : (obj(spec.selector) as LabelSelectorObject);
  if (sel == null) errs.push(fieldErr.required(selPath, ''));
  else {
    errs.push(...validateLabelSelector(sel, selPath));
    if (isEmptyLabelSelector(sel))
      errs.push(invalidRendered(selPath, goLabelSelector(sel), sel, 'empty selector is invalid for deployment'));
  }
  let selector;
  try {
    selector = labelSelectorFromObject(sel);
  } catch {
    errs.push(invalidRendered(selPath, sel ? goLabelSelector(sel) : '"null"', sel, 'invalid label selector'));
    return errs;
  }
  const tPath = child(path, 'template');
  const template = obj(spec.template);
  const tmeta = obj(template.metadata);
  const tspec = obj(template.spec);
  if (!selector.empty && !selector.matches(tmeta.labels as Record<string, string> | undefined))
    errs.push(
      invalidRendered(
        `${tPath}.metadata.labels`,
        goStringMap(tmeta.labels),
        tmeta.labels ?? null,
        '`selector` does not match template `labels`',
      ),
    );
  errs.push(...validatePodTemplateSpec(template, tPath));
  if ((num(spec.replicas) ?? 1) > 1) errs.push(...readOnlyPersistentDisks(tspec.volumes, `${tPath}.spec.volumes`));
  if (tspec.restartPolicy !== 'Always')
    errs.push(fieldErr.notSupported(`${tPath}.spec.restartPolicy`, str(tspec.restartPolicy), ['Always']));
  if (tspec.activeDeadlineSeconds != null)
    errs.push(
      fieldErr.forbidden(`${tPath}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'),
    );
  return errs;
}

/** ValidateReplicaSetSpec on a storage-form ReplicaSet. */
export function validateReplicaSetSpec(rs: Obj, path = 'spec'): FieldError[] {
  const spec = obj(rs.spec);
  return [
    ...validateNonnegative(num(spec.replicas) ?? 0, child(path, 'replicas')),
    ...validateNonnegative(num(spec.minReadySeconds) ?? 0, child(path, 'minReadySeconds')),
    ...validateReplicatedSelectorAndTemplate(spec, path),
  ];
}

/** `%#v` of the internal DeploymentStrategy (a set rollingUpdate pointer prints as a placeholder address). */
function goDeploymentStrategyType(t: unknown): string {
  return goQuote(str(t));
}

/** ValidateDeploymentStrategy with ValidateRollingUpdateDeployment. */
export function validateDeploymentStrategy(strategy: unknown, path: string): FieldError[] {
  const s = obj(strategy);
  const ruPath = child(path, 'rollingUpdate');
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate != null
        ? [fieldErr.forbidden(ruPath, "may not be specified when strategy `type` is 'Recreate'")]
        : [];
    case 'RollingUpdate': {
      if (!isObj(s.rollingUpdate)) return [fieldErr.required(ruPath, 'this should be defaulted and never be nil')];
      const ru = s.rollingUpdate;
      const muPath = child(ruPath, 'maxUnavailable');
      const errs = [
        ...validatePositiveIntOrPercent(ru.maxUnavailable, muPath),
        ...validatePositiveIntOrPercent(ru.maxSurge, child(ruPath, 'maxSurge')),
      ];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0)
        errs.push(
          renderedError(
            'FieldValueInvalid',
            muPath,
            goIntOrString(ru.maxUnavailable ?? 0),
            ru.maxUnavailable ?? 0,
            'may not be 0 when `maxSurge` is 0',
          ),
        );
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, muPath));
      return errs;
    }
    default:
      return [
        renderedError(
          'FieldValueNotSupported',
          child(path, 'Type'),
          goDeploymentStrategyType(s.type),
          s.type,
          'supported values: "Recreate", "RollingUpdate"',
        ),
      ];
  }
}

/** ValidateDeploymentSpec on a storage-form Deployment. */
export function validateDeploymentSpec(d: Obj, path = 'spec'): FieldError[] {
  const spec = obj(d.spec);
  const errs = [
    ...validateNonnegative(num(spec.replicas) ?? 0, child(path, 'replicas')),
    ...validateReplicatedSelectorAndTemplate(spec, path),
    ...validateDeploymentStrategy(spec.strategy, child(path, 'strategy')),
    ...validateNonnegative(num(spec.minReadySeconds) ?? 0, child(path, 'minReadySeconds')),
  ];
  if (spec.revisionHistoryLimit != null)
    errs.push(...validateNonnegative(num(spec.revisionHistoryLimit) ?? 0, child(path, 'revisionHistoryLimit')));
  if (spec.progressDeadlineSeconds != null) {
    const pds = num(spec.progressDeadlineSeconds) ?? 0;
    const pdsPath = child(path, 'progressDeadlineSeconds');
    errs.push(...validateNonnegative(pds, pdsPath));
    if (pds <= (num(spec.minReadySeconds) ?? 0))
      errs.push(fieldErr.invalid(pdsPath, pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** ValidateReplicaSetStatus (and the update's collision rules do not apply: a ReplicaSet has no collisionCount). */
export function validateReplicaSetStatus(rs: Obj): FieldError[] {
  const st = obj(rs.status);
  const errs: FieldError[] = [];
  const v = (f: string) => num(st[f]) ?? 0;
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'])
    errs.push(...validateNonnegative(v(f), `status.${f}`));
  const msg = 'cannot be greater than the number of replicas';
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
    if (v(f) > v('replicas')) errs.push(fieldErr.invalid(`status.${f}`, v(f), msg));
  if (v('availableReplicas') > v('readyReplicas'))
    errs.push(
      fieldErr.invalid('status.availableReplicas', v('availableReplicas'), 'cannot be greater than readyReplicas'),
    );
  return errs;
}

/** ValidateDeploymentStatusUpdate: ValidateDeploymentStatus plus collisionCount never decremented. */
export function validateDeploymentStatusUpdate(d: Obj, old: Obj): FieldError[] {
  const st = obj(d.status);
  const errs: FieldError[] = [];
  const v = (f: string) => num(st[f]) ?? 0;
  for (const f of ['observedGeneration', 'replicas', 'updatedReplicas', 'availableReplicas', 'unavailableReplicas'])
    errs.push(...validateNonnegative(v(f), `status.${f}`));
  if (st.collisionCount != null) errs.push(...validateNonnegative(v('collisionCount'), 'status.collisionCount'));
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['updatedReplicas', 'readyReplicas', 'availableReplicas'])
    if (v(f) > v('replicas')) errs.push(fieldErr.invalid(`status.${f}`, v(f), msg));
  if (v('availableReplicas') > v('readyReplicas'))
    errs.push(
      fieldErr.invalid('status.availableReplicas', v('availableReplicas'), 'cannot be greater than readyReplicas'),
    );
  const oldCount = num(obj(old.status).collisionCount);
  const newCount = num(st.collisionCount);
  if (oldCount !== undefined && (newCount === undefined || newCount < oldCount))
    errs.push(fieldErr.invalid('status.collisionCount', newCount ?? 0, 'cannot be decremented'));
  return errs;
}
