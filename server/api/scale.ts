// The `scale` subresource of Deployments and ReplicaSets (kube-apiserver's ScaleREST): GET answers a Scale built
// from the object (spec.replicas, status.replicas, the selector), PUT and PATCH change `spec.replicas` alone and
// answer the new Scale. The Scale is autoscaling/v1, or extensions/v1beta1's own when the request came through that
// group (scaleKindFor).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '../../apimachinery/objects.js';
import { clone } from '../../apimachinery/copy.js';
import { fieldErr } from '../../apimachinery/field-errors.js';
import { formatLabelSelector, labelSelectorFromObject, type LabelSelectorObject } from '../../apimachinery/labels.js';
import { scaleKindFor } from '../../openapi/kinds.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors } from '../registry/status.js';
import { isObj, type Obj } from '../registry/validation/helpers.js';
import { NEGATIVE_ERROR } from '../registry/validation/apps.js';
import { decodeCreateOnlyBody } from './create-only.js';
import { mediaType, negotiate } from './negotiation.js';
import { patchObject } from './patch.js';
import { dryRunParam, fieldValidationParam, type Query } from './request.js';
import { sendValue } from './respond.js';

type Req = FastifyRequest<{ Params: { namespace?: string; name?: string }; Querystring: Query }>;

/** The Scale of a stored object, in the kind of the handle's group. */
export function scaleOf(handle: ResourceHandle, obj: KubeObject): Obj {
  const k = scaleKindFor(handle.view.group);
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const status: Obj = isObj(obj.status) ? obj.status : {};
  const sel = (isObj(spec.selector) ? spec.selector : undefined) as LabelSelectorObject | undefined;
  let selector = '';
  try {
    selector = labelSelectorFromObject(sel).toString();
  } catch {
    selector = formatLabelSelector(sel);
  }
  const meta: Obj = { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid };
  meta.resourceVersion = obj.metadata.resourceVersion;
  meta.creationTimestamp = obj.metadata.creationTimestamp ?? null;
  const st: Obj = { replicas: typeof status.replicas === 'number' ? status.replicas : 0 };
  if (k.group === 'extensions') {
    if (sel && isObj(sel.matchLabels) && Object.keys(sel.matchLabels).length > 0) st.selector = { ...sel.matchLabels };
    if (selector) st.targetSelector = selector;
  } else if (selector) st.selector = selector;
  const specOut: Obj = {};
  if (typeof spec.replicas === 'number' && spec.replicas !== 0) specOut.replicas = spec.replicas;
  return {
    kind: k.kind,
    apiVersion: `${k.group}/${k.version}`,
    metadata: meta,
    spec: specOut,
    status: st,
  };
}

function send(handle: ResourceHandle, req: Req, reply: FastifyReply, obj: KubeObject): FastifyReply {
  return sendValue(reply, 200, negotiate(req.headers.accept, { tableAllowed: false }), scaleOf(handle, obj));
}

/** GET .../<name>/scale. */
export async function getScale(handle: ResourceHandle, req: Req, reply: FastifyReply, ns: string | undefined) {
  const obj = await handle.store.get(handle.view, ns, req.params.name!);
  return send(handle, req, reply, obj);
}

/**
 * Writes `scale.spec.replicas` into the object (ValidateScale first; the Scale's resourceVersion, when given, is a
 * precondition on the object's), through the main strategy, so the generation moves as for any spec change.
 */
async function writeScale(
  handle: ResourceHandle,
  ns: string | undefined,
  name: string,
  dryRun: boolean,
  scaleFrom: (current: KubeObject) => Obj,
): Promise<KubeObject> {
  const k = scaleKindFor(handle.view.group);
  const { object } = await handle.store.update(
    handle.view,
    ns,
    name,
    (current) => {
      if (!current) throw errors.notFound(handle.store.grFor(handle.view), name);
      const scale = scaleFrom(current);
      const spec: Obj = isObj(scale.spec) ? scale.spec : {};
      const replicas = spec.replicas ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas))
        throw errors.badRequest(
          `json: cannot unmarshal ${typeof replicas} into Go struct field ScaleSpec.spec.replicas of type int32`,
        );
      if (replicas < 0)
        throw errors.invalid(k.group, 'Scale', name, [fieldErr.invalid('spec.replicas', replicas, NEGATIVE_ERROR)]);
      const meta: Obj = isObj(scale.metadata) ? scale.metadata : {};
      const next = clone(handle.view.fromStorage(current)) as KubeObject;
      next.apiVersion = handle.view.groupVersion;
      next.kind = handle.def.kind;
      (next.spec as Obj).replicas = replicas;
      next.metadata.resourceVersion =
        typeof meta.resourceVersion === 'string' && meta.resourceVersion !== ''
          ? meta.resourceVersion
          : current.metadata.resourceVersion;
      return next;
    },
    { dryRun },
  );
  return object;
}

/** PUT .../<name>/scale: the body is a Scale of the handle's group. */
export async function updateScale(handle: ResourceHandle, req: Req, reply: FastifyReply, ns: string | undefined) {
  const k = scaleKindFor(handle.view.group);
  const { object: body, dryRun } = decodeCreateOnlyBody(req, reply, {
    ...k,
    accepted: [`${k.group}/${k.version}`],
  });
  const meta: Obj = isObj(body.metadata) ? body.metadata : {};
  const name = req.params.name!;
  if (meta.name !== undefined && meta.name !== name)
    throw errors.badRequest(
      `the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`,
    );
  const updated = await writeScale(handle, ns, name, dryRun, () => body);
  return send(handle, req, reply, updated);
}

/** PATCH .../<name>/scale: a JSON, merge or strategic merge patch of the current Scale. */
export async function patchScale(handle: ResourceHandle, req: Req, reply: FastifyReply, ns: string | undefined) {
  negotiate(req.headers.accept, { tableAllowed: false });
  const k = scaleKindFor(handle.view.group);
  const dryRun = dryRunParam(req.query['dryRun']);
  const validation = fieldValidationParam(req.query);
  const contentType = mediaType(req.headers['content-type']);
  if (contentType === 'application/apply-patch+yaml')
    throw errors.unsupportedMediaType(
      'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
    );
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
  const updated = await writeScale(handle, ns, req.params.name!, dryRun, (current) => {
    const original = scaleOf(handle, current) as KubeObject;
    const patched = patchObject(handle, contentType, original, raw, validation, k) as Obj;
    // A patch keeps the resourceVersion it was computed against unless it names one itself.
    return patched;
  });
  return send(handle, req, reply, updated);
}
