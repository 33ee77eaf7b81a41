/**
 * Pod and PodSpec validation on create, update and status update (pkg/apis/core/validation: ValidatePodSpec,
 * ValidatePodCreate, ValidatePodUpdate, ValidatePodStatusUpdate). Expects objects already defaulted
 * (defaultPodFields), as the apiserver validates after decoding+defaulting.
 */
import { clone } from '../../../apimachinery/copy.js';
import {
  child,
  fieldErr,
  type FieldError,
  goQuote,
  index,
  invalidRendered,
  key,
  renderedError,
} from '../../../apimachinery/field-errors.js';
import { validateLabels } from '../../../apimachinery/labels.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  parseIPSloppy,
} from '../../../apimachinery/validation.js';
import { arr, diffPaths, isObj, num, obj, semanticEqual, str, type Obj } from './helpers.js';
import { FIELD_IMMUTABLE, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateContainers, validateInitContainers, validateResources } from './pod-containers.js';
import { validateVolumes } from './pod-volumes.js';
import type { Pod, PodSpec, Toleration } from './types.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

/** Options for validatePodSpec. */
export interface PodSpecOptions {
  /** True when validating a Pod (not a template embedded in another kind): hostPort must equal containerPort under hostNetwork. */
  resourceIsPod?: boolean;
}

/** Taint effect: one of NoSchedule/PreferNoSchedule/NoExecute (empty allowed for tolerations). */
export function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): FieldError[] {
  if (!allowEmpty && !effect) return [fieldErr.required(path, '')];
  return TAINT_EFFECTS.includes(effect) ? [] : [fieldErr.notSupported(path, effect, TAINT_EFFECTS)];
}

/** ValidateTolerations: key, operator/value consistency, effect, tolerationSeconds only with NoExecute. */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Toleration>(tolerations).forEach((raw, i) => {
    const t: Toleration = isObj(raw) ? raw : {};
    const p = index(path, i);
    const k = str(t.key);
    const op = str(t.operator);
    const value = str(t.value);
    const effect = str(t.effect);
    if (k) for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(child(p, 'key'), k, m));
    if (!k && op !== 'Exists') {
      errs.push(
        fieldErr.invalid(
          child(p, 'operator'),
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds != null && effect !== 'NoExecute') {
      errs.push(
        fieldErr.invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    if (op === 'Equal' || op === '') {
      const ms = isValidLabelValue(value);
      if (ms.length) errs.push(fieldErr.invalid(child(p, 'operator'), value, ms.join(';')));
    } else if (op === 'Exists') {
      if (value)
        errs.push(fieldErr.invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErr.notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, child(p, 'effect')));
  });
  return errs;
}

function notSupportedOrRequired(value: string, path: string, allowed: string[]): FieldError[] {
  if (!value) return [fieldErr.required(path, '')];
  return allowed.includes(value) ? [] : [fieldErr.notSupported(path, value, allowed)];
}

function nameList(value: unknown, path: string, validator: (s: string) => string[]): FieldError[] {
  const s = str(value);
  return s ? validator(s).map((m) => fieldErr.invalid(path, s, m)) : [];
}

function dnsConfig(spec: PodSpec, path: string): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!isObj(cfg)) return [fieldErr.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(cfg.nameservers).length === 0)
      return [
        fieldErr.required(
          child(path, 'nameservers'),
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
  }
  if (!isObj(cfg)) return [];
  const errs: FieldError[] = [];
  const ns = arr<string>(cfg.nameservers);
  if (ns.length > 3)
    errs.push(fieldErr.invalid(child(path, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) =>
    errs.push(...isValidIP(str(n)).map((m) => fieldErr.invalid(index(child(path, 'nameservers'), i), str(n), m))),
  );
  const searches = arr<string>(cfg.searches);
  if (searches.length > 32)
    errs.push(fieldErr.invalid(child(path, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048)
    errs.push(
      fieldErr.invalid(
        child(path, 'searches'),
        searches,
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  searches.forEach((s, i) => {
    if (s === '.') return;
    const v = str(s).replace(/\.$/, '');
    for (const m of isDNS1123Subdomain(v.replace(/_/g, 'a')))
      errs.push(fieldErr.invalid(index(child(path, 'searches'), i), v, m));
  });
  arr<Obj>(cfg.options).forEach((o, i) => {
    if (!str(o?.name)) errs.push(fieldErr.required(index(child(path, 'options'), i), 'must not be empty'));
  });
  return errs;
}

/**
 * ValidatePodSpec: volumes, containers, init containers, restart/dns policies, node selector, tolerations,
 * names of referenced objects, deadlines, gates and the other spec-level rules. `path` is the spec's path
 * (`spec`, or `spec.template.spec` for workloads).
 */
export function validatePodSpec(
  spec: PodSpec | undefined | null,
  path = 'spec',
  opts: PodSpecOptions = {},
): FieldError[] {
  const s: PodSpec = isObj(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds == null)
    errs.push(fieldErr.required(child(path, 'terminationGracePeriodSeconds'), ''));
  const { names, errs: vErrs } = validateVolumes(s.volumes, child(path, 'volumes'), opts.resourceIsPod ?? false);
  errs.push(...vErrs);
  const claimNames = new Set(
    arr<Obj>(s.resourceClaims)
      .map((c) => str(c?.name))
      .filter(Boolean),
  );
  const ctx = { volumes: names, claimNames, gracePeriod: num(s.terminationGracePeriodSeconds) ?? null };
  errs.push(...validateContainers(s.containers, child(path, 'containers'), ctx));
  errs.push(...validateInitContainers(s.initContainers, s.containers, child(path, 'initContainers'), ctx));
  if (s.hostNetwork) {
    arr<Obj>(s.containers).forEach((c, i) => {
      arr<Obj>(c?.ports).forEach((p, j) => {
        const hp = num(p?.hostPort) ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== (num(p?.containerPort) ?? 0)) {
          errs.push(
            fieldErr.invalid(
              child(index(child(index(child(path, 'containers'), i), 'ports'), j), 'hostPort'),
              hp,
              'must match `containerPort` when `hostNetwork` is true',
            ),
          );
        }
      });
    });
  }
  errs.push(
    ...notSupportedOrRequired(str(s.restartPolicy), child(path, 'restartPolicy'), ['Always', 'OnFailure', 'Never']),
  );
  errs.push(
    ...notSupportedOrRequired(str(s.dnsPolicy), child(path, 'dnsPolicy'), [
      'ClusterFirstWithHostNet',
      'ClusterFirst',
      'Default',
      'None',
    ]),
  );
  errs.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  const sc = obj(s.securityContext);
  const scPath = child(path, 'securityContext');
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    const v = num(sc[f]);
    if (v !== undefined && (v < 0 || v > 0xffffffff))
      errs.push(fieldErr.invalid(child(scPath, f), v, inclusiveRangeError(0, 4294967295)));
  }
  arr<Obj>(s.imagePullSecrets).forEach((ps, i) => {
    if (isObj(ps) && Object.keys(ps).some((k) => k !== 'name'))
      errs.push(fieldErr.invalid(index(child(path, 'imagePullSecrets'), i), ps, 'only name may be set'));
  });
  errs.push(...dnsConfig(s, child(path, 'dnsConfig')));
  arr<Obj>(s.readinessGates).forEach((g, i) => {
    const ct = str(g?.conditionType);
    for (const m of isQualifiedName(ct))
      errs.push(fieldErr.invalid(child(index(child(path, 'readinessGates'), i), 'conditionType'), ct, m));
  });
  const gates = new Set<string>();
  arr<Obj>(s.schedulingGates).forEach((g, i) => {
    const n = str(g?.name);
    const gp = index(child(path, 'schedulingGates'), i);
    for (const m of isQualifiedName(n)) errs.push(fieldErr.invalid(gp, n, m));
    if (gates.has(n)) errs.push(fieldErr.duplicate(gp, n));
    gates.add(n);
  });
  if (isObj(sc) && sc.hostUsers === false) {
    if (s.hostNetwork) errs.push(fieldErr.forbidden(child(path, 'hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (s.hostPID) errs.push(fieldErr.forbidden(child(path, 'HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (s.hostIPC) errs.push(fieldErr.forbidden(child(path, 'HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  errs.push(...nameList(s.serviceAccountName, child(path, 'serviceAccountName'), isDNS1123Subdomain));
  errs.push(...nameList(s.nodeName, child(path, 'nodeName'), isDNS1123Subdomain));
  const ads = num(s.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > MAX_INT32))
    errs.push(fieldErr.invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  errs.push(...nameList(s.hostname, child(path, 'hostname'), isDNS1123Label));
  errs.push(...nameList(s.subdomain, child(path, 'subdomain'), isDNS1123Label));
  errs.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  arr<Obj>(s.hostAliases).forEach((ha, i) => {
    const hp = index(child(path, 'hostAliases'), i);
    for (const m of isValidIP(str(ha?.ip))) errs.push(fieldErr.invalid(child(hp, 'ip'), str(ha?.ip), m));
    arr<string>(ha?.hostnames).forEach((h, j) => {
      for (const m of isDNS1123Subdomain(str(h)))
        errs.push(fieldErr.invalid(index(child(hp, 'hostnames'), j), str(h), m));
    });
  });
  errs.push(...nameList(s.priorityClassName, child(path, 'priorityClassName'), isDNS1123Subdomain));
  if (s.runtimeClassName != null)
    errs.push(
      ...isDNS1123Subdomain(str(s.runtimeClassName)).map((m) =>
        fieldErr.invalid(child(path, 'runtimeClassName'), str(s.runtimeClassName), m),
      ),
    );
  if (s.preemptionPolicy != null)
    errs.push(
      ...notSupportedOrRequired(str(s.preemptionPolicy), child(path, 'preemptionPolicy'), [
        'PreemptLowerPriority',
        'Never',
      ]),
    );
  if (isObj(s.overhead)) errs.push(...validateResources({ limits: s.overhead }, child(path, 'overhead'), claimNames));
  if (isObj(s.os) && !['linux', 'windows'].includes(str(s.os.name))) {
    errs.push(...notSupportedOrRequired(str(s.os.name), child(child(path, 'os'), 'name'), ['linux', 'windows']));
  }
  return errs;
}

function podAnnotations(pod: Pod, path: string): FieldError[] {
  const ann = obj(pod.metadata?.annotations);
  const errs: FieldError[] = [];
  const mirror = 'kubernetes.io/config.mirror';
  if (mirror in ann && !str(pod.spec?.nodeName))
    errs.push(
      fieldErr.invalid(key(path, mirror), str(ann[mirror]), 'must set spec.nodeName if mirror pod annotation is set'),
    );
  const cost = 'controller.kubernetes.io/pod-deletion-cost';
  if (cost in ann) {
    const v = str(ann[cost]);
    const firstOk = v.startsWith('-') || v === '0' || /^[1-9]/.test(v);
    const ok = firstOk && /^-?\d+$/.test(v) && Number(v) <= MAX_INT32 && Number(v) >= -MAX_INT32 - 1;
    if (!ok) errs.push(fieldErr.invalid(key(path, cost), v, 'must be a 32bit integer'));
  }
  return errs;
}

function podMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, {
    namespaced: true,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  errs.push(...podAnnotations(pod, 'metadata.annotations'));
  errs.push(...validatePodSpec(pod.spec, 'spec', { resourceIsPod: true }));
  const spec = obj(pod.spec) as PodSpec;
  if (!str(spec.serviceAccountName)) {
    arr<Obj>(spec.volumes).forEach((v, vi) => {
      arr<Obj>(obj(v?.projected).sources).forEach((src, si) => {
        if (isObj(src?.serviceAccountToken)) {
          errs.push(
            fieldErr.forbidden(
              `spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`,
              'must not be specified when serviceAccountName is not set',
            ),
          );
        }
      });
    });
  }
  for (const list of ['containers', 'initContainers'] as const) {
    arr<Obj>(spec[list]).forEach((c, i) => {
      const img = str(c?.image);
      if (img.length !== img.trim().length)
        errs.push(fieldErr.invalid(`spec.${list}[${i}].image`, img, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

/**
 * ValidatePodCreate: metadata (namespaced, DNS-subdomain name), pod annotations, the spec, plus the
 * create-only rules (no ephemeral containers; no nodeName while scheduling gates remain).
 */
export function validatePod(pod: Pod): FieldError[] {
  const errs = podMetadataAndSpec(pod);
  const spec = obj(pod?.spec) as PodSpec;
  if (arr(spec.ephemeralContainers).length > 0)
    errs.push(fieldErr.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec.nodeName) && arr(spec.schedulingGates).length > 0)
    errs.push(fieldErr.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

/** The fields an update may touch, as listed in upstream's Forbidden message. */
export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function annotationUpdates(n: Pod, o: Pod): FieldError[] {
  const na = obj(n.metadata?.annotations);
  const oa = obj(o.metadata?.annotations);
  const mirror = 'kubernetes.io/config.mirror';
  const errs: FieldError[] = [];
  const path = 'metadata.annotations';
  for (const k of Object.keys(oa)) {
    if (k in na && na[k] === oa[k]) continue;
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/'))
      errs.push(fieldErr.forbidden(key(path, k), 'may not remove or update AppArmor annotations'));
    if (k === mirror) errs.push(fieldErr.forbidden(key(path, k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(na)) {
    if (k in oa) continue;
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/'))
      errs.push(fieldErr.forbidden(key(path, k), 'may not add AppArmor annotations'));
    if (k === mirror) errs.push(fieldErr.forbidden(key(path, k), 'may not add mirror pod annotation'));
  }
  return errs.concat(podAnnotations(n, path));
}

function onlyAddedTolerations(nt: unknown, ot: unknown, path: string): FieldError[] {
  const news = arr<Obj>(nt);
  for (const old of arr<Obj>(ot)) {
    const found = news.some((t) =>
      semanticEqual({ ...old, tolerationSeconds: null }, { ...t, tolerationSeconds: null }),
    );
    if (!found)
      return [fieldErr.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(news, path);
}

/**
 * ValidatePodUpdate: metadata update rules, full validation of the new pod, and spec immutability except
 * container images, activeDeadlineSeconds (only lowered / set), tolerations (only additions), removal of
 * scheduling gates, and nodeSelector additions while gated. The Forbidden message lists the updatable fields
 * followed by a diff of the offending paths.
 */
export function validatePodUpdate(newPod: Pod, oldPod: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(newPod?.metadata, oldPod?.metadata, 'metadata', { kubeFinalizers: true });
  errs.push(...podMetadataAndSpec(newPod));
  errs.push(...annotationUpdates(newPod, oldPod));
  const ns = obj(newPod?.spec) as PodSpec;
  const os = obj(oldPod?.spec) as PodSpec;
  for (const list of ['containers', 'initContainers'] as const) {
    const nc = arr<Obj>(ns[list]);
    if (nc.length !== arr(os[list]).length) {
      errs.push(fieldErr.forbidden(`spec.${list}`, 'pod updates may not add or remove containers'));
      return errs;
    }
    nc.forEach((c, i) => {
      const img = str(c?.image);
      if (!img) errs.push(fieldErr.required(`spec.${list}[${i}].image`, ''));
      if (img.trim().length !== img.length)
        errs.push(fieldErr.invalid(`spec.${list}[${i}].image`, img, 'must not have leading or trailing whitespace'));
    });
  }
  const nads = ns.activeDeadlineSeconds ?? null;
  const oads = os.activeDeadlineSeconds ?? null;
  if (nads !== null) {
    if (nads < 0 || nads > MAX_INT32)
      return errs.concat(fieldErr.invalid('spec.activeDeadlineSeconds', nads, inclusiveRangeError(0, MAX_INT32)));
    if (oads !== null && oads < nads)
      return errs.concat(
        fieldErr.invalid('spec.activeDeadlineSeconds', nads, 'must be less than or equal to previous value'),
      );
  } else if (oads !== null) {
    errs.push(
      fieldErr.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'),
    );
  }
  errs.push(...onlyAddedTolerations(ns.tolerations, os.tolerations, 'spec.tolerations'));
  const oldGates = new Set(arr<Obj>(os.schedulingGates).map((g) => str(g?.name)));
  arr<Obj>(ns.schedulingGates).forEach((g, i) => {
    if (!oldGates.has(str(g?.name)))
      errs.push(
        fieldErr.forbidden(
          `spec.schedulingGates[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${str(g?.name)}'`,
        ),
      );
  });
  if (semanticEqual(ns, os)) return errs;
  const munged = clone(ns) as PodSpec;
  for (const list of ['containers', 'initContainers'] as const) {
    arr<Obj>(munged[list]).forEach((c, i) => {
      if (isObj(c)) c.image = arr<Obj>(os[list])[i]?.image;
    });
  }
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  // The deprecated serviceAccount is derived from serviceAccountName (upstream's internal form has no such field).
  munged.serviceAccount = os.serviceAccount;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  const otg = num(os.terminationGracePeriodSeconds);
  if (otg !== undefined && otg < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = otg;
  if (arr(os.schedulingGates).length > 0) {
    const oldSel = obj(os.nodeSelector);
    const newSel = obj(munged.nodeSelector);
    if (Object.entries(oldSel).some(([k, v]) => newSel[k] !== v)) {
      const rendered = `map[string]string{${Object.keys(newSel)
        .sort()
        .map((k) => `${goQuote(k)}:${goQuote(str(newSel[k]))}`)
        .join(', ')}}`;
      errs.push(
        invalidRendered(
          'spec.nodeSelector',
          rendered,
          newSel,
          'only additions to spec.nodeSelector are allowed (no mutations or deletions)',
        ),
      );
    }
    munged.nodeSelector = os.nodeSelector;
  }
  if (!semanticEqual(munged, os)) {
    const diff = diffPaths(os, munged, 'spec').join('\n');
    errs.push(
      fieldErr.forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`,
      ),
    );
  }
  return errs;
}

function ipListErrors(list: Obj[], path: string, typeName: string): FieldError[] {
  const errs: FieldError[] = [];
  const ips = list.map((x) => str(x?.ip));
  ips.forEach((ip, i) => errs.push(...isValidIP(ip).map((m) => fieldErr.invalid(index(path, i), ip, m))));
  if (ips.length > 1) {
    const fams = ips.map(parseIPSloppy);
    const rendered = `[]core.${typeName}{${ips.map((ip) => `core.${typeName}{IP:${goQuote(ip)}}`).join(', ')}}`;
    const dual = ips.length === 2 && fams.includes(4) && fams.includes(6);
    if (!dual)
      errs.push(
        renderedError('FieldValueInvalid', path, rendered, list, 'may specify no more than one IP for each IP family'),
      );
    const seen = new Set<string>();
    ips.forEach((ip, i) => {
      if (seen.has(ip))
        errs.push(renderedError('FieldValueDuplicate', index(path, i), `core.${typeName}{IP:${goQuote(ip)}}`, list[i]));
      seen.add(ip);
    });
  }
  return errs;
}

function stateTransitions(
  news: unknown,
  olds: unknown,
  path: string,
  restartPolicy: string,
  restartable: Set<string> = new Set(),
): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  arr<Obj>(olds).forEach((o, i) => {
    const term = obj(o?.state).terminated;
    if (!isObj(term)) return;
    if ((num(term.exitCode) ?? 0) !== 0 && restartPolicy === 'OnFailure') return;
    if (restartable.has(str(o.name))) return;
    for (const n of arr<Obj>(news)) {
      if (str(n?.name) === str(o.name) && !isObj(obj(n?.state).terminated)) {
        errs.push(
          fieldErr.forbidden(child(index(path, i), 'state'), 'may not be transitioned to non-terminated state'),
        );
      }
    }
  });
  return errs;
}

/**
 * ValidatePodStatusUpdate: metadata update rules, custom condition types, nodeName unchanged, nominated node
 * name valid, qosClass immutable, no terminated→running transitions when the pod does not restart, valid
 * podIPs/hostIPs (one per family, no duplicates, hostIPs[0] equal to hostIP).
 */
export function validatePodStatusUpdate(newPod: Pod, oldPod: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(newPod?.metadata, oldPod?.metadata, 'metadata', { kubeFinalizers: true });
  errs.push(...annotationUpdates(newPod, oldPod));
  const ns = obj(newPod?.status);
  const os = obj(oldPod?.status);
  arr<Obj>(ns.conditions).forEach((c, i) => {
    const t = str(c?.type);
    if (['PodScheduled', 'Ready', 'Initialized'].includes(t)) return;
    for (const m of isQualifiedName(t)) errs.push(fieldErr.invalid(`metadata.conditions[${i}].Type`, t, m));
  });
  if (str(newPod?.spec?.nodeName) !== str(oldPod?.spec?.nodeName))
    errs.push(fieldErr.forbidden('status.nodeName', 'may not be changed directly'));
  const nnn = str(ns.nominatedNodeName);
  if (nnn && nnn !== str(os.nominatedNodeName))
    errs.push(...isDNS1123Subdomain(nnn).map((m) => fieldErr.invalid('status.nominatedNodeName', nnn, m)));
  if (str(ns.qosClass) !== str(os.qosClass))
    errs.push(fieldErr.invalid('status.qosClass', str(ns.qosClass), FIELD_IMMUTABLE));
  const rp = str(oldPod?.spec?.restartPolicy);
  errs.push(...stateTransitions(ns.containerStatuses, os.containerStatuses, 'status.containerStatuses', rp));
  const sidecars = new Set(
    arr<Obj>(oldPod?.spec?.initContainers)
      .filter((c) => c?.restartPolicy === 'Always')
      .map((c) => str(c.name)),
  );
  errs.push(
    ...stateTransitions(
      ns.initContainerStatuses,
      os.initContainerStatuses,
      'status.initContainerStatuses',
      rp,
      sidecars,
    ),
  );
  errs.push(
    ...stateTransitions(
      ns.ephemeralContainerStatuses,
      os.ephemeralContainerStatuses,
      'status.ephemeralContainerStatuses',
      'Never',
    ),
  );
  errs.push(...ipListErrors(arr<Obj>(ns.podIPs), 'status.podIPs', 'PodIP'));
  const hostIPs = arr<Obj>(ns.hostIPs);
  if (hostIPs.length > 0) {
    if (str(ns.hostIP) !== str(hostIPs[0]?.ip))
      errs.push(fieldErr.invalid('status.hostIPs[0].ip', str(hostIPs[0]?.ip), 'must be equal to `hostIP`'));
    errs.push(...ipListErrors(hostIPs, 'status.hostIPs', 'HostIP'));
  }
  return errs;
}
