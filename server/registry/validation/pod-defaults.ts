/**
 * Pod defaulting as the apiserver applies it to core/v1 objects (pkg/apis/core/v1/defaults.go and the
 * generated defaulters), the pod strategy's create-time status, QoS classification
 * (pkg/apis/core/helper/qos) and the DefaultTolerationSeconds / Priority admission plugins.
 * All functions mutate their argument in place and also return it.
 */
import { arr, isObj, obj, type Obj } from './helpers.js';
import { addQuantity, compareQuantity, parseQuantity, roundListToMilli, type Quantity } from './quantity.js';
import type { Container, Pod, PodSpec, PodTemplateSpec, Probe, ResourceList, Toleration } from './types.js';

const DEFAULT_MODE = 420; // 0644
const DEFAULT_TOLERATION_SECONDS = 300;
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/**
 * The tag ParseImageName reports for an image reference: the explicit tag, `latest` when neither tag nor
 * digest is given, and `''` for digest-only or unparseable references.
 */
export function imageTag(image: string): string {
  let ref = image;
  let digest = '';
  const at = ref.indexOf('@');
  if (at >= 0) {
    digest = ref.slice(at + 1);
    ref = ref.slice(0, at);
  }
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  const parts = ref.split('/');
  if (parts.length > 1 && (/[.:]/.test(parts[0]!) || parts[0] === 'localhost' || /[A-Z]/.test(parts[0]!)))
    parts.shift();
  if (!ref || !parts.every((p) => NAME_COMPONENT.test(p))) return '';
  if (tag && !TAG.test(tag)) return '';
  if (digest && !/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return '';
  return tag || (digest ? '' : 'latest');
}

/** Rounds every parseable quantity up to milli units and rewrites it in canonical form. */
function defaultResourceList(list: unknown): void {
  if (isObj(list)) roundListToMilli(list);
}

function defaultHTTPGet(h: unknown): void {
  if (!isObj(h) || !isObj(h.httpGet)) return;
  h.httpGet.path ||= '/';
  h.httpGet.scheme ||= 'HTTP';
}

function defaultProbe(p: Probe | null | undefined): void {
  if (!isObj(p)) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHTTPGet(p);
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) ref.apiVersion ||= 'v1';
}

function defaultContainer(c: Container): void {
  if (!isObj(c)) return;
  if (!c.imagePullPolicy)
    c.imagePullPolicy = imageTag(typeof c.image === 'string' ? c.image : '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of arr<Obj>(c.ports)) if (isObj(p)) p.protocol ||= 'TCP';
  for (const e of arr<Obj>(c.env)) if (isObj(e) && isObj(e.valueFrom)) defaultFieldRef(e.valueFrom.fieldRef);
  if (!isObj(c.resources)) c.resources = {};
  defaultResourceList(c.resources.limits);
  defaultResourceList(c.resources.requests);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHTTPGet(c.lifecycle.postStart);
    defaultHTTPGet(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] != null);
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.hostPath) && v.hostPath.type == null) v.hostPath.type = '';
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = v[k];
    if (isObj(s) && s.defaultMode == null) s.defaultMode = DEFAULT_MODE;
  }
  if (isObj(v.downwardAPI)) for (const it of arr<Obj>(v.downwardAPI.items)) if (isObj(it)) defaultFieldRef(it.fieldRef);
  if (isObj(v.projected)) {
    for (const src of arr<Obj>(v.projected.sources)) {
      if (!isObj(src)) continue;
      if (isObj(src.downwardAPI))
        for (const it of arr<Obj>(src.downwardAPI.items)) if (isObj(it)) defaultFieldRef(it.fieldRef);
      if (isObj(src.serviceAccountToken) && src.serviceAccountToken.expirationSeconds == null)
        src.serviceAccountToken.expirationSeconds = 3600;
    }
  }
  if (isObj(v.iscsi)) v.iscsi.iscsiInterface ||= 'default';
  if (isObj(v.rbd)) {
    v.rbd.pool ||= 'rbd';
    v.rbd.user ||= 'admin';
    v.rbd.keyring ||= '/etc/ceph/keyring';
  }
  const tmpl = isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate) ? v.ephemeral.volumeClaimTemplate : null;
  if (tmpl && isObj(tmpl.spec)) tmpl.spec.volumeMode ??= 'Filesystem';
}

/**
 * v1 PodSpec defaulting (what any embedded pod template gets): dnsPolicy, restartPolicy, securityContext,
 * terminationGracePeriodSeconds, schedulerName, and per-container/volume/probe defaults.
 */
export function defaultPodSpec(spec: PodSpec): PodSpec {
  if (!isObj(spec)) return spec;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // The deprecated `serviceAccount` is an alias of serviceAccountName (which wins when both are set) and always
  // mirrors it, as the v1 conversions read and write them.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount)
    spec.serviceAccountName = spec.serviceAccount;
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName)
    spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
  for (const list of [spec.containers, spec.initContainers, spec.ephemeralContainers])
    for (const c of arr<Container>(list)) defaultContainer(c);
  for (const v of arr<Obj>(spec.volumes)) if (isObj(v)) defaultVolume(v);
  defaultResourceList(spec.overhead);
  return spec;
}

/** Defaulting of a pod template (DaemonSet/Deployment/Job...): the spec defaults only. */
export function defaultPodTemplateSpec(t: PodTemplateSpec): PodTemplateSpec {
  if (isObj(t)) {
    if (!isObj(t.spec)) t.spec = {};
    defaultPodSpec(t.spec as PodSpec);
  }
  return t;
}

/**
 * Scheme defaulting of a v1 Pod (runs on every decode, create and update): PodSpec defaults plus the
 * Pod-only ones — container requests default to limits, enableServiceLinks, and host ports mirroring
 * container ports under hostNetwork.
 */
export function defaultPodFields(pod: Pod): Pod {
  if (!isObj(pod)) return pod;
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  for (const c of [...arr<Container>(spec.containers), ...arr<Container>(spec.initContainers)]) {
    if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
    const req: ResourceList = isObj(c.resources.requests) ? c.resources.requests : (c.resources.requests = {});
    for (const [k, v] of Object.entries(c.resources.limits)) if (!(k in req)) req[k] = v;
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...arr<Container>(spec.containers), ...arr<Container>(spec.initContainers)]) {
      for (const p of arr<Obj>(c?.ports)) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
  defaultPodSpec(spec);
  return pod;
}

function sumQoS(into: Map<string, Quantity>, list: unknown, found?: Set<string>): void {
  for (const [k, v] of Object.entries(obj(list))) {
    if (k !== 'cpu' && k !== 'memory') continue;
    const q = parseQuantity(v as string | number);
    if (!q || q.sign <= 0) continue;
    found?.add(k);
    const prev = into.get(k);
    into.set(k, prev ? addQuantity(q, prev) : q);
  }
}

/** ComputePodQOS: BestEffort (no cpu/memory requests or limits), Guaranteed (all equal and complete), else Burstable. */
export function computePodQOS(pod: Pod): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const spec = obj(pod?.spec) as PodSpec;
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  for (const c of [...arr<Container>(spec.containers), ...arr<Container>(spec.initContainers)]) {
    const res = obj(c?.resources);
    sumQoS(requests, res.requests);
    const found = new Set<string>();
    sumQoS(limits, res.limits, found);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [k, r] of requests) {
      const l = limits.get(k);
      if (!l || compareQuantity(l, r) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/**
 * DefaultTolerationSeconds admission: tolerate `node.kubernetes.io/not-ready` and `.../unreachable`
 * (NoExecute, Exists) for 300s unless an existing toleration already covers them.
 */
export function addDefaultTolerations(spec: PodSpec): void {
  const tols = arr<Toleration>(spec.tolerations);
  const covers = (key: string) =>
    tols.some((t) => isObj(t) && (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const add: Toleration[] = [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!covers(key))
      add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (add.length) spec.tolerations = [...tols, ...add];
}

/** Options for defaultPod. */
export interface DefaultPodOptions {
  /** The PriorityClass named by spec.priorityClassName, resolved by the caller (built-in system classes are known). */
  priorityClass?: { value: number; preemptionPolicy?: string | null } | null;
}

/**
 * The create-time part of pod defaulting, for objects already scheme-defaulted: the strategy's fresh status
 * (phase Pending, computed qosClass, SchedulingGated condition when gated — any client-sent status is
 * replaced), the Priority admission (priority 0 / PreemptLowerPriority without a class; the system classes
 * resolved; other classes from opts) and DefaultTolerationSeconds. Existing spec.priority and
 * spec.preemptionPolicy values are kept.
 */
export function preparePodForCreate(pod: Pod, opts: DefaultPodOptions = {}): Pod {
  if (!isObj(pod)) return pod;
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  const status: Obj = { phase: 'Pending', qosClass: computePodQOS(pod) };
  if (arr(spec.schedulingGates).length > 0) {
    status.conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: null,
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
  }
  pod.status = status;
  const className = spec.priorityClassName ?? '';
  let pc = opts.priorityClass ?? null;
  if (!className) pc = { value: 0, preemptionPolicy: 'PreemptLowerPriority' };
  else if (className in SYSTEM_PRIORITY_CLASSES)
    pc = { value: SYSTEM_PRIORITY_CLASSES[className]!, preemptionPolicy: 'PreemptLowerPriority' };
  if (pc) {
    spec.priority ??= pc.value;
    if (pc.preemptionPolicy) spec.preemptionPolicy ??= pc.preemptionPolicy;
  }
  addDefaultTolerations(spec);
  return pod;
}

/**
 * Everything a pod gets on create: scheme defaults (defaultPodFields) then preparePodForCreate.
 * On update only defaultPodFields applies.
 */
export function defaultPod(pod: Pod, opts: DefaultPodOptions = {}): Pod {
  return preparePodForCreate(defaultPodFields(pod), opts);
}
