/**
 * The ServiceAccount admission of pods (kube-apiserver's plugin/pkg/admission/serviceaccount), on create: a pod runs
 * as `default` unless it names an account, the account must exist (the pod is refused otherwise), its token is
 * projected into every container (unless the pod or the account turns automounting off), and the account's image
 * pull secrets are copied into a pod that names none. Mirror pods (annotation `kubernetes.io/config.mirror`) are
 * left as they are but may not reference accounts, secrets or token projections. An account annotated
 * `kubernetes.io/enforce-mountable-secrets: "true"` limits the secrets its pods may use to those it lists.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { AdmissionContext, AdmissionPlugin, ObjectReader } from '../../definition.js';
import { generateName } from '../../meta.js';
import { errors } from '../../status.js';

/** The account a pod that names none runs as. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';
/** The prefix of the projected token volume's name (a random suffix follows). */
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** Where every container finds the token, the cluster's CA bundle and its namespace. */
export const DEFAULT_API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap every namespace has with the cluster's CA bundle (the root CA publisher keeps it). */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
/** The lifetime a projected token asks for: an hour and 7 seconds, which the API server recognizes and extends. */
export const PROJECTED_TOKEN_EXPIRATION_SECONDS = 3607;
const ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = 'kubernetes.io/enforce-mountable-secrets';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** How many times the default account is looked for before the pod is refused (its controller may be about to create it). */
const DEFAULT_ACCOUNT_ATTEMPTS = 10;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const objs = (v: unknown): Obj[] => arr(v).filter(isObj);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const nameOf = (v: unknown): string => (isObj(v) ? str(v.name) : '');

/** The projected volume source of the token, the CA bundle and the namespace (upstream's TokenVolumeSource). */
export function tokenVolumeSource(): Obj {
  return {
    sources: [
      { serviceAccountToken: { expirationSeconds: PROJECTED_TOKEN_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
        },
      },
    ],
    // Set explicitly (upstream #104464), as the defaulting that would set it has already run.
    defaultMode: 420,
  };
}

/** strconv.ParseBool: true for 1, t, T, TRUE, true, True; anything else (errors included) is false. */
function parseBool(v: string): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

/** Every container of a pod: init containers, containers, then ephemeral containers (podutil.AllContainers). */
function allContainers(spec: Obj): Obj[] {
  return [...objs(spec.initContainers), ...objs(spec.containers), ...objs(spec.ephemeralContainers)];
}

/** Whether the pod references any secret (podutil.VisitPodSecretNames; empty names do not count). */
export function referencesSecrets(spec: Obj): boolean {
  const names: string[] = objs(spec.imagePullSecrets).map((r) => str(r.name));
  for (const c of allContainers(spec)) {
    for (const e of objs(c.envFrom)) if (isObj(e.secretRef)) names.push(str(e.secretRef.name));
    for (const e of objs(c.env))
      if (isObj(e.valueFrom) && isObj(e.valueFrom.secretKeyRef)) names.push(str(e.valueFrom.secretKeyRef.name));
  }
  for (const v of objs(spec.volumes)) {
    if (isObj(v.azureFile)) names.push(str(v.azureFile.secretName));
    for (const plugin of ['cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos']) {
      const s = v[plugin];
      if (isObj(s) && isObj(s.secretRef)) names.push(str(s.secretRef.name));
    }
    if (isObj(v.projected))
      for (const src of objs(v.projected.sources)) if (isObj(src.secret)) names.push(str(src.secret.name));
    if (isObj(v.secret)) names.push(str(v.secret.secretName));
    if (isObj(v.csi) && isObj(v.csi.nodePublishSecretRef)) names.push(str(v.csi.nodePublishSecretRef.name));
  }
  return names.some((n) => n !== '');
}

/** What a mirror pod may not do (Validate for mirror pods); undefined when it is fine. */
function mirrorPodProblem(spec: Obj): string | undefined {
  if (str(spec.serviceAccountName)) return 'a mirror pod may not reference service accounts';
  if (referencesSecrets(spec)) return 'a mirror pod may not reference secrets';
  for (const v of objs(spec.volumes)) {
    if (isObj(v.projected) && objs(v.projected.sources).some((s) => s.serviceAccountToken != null)) {
      return 'a mirror pod may not use ServiceAccountToken volume projections';
    }
  }
  return undefined;
}

/**
 * The account, read live: the default one up to ten times, 100 to 200 ms apart (it is created by a controller that
 * may not have caught up with a new namespace yet), any other once.
 */
async function getServiceAccount(read: ObjectReader, namespace: string, name: string): Promise<KubeObject | undefined> {
  const attempts = name === DEFAULT_SERVICE_ACCOUNT ? DEFAULT_ACCOUNT_ATTEMPTS : 1;
  const interval = 100 + Math.floor(Math.random() * 100);
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, interval));
    const sa = await read('serviceaccounts', namespace, name);
    if (sa) return sa;
  }
  return undefined;
}

/** Whether the token is mounted: the pod's choice, else the account's, else yes. */
function shouldAutomount(sa: KubeObject, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/**
 * Mounts the token volume read-only at /var/run/secrets/kubernetes.io/serviceaccount in every init container and
 * container that has nothing mounted there; the volume (`kube-api-access-<5 random characters>`, or the pod's own
 * `kube-api-access-*` volume) is added when one of them needed it.
 */
function mountServiceAccountToken(spec: Obj): void {
  const volumes = objs(spec.volumes);
  const existing = volumes.find((v) => str(v.name).startsWith(TOKEN_VOLUME_PREFIX));
  const volumeName = existing ? str(existing.name) : generateName(TOKEN_VOLUME_PREFIX);
  let needsVolume = false;
  for (const c of [...objs(spec.initContainers), ...objs(spec.containers)]) {
    const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    if (mounts.some((m) => isObj(m) && m.mountPath === DEFAULT_API_TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...mounts, { name: volumeName, readOnly: true, mountPath: DEFAULT_API_TOKEN_MOUNT_PATH }];
    needsVolume = true;
  }
  if (!existing && needsVolume)
    spec.volumes = [...arr(spec.volumes), { name: volumeName, projected: tokenVolumeSource() }];
}

/** limitSecretReferences: what the pod uses beyond the secrets the account lists; undefined when nothing. */
function secretReferenceProblem(sa: KubeObject, spec: Obj): string | undefined {
  const account = sa.metadata.name ?? '';
  const mountable = new Set(arr(sa.secrets).map(nameOf));
  for (const v of objs(spec.volumes)) {
    if (!isObj(v.secret)) continue;
    const secretName = str(v.secret.secretName);
    if (!mountable.has(secretName))
      return `volume with secret.secretName="${secretName}" is not allowed because service account ${account} does not reference that secret`;
  }
  for (const [list, what] of [
    [spec.initContainers, 'init container'],
    [spec.containers, 'container'],
  ] as const) {
    for (const c of objs(list)) {
      for (const e of objs(c.env)) {
        if (!isObj(e.valueFrom) || !isObj(e.valueFrom.secretKeyRef)) continue;
        const secretName = str(e.valueFrom.secretKeyRef.name);
        if (!mountable.has(secretName)) {
          return `${what} ${str(c.name)} with envVar ${str(e.name)} referencing secret.secretName="${secretName}" is not allowed because service account ${account} does not reference that secret`;
        }
      }
    }
  }
  const pullable = new Set(arr(sa.imagePullSecrets).map(nameOf));
  for (const [i, ref] of arr(spec.imagePullSecrets).entries()) {
    if (!pullable.has(nameOf(ref))) {
      return `imagePullSecrets[${i}].name="${nameOf(ref)}" is not allowed because service account ${account} does not reference that imagePullSecret`;
    }
  }
  return undefined;
}

/**
 * Admit and Validate of the ServiceAccount plugin for a new pod (storage form, already defaulted). Refusals are
 * 403 Forbidden naming the pod (or its generateName, as no name has been generated yet):
 * `pods "web" is forbidden: error looking up service account default/default: serviceaccount "default" not found`.
 */
export async function serviceAccountAdmission(pod: KubeObject, ctx: AdmissionContext): Promise<void> {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec as Obj;
  const namespace = pod.metadata.namespace ?? ctx.namespace ?? '';
  const forbidden = (why: string) =>
    errors.forbidden({ group: '', resource: 'pods' }, pod.metadata.name || pod.metadata.generateName || 'Unknown', why);

  if (isObj(pod.metadata.annotations) && MIRROR_POD_ANNOTATION in pod.metadata.annotations) {
    const problem = mirrorPodProblem(spec);
    if (problem) throw forbidden(problem);
    return;
  }
  if (!str(spec.serviceAccountName)) {
    spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
    // The deprecated alias always mirrors the name (the v1 conversion writes it on the way out).
    spec.serviceAccount = DEFAULT_SERVICE_ACCOUNT;
  }
  const accountName = str(spec.serviceAccountName);
  const sa = await getServiceAccount(ctx.read, namespace, accountName);
  if (!sa)
    throw forbidden(
      `error looking up service account ${namespace}/${accountName}: serviceaccount ${JSON.stringify(accountName)} not found`,
    );
  if (shouldAutomount(sa, spec)) mountServiceAccountToken(spec);
  if (arr(spec.imagePullSecrets).length === 0) {
    const pullSecrets = arr(sa.imagePullSecrets).map((r) => ({ name: nameOf(r) }));
    if (pullSecrets.length > 0) spec.imagePullSecrets = pullSecrets.map((r) => (r.name ? r : {}));
  }
  if (isObj(sa.metadata.annotations) && parseBool(str(sa.metadata.annotations[ENFORCE_MOUNTABLE_SECRETS_ANNOTATION]))) {
    const problem = secretReferenceProblem(sa, spec);
    if (problem) throw forbidden(problem);
  }
}

/** The plugin as pods enable it (`--disable-admission-plugins ServiceAccount` turns it off). */
export const serviceAccountAdmissionPlugin: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit: serviceAccountAdmission,
};
