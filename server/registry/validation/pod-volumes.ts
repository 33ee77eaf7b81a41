/**
 * Pod volume validation (ValidateVolumes / validateVolumeSource and the path helpers of
 * pkg/apis/core/validation): names, one source per volume, and the checks of the common source types.
 */
import { child, fieldErr, type FieldError, index } from '../../../apimachinery/field-errors.js';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';
import { arr, isObj, num, str, type Obj } from './helpers.js';
import { parseQuantity } from './quantity.js';

/** Upstream's fileModeErrorMsg. */
export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** Source keys in upstream's checking order, with the path segment used in "more than 1" errors. */
const SOURCES: Array<[string, string]> = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  ['downwardAPI', 'downwarAPI'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];
const HOST_PATH_TYPES = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];
const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

/** `..` may not appear as a path element. */
export function validatePathNoBacksteps(target: string, path: string): FieldError[] {
  return target.split('/').includes('..') ? [fieldErr.invalid(path, target, "must not contain '..'")] : [];
}

/** Relative path without `..` elements. */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErr.invalid(path, target, 'must be a relative path'));
  return errs.concat(validatePathNoBacksteps(target, path));
}

/** Relative, no `..` elements, and not starting with `..`. */
export function validateLocalNonReservedPath(target: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(fieldErr.invalid(path, target, "must not start with '..'"));
  return errs;
}

function modeErr(mode: unknown, path: string): FieldError[] {
  const m = num(mode);
  return m !== undefined && (m > 0o777 || m < 0) ? [fieldErr.invalid(path, m, FILE_MODE_ERROR)] : [];
}

function keyToPath(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Obj>(items).forEach((kp, i) => {
    const p = index(path, i);
    if (!str(kp?.key)) errs.push(fieldErr.required(child(p, 'key'), ''));
    if (!str(kp?.path)) errs.push(fieldErr.required(child(p, 'path'), ''));
    errs.push(...validateLocalNonReservedPath(str(kp?.path), child(p, 'path')), ...modeErr(kp?.mode, child(p, 'mode')));
  });
  return errs;
}

function downwardAPIFile(file: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(file.path)) errs.push(fieldErr.required(child(path, 'path'), ''));
  errs.push(...validateLocalNonReservedPath(str(file.path), child(path, 'path')));
  if (isObj(file.fieldRef)) {
    const fp = str(file.fieldRef.fieldPath);
    const base = fp.replace(/\['.*'\]$/, '');
    if (!str(file.fieldRef.apiVersion)) errs.push(fieldErr.required(child(child(path, 'fieldRef'), 'apiVersion'), ''));
    else if (!fp) errs.push(fieldErr.required(child(child(path, 'fieldRef'), 'fieldPath'), ''));
    else if (base === fp && !VOLUME_FIELD_PATHS.includes(fp))
      errs.push(fieldErr.notSupported(child(child(path, 'fieldRef'), 'fieldPath'), fp, VOLUME_FIELD_PATHS));
    if (isObj(file.resourceFieldRef))
      errs.push(
        fieldErr.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
      );
  } else if (isObj(file.resourceFieldRef)) {
    if (!str(file.resourceFieldRef.containerName))
      errs.push(fieldErr.required(child(child(path, 'resourceFieldRef'), 'containerName'), ''));
  } else {
    errs.push(fieldErr.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  return errs.concat(modeErr(file.mode, child(path, 'mode')));
}

function projected(src: Obj, path: string): FieldError[] {
  const errs = modeErr(src.defaultMode, child(path, 'defaultMode'));
  arr<Obj>(src.sources).forEach((s, i) => {
    if (!isObj(s)) return;
    const sp = index(child(path, 'sources'), i);
    let n = 0;
    for (const k of ['secret', 'configMap'] as const) {
      const v = s[k];
      if (!isObj(v)) continue;
      n++;
      if (!str(v.name)) errs.push(fieldErr.required(child(child(sp, k), 'name'), ''));
      errs.push(...keyToPath(v.items, child(child(sp, k), 'items')));
    }
    if (isObj(s.downwardAPI)) {
      n++;
      for (const f of arr<Obj>(s.downwardAPI.items))
        if (isObj(f)) errs.push(...downwardAPIFile(f, child(sp, 'downwardAPI')));
    }
    if (isObj(s.serviceAccountToken)) {
      n++;
      const t = s.serviceAccountToken;
      const exp = num(t.expirationSeconds) ?? 0;
      const ep = child(child(sp, 'serviceAccountToken'), 'expirationSeconds');
      if (exp < 600) errs.push(fieldErr.invalid(ep, exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(fieldErr.invalid(ep, exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(t.path)) errs.push(fieldErr.required(child(path, 'path'), ''));
      else errs.push(...validateLocalNonReservedPath(str(t.path), child(path, 'path')));
    }
    if (isObj(s.clusterTrustBundle)) n++;
    if (n > 1) errs.push(fieldErr.forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function sourceErrors(kind: string, src: Obj, path: string, resourceIsPod: boolean): FieldError[] {
  const req = (f: string) => (str(src[f]) ? [] : [fieldErr.required(child(path, f), '')]);
  switch (kind) {
    case 'emptyDir': {
      const q = src.sizeLimit == null ? null : parseQuantity(src.sizeLimit as string | number);
      return q && q.sign < 0
        ? [fieldErr.forbidden(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity')]
        : [];
    }
    case 'hostPath': {
      if (!str(src.path)) return [fieldErr.required(child(path, 'path'), '')];
      const errs = validatePathNoBacksteps(str(src.path), child(path, 'path'));
      if (src.type != null && !HOST_PATH_TYPES.includes(str(src.type)))
        errs.push(fieldErr.notSupported(child(path, 'type'), src.type, HOST_PATH_TYPES));
      return errs;
    }
    case 'gitRepo':
      return [...req('repository'), ...validateLocalDescendingPath(str(src.directory), child(path, 'directory'))];
    case 'secret':
      return [
        ...req('secretName'),
        ...modeErr(src.defaultMode, child(path, 'defaultMode')),
        ...keyToPath(src.items, child(path, 'items')),
      ];
    case 'configMap':
      return [
        ...req('name'),
        ...modeErr(src.defaultMode, child(path, 'defaultMode')),
        ...keyToPath(src.items, child(path, 'items')),
      ];
    case 'persistentVolumeClaim':
      return req('claimName');
    case 'nfs': {
      const errs = [...req('server'), ...req('path')];
      if (!str(src.path).startsWith('/'))
        errs.push(fieldErr.invalid(child(path, 'path'), str(src.path), 'must be an absolute path'));
      return errs;
    }
    case 'downwardAPI':
      return [
        ...modeErr(src.defaultMode, child(path, 'defaultMode')),
        ...arr<Obj>(src.items).flatMap((f) => (isObj(f) ? downwardAPIFile(f, path) : [])),
      ];
    case 'projected':
      return projected(src, path);
    case 'csi':
      return req('driver');
    case 'ephemeral':
      return isObj(src.volumeClaimTemplate) ? [] : [fieldErr.required(child(path, 'volumeClaimTemplate'), '')];
    case 'image':
      return resourceIsPod ? req('reference') : [];
    default:
      return [];
  }
}

/**
 * Validates `spec.volumes`: each name is a unique DNS-1123 label and each volume has exactly one source.
 * Returns the names of the volumes that validated (only those can be mounted) along with the errors.
 */
export function validateVolumes(
  volumes: unknown,
  path: string,
  resourceIsPod = true,
): { names: Map<string, Obj>; errs: FieldError[] } {
  const names = new Map<string, Obj>();
  const errs: FieldError[] = [];
  arr<Obj>(volumes).forEach((vol, i) => {
    const v = isObj(vol) ? vol : {};
    const p = index(path, i);
    const el: FieldError[] = [];
    let count = 0;
    for (const [k, seg] of SOURCES) {
      if (!isObj(v[k])) continue;
      if (count > 0) el.push(fieldErr.forbidden(child(p, seg), 'may not specify more than 1 volume type'));
      else {
        count++;
        el.push(
          ...sourceErrors(k, v[k] as Obj, child(p, k === 'gcePersistentDisk' ? 'persistentDisk' : k), resourceIsPod),
        );
      }
    }
    if (count === 0) el.push(fieldErr.required(p, 'must specify a volume type'));
    const name = str(v.name);
    if (!name) el.push(fieldErr.required(child(p, 'name'), ''));
    else for (const m of isDNS1123Label(name)) el.push(fieldErr.invalid(child(p, 'name'), name, m));
    if (names.has(name)) el.push(fieldErr.duplicate(child(p, 'name'), name));
    if (el.length === 0) names.set(name, v);
    else errs.push(...el);
  });
  return { names, errs };
}

/** Name checks shared by configMapKeyRef / secretKeyRef: name is a DNS subdomain, key required and valid. */
export function validateKeySelector(sel: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sel.name);
  for (const m of isDNS1123Subdomain(name)) errs.push(fieldErr.invalid(child(path, 'name'), name, m));
  const k = str(sel.key);
  if (!k) errs.push(fieldErr.required(child(path, 'key'), ''));
  else for (const m of isConfigMapKey(k)) errs.push(fieldErr.invalid(child(path, 'key'), k, m));
  return errs;
}
