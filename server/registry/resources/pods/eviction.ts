import type { KubeObject } from '../../../../apimachinery/objects.js';
import { deleteParams } from '../../../api/request.js';
import type { CreateSubresource, CreateSubresourceRequest } from '../../definition.js';
import type { DeleteParams } from '../../store.js';
import { errors, StatusError } from '../../status.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** How often a delete that lost a race with another write of the pod is tried again (upstream: 20 steps). */
const MAX_ATTEMPTS = 20;

/**
 * `POST /api/v1/namespaces/<ns>/pods/<name>/eviction` (policy/v1 Eviction; policy/v1beta1 bodies too, as kubectl
 * 1.20 sends): deletes the pod exactly as a DELETE with the Eviction's deleteOptions would (grace period,
 * preconditions, dry run, propagation) and answers a Success Status with 201, as kube-apiserver's eviction REST does.
 * This emulator has no PodDisruptionBudgets, so no eviction is ever refused for one: a Running pod is deleted with
 * the options as given; a Pending one (upstream skips the budget check for it) with its resourceVersion as
 * precondition, retried when the pod changed meanwhile. DaemonSet pods are evicted like any other.
 */
export const podEviction: CreateSubresource = {
  name: 'eviction',
  group: 'policy',
  version: 'v1',
  kind: 'Eviction',
  acceptedVersions: ['policy/v1', 'policy/v1beta1'],
  async create(req) {
    const { store, view, namespace, name, body } = req;
    const metadata = isObj(body.metadata) ? body.metadata : {};
    if (typeof metadata.namespace === 'string' && metadata.namespace !== '' && metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if ((typeof metadata.name === 'string' ? metadata.name : '') !== name) {
      throw errors.badRequest('name in URL does not match name in Eviction object');
    }
    const options = deleteParams(deleteOptionsOf(req), {});
    const rvGiven = !!options.preconditions?.resourceVersion;
    for (let attempt = 1; ; attempt++) {
      const pod = await store.get(view, namespace, name);
      // Upstream deletes a pod that skips the disruption budget check (pending, finished, terminating) at once; a
      // pending one only in the state it was read in, unless the client named a resourceVersion itself.
      const pinned = !rvGiven && phaseOf(pod) === 'Pending' && !pod.metadata.deletionTimestamp;
      const params: DeleteParams = pinned
        ? { ...options, preconditions: { ...options.preconditions, resourceVersion: pod.metadata.resourceVersion } }
        : options;
      try {
        await store.delete(view, namespace, name, params);
        return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' };
      } catch (err) {
        const lostRace =
          pinned &&
          err instanceof StatusError &&
          err.code === 409 &&
          !(options.preconditions?.uid && options.preconditions.uid !== pod.metadata.uid);
        if (!lostRace || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  },
};

/**
 * The Eviction's deleteOptions with the request's dryRun folded in (upstream's propagateDryRun): the query's value
 * when the body names none, the body's when the query names none; two different non-empty lists are an error.
 */
function deleteOptionsOf(req: CreateSubresourceRequest): Obj {
  const given = req.body.deleteOptions;
  const query = req.dryRun ? ['All'] : [];
  // The nested options are decoded as part of the Eviction: their own kind/apiVersion are not checked.
  const options: Obj = isObj(given) ? { ...given } : {};
  delete options.kind;
  delete options.apiVersion;
  const body = Array.isArray(options.dryRun) ? (options.dryRun as unknown[]) : [];
  if (body.length === 0) {
    options.dryRun = query;
  } else if (query.length > 0 && JSON.stringify(body) !== JSON.stringify(query)) {
    const goList = (l: unknown[]) => `[${l.map(String).join(' ')}]`;
    throw new StatusError({
      message: `Non-matching dry-run options in request and content: ${goList(query)} and ${goList(body)}`,
      code: 500,
    });
  }
  return options;
}

function phaseOf(pod: KubeObject): string | undefined {
  return (pod.status as { phase?: string } | undefined)?.phase;
}
