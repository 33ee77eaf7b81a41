/**
 * rbac.authorization.k8s.io validation and defaulting (pkg/apis/rbac/validation/validation.go and
 * pkg/apis/rbac/v1/defaults.go): names are path segments (ValidateRBACName); policy rules need verbs and either
 * API groups with resources or, in cluster roles only, non-resource URLs; bindings name a Role or ClusterRole of
 * rbac.authorization.k8s.io and never change it; subjects are users, groups (of rbac.authorization.k8s.io) or service
 * accounts (of the core group, with a namespace on cluster role bindings). Bad values are rendered as kube-apiserver
 * renders them (`%#v` of the internal Go value), so 422 messages match. Pure functions.
 */
import {
  child,
  fieldErr,
  goQuote,
  goStringSlice,
  index,
  invalidRendered,
  renderedError,
  type FieldError,
} from '../../../apimachinery/field-errors.js';
import {
  labelSelectorFromObject,
  validateLabelSelector,
  type LabelSelectorObject,
} from '../../../apimachinery/labels.js';
import { arr, isObj, str, type Obj } from './helpers.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain, nameIsPathSegment } from './names.js';

/** The API group of roles and bindings (rbac.GroupName). */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** Subject kinds (rbac.ServiceAccountKind, UserKind, GroupKind), in the order upstream lists them. */
const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'] as const;

/** The JSON fields of a PolicyRule, in Go field order. */
const RULE_FIELDS = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;

const strings = (v: unknown): string[] => arr(v).map(str);

// ---- canonical form ----

/**
 * A policy rule as kube-apiserver stores and returns it: fields in Go order, empty lists dropped (they are
 * `omitempty`), `verbs` always present. Unknown content is left for validation to report.
 */
function canonicalRule(rule: unknown): unknown {
  if (!isObj(rule)) return rule;
  const out: Obj = {};
  for (const f of RULE_FIELDS) {
    const v = rule[f];
    if (f === 'verbs') out.verbs = v ?? null;
    else if (Array.isArray(v) && v.length > 0) out[f] = v;
  }
  return out;
}

/**
 * A Role or ClusterRole in canonical form: `rules` (an absent list is `null`, as Go writes the non-omitempty
 * field) after the metadata, then a cluster role's `aggregationRule` (a null one is absent).
 */
export function canonicalRole(obj: Obj): void {
  const rules = obj.rules;
  const aggregationRule = obj.aggregationRule;
  delete obj.rules;
  delete obj.aggregationRule;
  obj.rules = Array.isArray(rules) ? rules.map(canonicalRule) : null;
  if (aggregationRule != null) obj.aggregationRule = aggregationRule;
}

function canonicalSubject(s: unknown): unknown {
  if (!isObj(s)) return s;
  const out: Obj = { kind: str(s.kind) };
  if (str(s.apiGroup)) out.apiGroup = s.apiGroup;
  out.name = str(s.name);
  if (str(s.namespace)) out.namespace = s.namespace;
  return out;
}

/** A binding's subjects and roleRef in Go field order (subjects omitted when empty). */
export function canonicalBinding(obj: Obj): void {
  const subjects = obj.subjects;
  const roleRef = obj.roleRef;
  delete obj.subjects;
  delete obj.roleRef;
  if (Array.isArray(subjects) && subjects.length > 0) obj.subjects = subjects.map(canonicalSubject);
  const ref = isObj(roleRef) ? roleRef : {};
  obj.roleRef = { apiGroup: str(ref.apiGroup), kind: str(ref.kind), name: str(ref.name) };
}

// ---- defaulting (rbac/v1) ----

/** SetDefaults_Subject: users and groups belong to rbac.authorization.k8s.io; service accounts to the core group. */
export function defaultSubject(s: unknown): void {
  if (!isObj(s) || str(s.apiGroup)) return;
  if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding, and the subjects' defaults. */
export function defaultBinding(obj: Obj): void {
  if (!isObj(obj.roleRef)) obj.roleRef = {};
  const ref = obj.roleRef as Obj;
  if (!str(ref.apiGroup)) ref.apiGroup = RBAC_GROUP;
  for (const s of arr(obj.subjects)) defaultSubject(s);
}

// ---- rules and roles ----

/**
 * ValidatePolicyRule: verbs are required; a rule with non-resource URLs may not be namespaced nor name API groups,
 * resources or resource names; any other rule needs at least one API group and one resource.
 */
export function validatePolicyRule(rule: unknown, namespaced: boolean, path: string): FieldError[] {
  const r = isObj(rule) ? rule : {};
  const errs: FieldError[] = [];
  if (arr(r.verbs).length === 0)
    errs.push(fieldErr.required(child(path, 'verbs'), 'verbs must contain at least one value'));
  const urls = strings(r.nonResourceURLs);
  if (urls.length > 0) {
    const urlsPath = child(path, 'nonResourceURLs');
    if (namespaced)
      errs.push(
        invalidRendered(urlsPath, goStringSlice(urls), urls, 'namespaced rules cannot apply to non-resource URLs'),
      );
    if (arr(r.apiGroups).length > 0 || arr(r.resources).length > 0 || arr(r.resourceNames).length > 0) {
      errs.push(
        invalidRendered(
          urlsPath,
          goStringSlice(urls),
          urls,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errs;
  }
  if (arr(r.apiGroups).length === 0)
    errs.push(fieldErr.required(child(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (arr(r.resources).length === 0)
    errs.push(fieldErr.required(child(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRules(rules: unknown, namespaced: boolean): FieldError[] {
  return arr(rules).flatMap((rule, i) => validatePolicyRule(rule, namespaced, index('rules', i)));
}

/** ValidateRole: namespaced metadata with a path-segment name, then every rule (no non-resource URLs). */
export function validateRole(role: Obj): FieldError[] {
  return [
    ...validateObjectMeta(role.metadata as never, {
      namespaced: true,
      nameValidator: nameIsPathSegment,
      kubeFinalizers: true,
    }),
    ...validateRules(role.rules, true),
  ];
}

/** ValidateRoleUpdate (the metadata update rules come on top of the create rules). */
export function validateRoleUpdate(role: Obj, old: Obj): FieldError[] {
  return [
    ...validateRole(role),
    ...validateObjectMetaUpdate(role.metadata as never, old.metadata as never, 'metadata', { kubeFinalizers: true }),
  ];
}

/** Whether a cluster role's aggregation selectors already hold label values that are invalid today. */
export function hasInvalidLabelValueInSelectors(role: Obj): boolean {
  const rule = isObj(role.aggregationRule) ? role.aggregationRule : undefined;
  return arr(rule?.clusterRoleSelectors).some(
    (sel) => isObj(sel) && validateLabelSelector(sel as LabelSelectorObject, '').length > 0,
  );
}

/**
 * ValidateClusterRole: cluster-scoped metadata, the rules (non-resource URLs allowed), and an aggregation rule
 * that, when present, has at least one valid label selector.
 */
export function validateClusterRole(
  role: Obj,
  opts: { allowInvalidLabelValueInSelector?: boolean } = {},
): FieldError[] {
  const errs = [
    ...validateObjectMeta(role.metadata as never, {
      namespaced: false,
      nameValidator: nameIsPathSegment,
      kubeFinalizers: true,
    }),
    ...validateRules(role.rules, false),
  ];
  if (role.aggregationRule != null) {
    const rule = isObj(role.aggregationRule) ? role.aggregationRule : {};
    const selectors = arr(rule.clusterRoleSelectors);
    const path = 'aggregationRule.clusterRoleSelectors';
    if (selectors.length === 0)
      errs.push(fieldErr.required(path, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    selectors.forEach((sel, i) => {
      const p = index(path, i);
      const selector = (isObj(sel) ? sel : {}) as LabelSelectorObject;
      errs.push(
        ...validateLabelSelector(selector, p, {
          allowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector,
        }),
      );
      try {
        labelSelectorFromObject(selector);
      } catch {
        // Upstream reports the (nil) converted selector as the bad value, which prints as the string "null".
        errs.push(renderedError('FieldValueInvalid', p, goQuote('null'), null, 'invalid label selector.'));
      }
    });
  }
  return errs;
}

/** ValidateClusterRoleUpdate, with invalid selector label values tolerated when the old object had them already. */
export function validateClusterRoleUpdate(role: Obj, old: Obj): FieldError[] {
  const opts = { allowInvalidLabelValueInSelector: hasInvalidLabelValueInSelectors(old) };
  return [
    ...validateClusterRole(role, opts),
    ...validateObjectMetaUpdate(role.metadata as never, old.metadata as never, 'metadata', { kubeFinalizers: true }),
  ];
}

// ---- bindings ----

/** `%#v` of the internal rbac.RoleRef, the bad value of `cannot change roleRef`. */
export function goRoleRef(ref: unknown): string {
  const r = isObj(ref) ? ref : {};
  return `rbac.RoleRef{APIGroup:${goQuote(str(r.apiGroup))}, Kind:${goQuote(str(r.kind))}, Name:${goQuote(str(r.name))}}`;
}

/**
 * ValidateRoleBindingSubject: a name is required; service accounts have a DNS-subdomain name, no API group and (on
 * cluster role bindings) a namespace; users and groups belong to rbac.authorization.k8s.io; other kinds are refused.
 */
export function validateSubject(subject: unknown, namespaced: boolean, path: string): FieldError[] {
  const s = isObj(subject) ? subject : {};
  const errs: FieldError[] = [];
  const name = str(s.name);
  const apiGroup = str(s.apiGroup);
  if (!name) errs.push(fieldErr.required(child(path, 'name'), ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name)
        for (const m of nameIsDNSSubdomain(name, false)) errs.push(fieldErr.invalid(child(path, 'name'), name, m));
      if (apiGroup) errs.push(fieldErr.notSupported(child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !str(s.namespace)) errs.push(fieldErr.required(child(path, 'namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported(child(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(fieldErr.notSupported(child(path, 'kind'), str(s.kind), SUBJECT_KINDS));
  }
  return errs;
}

function validateRoleRefAndSubjects(binding: Obj, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(binding.roleRef) ? binding.roleRef : {};
  const apiGroup = str(ref.apiGroup);
  if (apiGroup !== RBAC_GROUP) errs.push(fieldErr.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const kind = str(ref.kind);
  if (!kinds.includes(kind)) errs.push(fieldErr.notSupported('roleRef.kind', kind, kinds));
  const name = str(ref.name);
  if (!name) errs.push(fieldErr.required('roleRef.name', ''));
  else for (const m of nameIsPathSegment(name, false)) errs.push(fieldErr.invalid('roleRef.name', name, m));
  arr(binding.subjects).forEach((s, i) => errs.push(...validateSubject(s, namespaced, index('subjects', i))));
  return errs;
}

/** ValidateRoleBinding: namespaced metadata, a roleRef to a Role or ClusterRole, valid subjects. */
export function validateRoleBinding(binding: Obj): FieldError[] {
  return [
    ...validateObjectMeta(binding.metadata as never, {
      namespaced: true,
      nameValidator: nameIsPathSegment,
      kubeFinalizers: true,
    }),
    ...validateRoleRefAndSubjects(binding, true),
  ];
}

/** ValidateClusterRoleBinding: cluster-scoped metadata, a roleRef to a ClusterRole, subjects (service accounts with a namespace). */
export function validateClusterRoleBinding(binding: Obj): FieldError[] {
  return [
    ...validateObjectMeta(binding.metadata as never, {
      namespaced: false,
      nameValidator: nameIsPathSegment,
      kubeFinalizers: true,
    }),
    ...validateRoleRefAndSubjects(binding, false),
  ];
}

function roleRefUnchanged(binding: Obj, old: Obj): FieldError[] {
  const a = isObj(binding.roleRef) ? binding.roleRef : {};
  const b = isObj(old.roleRef) ? old.roleRef : {};
  const same = str(a.apiGroup) === str(b.apiGroup) && str(a.kind) === str(b.kind) && str(a.name) === str(b.name);
  return same ? [] : [renderedError('FieldValueInvalid', 'roleRef', goRoleRef(a), a, 'cannot change roleRef')];
}

/** ValidateRoleBindingUpdate: the create rules, the metadata update rules, and an unchanged roleRef. */
export function validateRoleBindingUpdate(binding: Obj, old: Obj): FieldError[] {
  return [
    ...validateRoleBinding(binding),
    ...validateObjectMetaUpdate(binding.metadata as never, old.metadata as never, 'metadata', { kubeFinalizers: true }),
    ...roleRefUnchanged(binding, old),
  ];
}

/** ValidateClusterRoleBindingUpdate: as for role bindings. */
export function validateClusterRoleBindingUpdate(binding: Obj, old: Obj): FieldError[] {
  return [
    ...validateClusterRoleBinding(binding),
    ...validateObjectMetaUpdate(binding.metadata as never, old.metadata as never, 'metadata', { kubeFinalizers: true }),
    ...roleRefUnchanged(binding, old),
  ];
}
