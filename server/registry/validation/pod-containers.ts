/**
 * Container-level pod validation (pkg/apis/core/validation): names, images, ports, env, envFrom, volume
 * mounts, resources (quantities, requests ≤ limits), probes and lifecycle handlers, and the rules for
 * regular vs init containers.
 */
import {
  child,
  fieldErr,
  type FieldError,
  index,
  invalidRendered,
  key,
  notFoundWithDetail,
} from '../../../apimachinery/field-errors.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isQualifiedName,
  isValidPortName,
  isValidPortNum,
} from '../../../apimachinery/validation.js';
import { arr, isObj, num, obj, sortedKeys, str, type Obj } from './helpers.js';
import { validateKeySelector, validateLocalDescendingPath } from './pod-volumes.js';
import {
  compareQuantity,
  isMultipleOf,
  isWholeQuantity,
  parseQuantity,
  quantityError,
  type Quantity,
} from './quantity.js';
import type { Container } from './types.js';

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const DOWNWARD_LABELS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);
const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

/** Context shared by the container validators of one pod spec. */
export interface ContainerContext {
  /** Valid volumes by name (from validateVolumes). */
  volumes: Map<string, Obj>;
  /** Names in spec.resourceClaims. */
  claimNames: Set<string>;
  /** spec.terminationGracePeriodSeconds (null when unset). */
  gracePeriod: number | null;
}

const isNative = (n: string) => !n.includes('/') || n.includes('kubernetes.io/');
const isHugePages = (n: string) => n.startsWith('hugepages-');
const isExtended = (n: string) =>
  !isNative(n) && !n.startsWith('requests.') && isQualifiedName(`requests.${n}`).length === 0;
/** Whether requests may be below limits for this resource (native and not hugepages). */
export const isOvercommitAllowed = (n: string) => isNative(n) && !isHugePages(n);

function resourceNameErrors(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
  if (
    errs.length === 0 &&
    !name.includes('/') &&
    !STANDARD_RESOURCES.has(name) &&
    !name.startsWith('hugepages-') &&
    !name.startsWith('requests.hugepages-')
  ) {
    errs.push(fieldErr.invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  if (!name.includes('/')) {
    if (!['cpu', 'memory', 'ephemeral-storage'].includes(name) && !isHugePages(name))
      errs.push(fieldErr.invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && !isExtended(name)) {
    errs.push(fieldErr.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** ValidateResourceQuantityValue: non-negative, and integral for integer/extended resources. */
export function validateResourceQuantity(name: string, q: Quantity, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (q.sign < 0) errs.push(fieldErr.invalid(path, q.canonical, 'must be greater than or equal to 0'));
  if ((INTEGER_RESOURCES.has(name) || isExtended(name)) && !isWholeQuantity(q))
    errs.push(invalidRendered(path, q.canonical, q.canonical, 'must be an integer'));
  return errs;
}

function hugePageErr(name: string, q: Quantity, path: string): FieldError[] {
  if (!isHugePages(name)) return [];
  const page = parseQuantity(name.slice('hugepages-'.length));
  const ok = page !== null && page.sign > 0 && isWholeQuantity(page) && isMultipleOf(q, page);
  return ok ? [] : [fieldErr.invalid(path, q.canonical, `${q.canonical} is not positive integer multiple of ${name}`)];
}

/** Resource requirements of one container: names, quantities, requests ≤ limits, claims. */
export function validateResources(res: unknown, path: string, claimNames: Set<string>): FieldError[] {
  const r = obj(res);
  const errs: FieldError[] = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = new Map<string, Quantity>();
  let cpuOrMem = false;
  let huge = false;
  const parse = (list: Obj, p: string, k: string): Quantity | null => {
    const e = quantityError(list[k] as string | number);
    if (e) errs.push(fieldErr.invalid(key(p, k), list[k], e));
    return e ? null : parseQuantity(list[k] as string | number);
  };
  const lim = obj(r.limits);
  for (const k of sortedKeys(lim)) {
    const fp = key(limPath, k);
    errs.push(...resourceNameErrors(k, fp));
    const q = parse(lim, limPath, k);
    if (!q) continue;
    limits.set(k, q);
    errs.push(...validateResourceQuantity(k, q, fp));
    if (isHugePages(k)) {
      huge = true;
      errs.push(...hugePageErr(k, q, fp));
    }
    if (k === 'cpu' || k === 'memory') cpuOrMem = true;
  }
  const req = obj(r.requests);
  for (const k of sortedKeys(req)) {
    const fp = key(reqPath, k);
    errs.push(...resourceNameErrors(k, fp));
    const q = parse(req, reqPath, k);
    if (!q) continue;
    errs.push(...validateResourceQuantity(k, q, fp));
    const l = limits.get(k);
    if (l) {
      if (compareQuantity(q, l) !== 0 && !isOvercommitAllowed(k))
        errs.push(fieldErr.invalid(reqPath, q.canonical, `must be equal to ${k} limit of ${l.canonical}`));
      else if (compareQuantity(q, l) > 0)
        errs.push(fieldErr.invalid(reqPath, q.canonical, `must be less than or equal to ${k} limit of ${l.canonical}`));
    } else if (!isOvercommitAllowed(k) && !(k in lim)) {
      errs.push(fieldErr.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(k)) {
      huge = true;
      errs.push(...hugePageErr(k, q, fp));
    }
    if (k === 'cpu' || k === 'memory') cpuOrMem = true;
  }
  if (!cpuOrMem && huge) errs.push(fieldErr.forbidden(path, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  arr<Obj>(r.claims).forEach((c, i) => {
    const name = str(c?.name);
    const p = index(child(path, 'claims'), i);
    if (!name) return void errs.push(fieldErr.required(p, ''));
    const k = str(c.request) ? `${name}/${str(c.request)}` : name;
    if (seen.has(name) || seen.has(k)) errs.push(fieldErr.duplicate(p, seen.has(name) ? name : k));
    seen.add(k);
    if (!claimNames.has(name)) {
      const list = [...claimNames].sort();
      errs.push(
        notFoundWithDetail(
          p,
          name,
          `must be one of the names in pod.spec.resourceClaims${list.length ? `: ${list.join(', ')}` : ' which is empty'}`,
        ),
      );
    }
  });
  return errs;
}

function portNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldErr.invalid(path, port, m));
  const n = num(port) ?? 0;
  return isValidPortNum(n).map((m) => fieldErr.invalid(path, n, m));
}

function validateHandler(
  h: Obj,
  path: string,
  gracePeriod: number | null,
  allowSleep: boolean,
  allowGRPC: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const kinds = ['exec', 'httpGet', 'tcpSocket', ...(allowGRPC ? ['grpc'] : []), ...(allowSleep ? ['sleep'] : [])];
  for (const k of kinds) {
    const v = h[k];
    if (!isObj(v)) continue;
    if (n > 0) {
      errs.push(fieldErr.forbidden(child(path, k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const p = child(path, k);
    if (k === 'exec' && arr(v.command).length === 0) errs.push(fieldErr.required(child(p, 'command'), ''));
    if (k === 'httpGet') {
      if (!str(v.path)) errs.push(fieldErr.required(child(p, 'path'), ''));
      errs.push(...portNumOrName(v.port, child(p, 'port')));
      if (!['HTTP', 'HTTPS'].includes(str(v.scheme)))
        errs.push(fieldErr.notSupported(child(p, 'scheme'), str(v.scheme), ['HTTP', 'HTTPS']));
      for (const hd of arr<Obj>(v.httpHeaders))
        for (const m of isHTTPHeaderName(str(hd?.name)))
          errs.push(fieldErr.invalid(child(p, 'httpHeaders'), str(hd?.name), m));
    }
    if (k === 'tcpSocket') errs.push(...portNumOrName(v.port, child(p, 'port')));
    if (k === 'grpc') errs.push(...portNumOrName(num(v.port) ?? 0, child(p, 'port')));
    if (k === 'sleep' && gracePeriod !== null) {
      const s = num(v.seconds) ?? 0;
      if (s < 0 || s > gracePeriod)
        errs.push(
          fieldErr.invalid(p, s, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`),
        );
    }
  }
  if (n === 0) errs.push(fieldErr.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(
  probe: unknown,
  path: string,
  kind: 'liveness' | 'readiness' | 'startup',
  gracePeriod: number | null,
): FieldError[] {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, path, gracePeriod, false, true);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = num(probe[f]) ?? 0;
    if (v < 0) errs.push(fieldErr.invalid(child(path, f), v, 'must be greater than or equal to 0'));
  }
  const tgp = num(probe.terminationGracePeriodSeconds);
  if (tgp !== undefined && tgp <= 0)
    errs.push(fieldErr.invalid(child(path, 'terminationGracePeriodSeconds'), tgp, 'must be greater than 0'));
  if (kind !== 'readiness' && (num(probe.successThreshold) ?? 0) !== 1)
    errs.push(fieldErr.invalid(child(path, 'successThreshold'), num(probe.successThreshold) ?? 0, 'must be 1'));
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds != null) {
    errs.push(
      fieldErr.invalid(
        child(path, 'terminationGracePeriodSeconds'),
        probe.terminationGracePeriodSeconds,
        'must not be set for readinessProbes',
      ),
    );
  }
  return errs;
}

function probesAndLifecycle(c: Container, p: string, gracePeriod: number | null): FieldError[] {
  const errs: FieldError[] = [];
  if (isObj(c.lifecycle)) {
    for (const h of ['postStart', 'preStop'] as const) {
      if (isObj(c.lifecycle[h]))
        errs.push(...validateHandler(c.lifecycle[h] as Obj, child(child(p, 'lifecycle'), h), gracePeriod, true, false));
    }
  }
  errs.push(...validateProbe(c.livenessProbe, child(p, 'livenessProbe'), 'liveness', gracePeriod));
  errs.push(...validateProbe(c.readinessProbe, child(p, 'readinessProbe'), 'readiness', gracePeriod));
  errs.push(...validateProbe(c.startupProbe, child(p, 'startupProbe'), 'startup', gracePeriod));
  return errs;
}

function fieldRefErrors(ref: Obj, path: string): FieldError[] {
  const v = str(ref.apiVersion);
  const fp = str(ref.fieldPath);
  if (!v) return [fieldErr.required(child(path, 'apiVersion'), '')];
  if (!fp) return [fieldErr.required(child(path, 'fieldPath'), '')];
  const sub = /^(.+)\['(.*)'\]$/.exec(fp);
  let err = '';
  if (v !== 'v1') err = `unsupported pod version: ${v}`;
  else if (sub && sub[1] !== 'metadata.annotations' && sub[1] !== 'metadata.labels')
    err = `field label does not support subscript: ${fp}`;
  else if (!sub && !DOWNWARD_LABELS.has(fp) && fp !== 'spec.host') err = `field label not supported: ${fp}`;
  if (err) return [fieldErr.invalid(child(path, 'fieldPath'), fp, `error converting fieldPath: ${err}`)];
  if (sub) {
    const k = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(k).map((m) => fieldErr.invalid(path, k, m));
  }
  const internal = fp === 'spec.host' ? 'spec.nodeName' : fp;
  return ENV_FIELD_PATHS.includes(internal)
    ? []
    : [fieldErr.notSupported(child(path, 'fieldPath'), internal, ENV_FIELD_PATHS)];
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Obj>(env).forEach((e, i) => {
    const p = index(path, i);
    const name = str(e?.name);
    if (!name) errs.push(fieldErr.required(child(p, 'name'), ''));
    else for (const m of isEnvVarName(name)) errs.push(fieldErr.invalid(child(p, 'name'), name, m));
    if (!isObj(e?.valueFrom)) return;
    const vf = e.valueFrom;
    const vp = child(p, 'valueFrom');
    let n = 0;
    if (isObj(vf.fieldRef)) {
      n++;
      errs.push(...fieldRefErrors(vf.fieldRef, child(vp, 'fieldRef')));
    }
    if (isObj(vf.resourceFieldRef)) {
      n++;
      const r = str(vf.resourceFieldRef.resource);
      const rp = child(vp, 'resourceFieldRef');
      if (!r) errs.push(fieldErr.required(child(rp, 'resource'), ''));
      else if (!RESOURCE_FIELD_PATHS.includes(r) && !/^(requests|limits)\.hugepages-/.test(r))
        errs.push(fieldErr.notSupported(child(rp, 'resource'), r, RESOURCE_FIELD_PATHS));
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      if (!isObj(vf[k])) continue;
      n++;
      errs.push(...validateKeySelector(vf[k] as Obj, child(vp, k)));
    }
    if (n === 0)
      errs.push(
        fieldErr.invalid(
          vp,
          '',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    else if (str(e.value)) errs.push(fieldErr.invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(fieldErr.invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Obj>(list).forEach((e, i) => {
    const p = index(path, i);
    if (str(e?.prefix))
      for (const m of isEnvVarName(str(e.prefix))) errs.push(fieldErr.invalid(child(p, 'prefix'), str(e.prefix), m));
    let n = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      const ref = e?.[k];
      if (!isObj(ref)) continue;
      n++;
      const name = str(ref.name);
      const np = child(child(p, k), 'name');
      if (!name) errs.push(fieldErr.required(np, ''));
      else
        for (const m of isDNS1123Subdomain(name.endsWith('-') ? `${name.slice(0, -2)}a` : name))
          errs.push(fieldErr.invalid(np, name, m));
    }
    if (n === 0) errs.push(fieldErr.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(fieldErr.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr<Obj>(ports).forEach((port, i) => {
    const p = index(path, i);
    const name = str(port?.name);
    if (name) {
      const ms = isValidPortName(name);
      if (ms.length) for (const m of ms) errs.push(fieldErr.invalid(child(p, 'name'), name, m));
      else if (names.has(name)) errs.push(fieldErr.duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    const cp = num(port?.containerPort) ?? 0;
    if (cp === 0) errs.push(fieldErr.required(child(p, 'containerPort'), ''));
    else for (const m of isValidPortNum(cp)) errs.push(fieldErr.invalid(child(p, 'containerPort'), cp, m));
    const hp = num(port?.hostPort) ?? 0;
    if (hp !== 0) for (const m of isValidPortNum(hp)) errs.push(fieldErr.invalid(child(p, 'hostPort'), hp, m));
    const proto = str(port?.protocol);
    if (!proto) errs.push(fieldErr.required(child(p, 'protocol'), ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(proto))
      errs.push(fieldErr.notSupported(child(p, 'protocol'), proto, ['SCTP', 'TCP', 'UDP']));
  });
  return errs;
}

function validateMounts(c: Container, path: string, volumes: Map<string, Obj>): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  const devices = new Map(arr<Obj>(c.volumeDevices).map((d) => [str(d?.name), str(d?.devicePath)]));
  const privileged = isObj(c.securityContext) && c.securityContext.privileged === true;
  arr<Obj>(c.volumeMounts).forEach((m, i) => {
    const p = index(path, i);
    const name = str(m?.name);
    const mp = str(m?.mountPath);
    if (!name) errs.push(fieldErr.required(child(p, 'name'), ''));
    if (!volumes.has(name)) errs.push(fieldErr.notFound(child(p, 'name'), name));
    if (!mp) errs.push(fieldErr.required(child(p, 'mountPath'), ''));
    if (mountPaths.has(mp)) errs.push(fieldErr.invalid(child(p, 'mountPath'), mp, 'must be unique'));
    mountPaths.add(mp);
    if (devices.has(name))
      errs.push(fieldErr.invalid(child(p, 'name'), name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(mp))
      errs.push(fieldErr.invalid(child(p, 'mountPath'), mp, 'must not already exist as a path in volumeDevices'));
    const sub = str(m?.subPath);
    const subExpr = str(m?.subPathExpr);
    if (isObj(volumes.get(name)?.image)) {
      if (sub) errs.push(fieldErr.invalid(child(p, 'subPath'), sub, 'not allowed in image volume sources'));
      if (subExpr) errs.push(fieldErr.invalid(child(p, 'subPathExpr'), subExpr, 'not allowed in image volume sources'));
    }
    if (sub) errs.push(...validateLocalDescendingPath(sub, child(path, 'subPath')));
    if (subExpr) {
      if (sub)
        errs.push(fieldErr.invalid(child(p, 'subPathExpr'), subExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subExpr, child(path, 'subPathExpr')));
    }
    const prop = m?.mountPropagation;
    if (prop != null) {
      const pp = child(path, 'mountPropagation');
      if (!['Bidirectional', 'HostToContainer', 'None'].includes(str(prop)))
        errs.push(fieldErr.notSupported(pp, prop, ['Bidirectional', 'HostToContainer', 'None']));
      if (prop === 'Bidirectional' && !privileged)
        errs.push(fieldErr.forbidden(pp, 'Bidirectional mount propagation is available only to privileged containers'));
    }
  });
  return errs;
}

function validateCommon(c: Container, p: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(fieldErr.required(child(p, 'name'), ''));
  else for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(child(p, 'name'), name, m));
  if (!str(c.image)) errs.push(fieldErr.required(child(p, 'image'), ''));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(fieldErr.required(child(p, 'terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    errs.push(fieldErr.notSupported(child(p, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validatePorts(c.ports, child(p, 'ports')));
  errs.push(...validateEnv(c.env, child(p, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(p, 'envFrom')));
  errs.push(...validateMounts(c, child(p, 'volumeMounts'), ctx.volumes));
  arr<Obj>(c.volumeDevices).forEach((d, i) => {
    if (!ctx.volumes.has(str(d?.name)))
      errs.push(fieldErr.notFound(child(index(child(p, 'volumeDevices'), i), 'name'), str(d?.name)));
  });
  const pull = str(c.imagePullPolicy);
  if (!pull) errs.push(fieldErr.required(child(p, 'imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull))
    errs.push(fieldErr.notSupported(child(p, 'imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResources(c.resources, child(p, 'resources'), ctx.claimNames));
  const sc = obj(c.securityContext);
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = num(sc[f]);
    if (v !== undefined && (v < 0 || v > 0xffffffff))
      errs.push(fieldErr.invalid(child(child(p, 'securityContext'), f), v, inclusiveRangeError(0, 4294967295)));
  }
  return errs;
}

function hostPortConflicts(containers: Container[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    arr<Obj>(c?.ports).forEach((port, pi) => {
      const hp = num(port?.hostPort) ?? 0;
      if (hp === 0) return;
      const s = `${str(port.protocol)}/${str(port.hostIP)}/${hp}`;
      if (seen.has(s)) errs.push(fieldErr.duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), s));
      else seen.add(s);
    });
  });
  return errs;
}

/** Regular containers: at least one, common checks, unique names, probes/lifecycle, no restartPolicy, host-port conflicts. */
export function validateContainers(list: unknown, path: string, ctx: ContainerContext): FieldError[] {
  const containers = arr<Container>(list).map((c) => (isObj(c) ? c : {}));
  if (containers.length === 0) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateCommon(c, p, ctx));
    if (names.has(str(c.name))) errs.push(fieldErr.duplicate(child(p, 'name'), str(c.name)));
    else names.add(str(c.name));
    errs.push(...probesAndLifecycle(c, p, ctx.gracePeriod));
    if (c.restartPolicy != null)
      errs.push(fieldErr.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  return errs.concat(hostPortConflicts(containers, path));
}

/** Init containers: common checks, names unique across init+regular, restartPolicy only `Always` (sidecars). */
export function validateInitContainers(
  list: unknown,
  regular: unknown,
  path: string,
  ctx: ContainerContext,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(arr<Container>(regular).map((c) => str(c?.name)));
  arr<Container>(list).forEach((raw, i) => {
    const c: Container = isObj(raw) ? raw : {};
    const p = index(path, i);
    errs.push(...validateCommon(c, p, ctx));
    let sidecar = false;
    if (c.restartPolicy != null) {
      if (c.restartPolicy !== 'Always')
        errs.push(fieldErr.notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
      sidecar = c.restartPolicy === 'Always';
    }
    const name = str(c.name);
    if (names.has(name)) errs.push(fieldErr.duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    errs.push(...hostPortConflicts([c], path));
    if (sidecar) errs.push(...probesAndLifecycle(c, p, ctx.gracePeriod));
    else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] != null)
          errs.push(fieldErr.forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return errs;
}
