/**
 * DaemonSet history (upstream update.go: constructHistory, snapshot, dedupCurHistories, cleanupHistory, Match):
 * one ControllerRevision per distinct pod template. A revision's `data` is the strategic merge patch that
 * restores its template, `{"spec":{"template":{...,"$patch":"replace"}}}`, kept with its keys in Go's order so
 * kubectl's byte comparison (rollout undo) finds it equal. The current revision is the one whose data equals the
 * DaemonSet's; re-applying an old template renumbers its revision to max+1.
 */
import type { LabelSelector } from '../../apimachinery/labels.js';
import { isAlreadyExists, isNotFound } from '../machinery/client.js';
import { RESOURCES, type ApiClient, type Logger } from '../machinery/types.js';
import { claim, type ClaimOptions } from './claim.js';
import { computeHash, goJSON } from './hash.js';
import type { ControllerRevision, DaemonSet, Pod } from './types.js';
import { CONTROLLER_REVISION_HASH_LABEL, newControllerRef } from './util.js';

/** Default of `spec.revisionHistoryLimit`. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** The patch restoring the DaemonSet's template, serialized as Go's json.Marshal does (sorted keys). */
export function revisionDataJSON(ds: DaemonSet): string {
  return goJSON({ spec: { template: { ...ds.spec.template, $patch: 'replace' } } });
}

/** The `data` of the DaemonSet's current revision, as a parsed object whose keys are in Go's order. */
export function revisionData(ds: DaemonSet): unknown {
  return JSON.parse(revisionDataJSON(ds));
}

/** Whether a revision holds the DaemonSet's current template (upstream Match); `expected` = revisionDataJSON(ds). */
export function matchRevision(ds: DaemonSet, rev: ControllerRevision, expected = revisionDataJSON(ds)): boolean {
  return rev.data !== undefined && goJSON(rev.data) === expected;
}

/** The hash of the DaemonSet's template with its `status.collisionCount` (names and labels its revision). */
export function templateHash(ds: DaemonSet): string {
  return computeHash(ds.spec.template, ds.status?.collisionCount);
}

/** The ControllerRevision to create for the DaemonSet's current template (upstream snapshot, before Create). */
export function newRevision(ds: DaemonSet, revision: number, hash = templateHash(ds)): ControllerRevision {
  const meta: ControllerRevision['metadata'] = {
    name: `${ds.metadata.name}-${hash}`,
    namespace: ds.metadata.namespace,
    labels: { ...(ds.spec.template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
    ownerReferences: [newControllerRef(ds)],
  };
  if (ds.metadata.annotations) meta.annotations = { ...ds.metadata.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, data: revisionData(ds), revision };
}

/** The highest revision number among `revs`, 0 without any. */
export function maxRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/** Thrown after a hash collision bumped `status.collisionCount`: the sync is retried with the new hash. */
export class HashCollisionError extends Error {
  override name = 'HashCollisionError';
}

/** What the history functions need: the API, the revisions the DaemonSet may own, and its daemon pods. */
export interface HistoryDeps {
  client: ApiClient;
  log: Logger;
  /** Revisions of the DaemonSet's namespace that it controls or that have no controller. */
  candidates(ds: DaemonSet): ControllerRevision[];
  /** The DaemonSet's pods (claimed), for relabelling when duplicate revisions are removed. */
  daemonPods(ds: DaemonSet): Promise<readonly Pod[]>;
}

/** The current revision and the others. */
export interface History {
  cur: ControllerRevision;
  old: ControllerRevision[];
  hash: string;
}

/**
 * constructHistory: claims the DaemonSet's revisions, labels any without a hash label with its name, splits them
 * into current and old, then creates the current one (revision max+1) or renumbers and deduplicates it.
 */
export async function constructHistory(
  deps: HistoryDeps,
  ds: DaemonSet,
  selector: LabelSelector,
  canAdopt: ClaimOptions['canAdopt'],
): Promise<History> {
  const { client } = deps;
  const ref = RESOURCES.controllerrevisions;
  const ns = ds.metadata.namespace;
  const { claimed, errors } = await claim({ client, ref, ds, selector, canAdopt }, deps.candidates(ds));
  if (errors.length > 0)
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'failed to claim ControllerRevisions');

  const expected = revisionDataJSON(ds);
  const current: ControllerRevision[] = [];
  const old: ControllerRevision[] = [];
  for (let rev of claimed) {
    if (!rev.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]) {
      const toUpdate = structuredClone(rev) as ControllerRevision;
      toUpdate.metadata.labels = {
        ...(toUpdate.metadata.labels ?? {}),
        [CONTROLLER_REVISION_HASH_LABEL]: rev.metadata.name!,
      };
      rev = await client.update<ControllerRevision>(ref, ns, toUpdate);
    }
    (matchRevision(ds, rev, expected) ? current : old).push(rev);
  }

  const nextRevision = maxRevision(old) + 1;
  let cur: ControllerRevision;
  if (current.length === 0) {
    cur = await snapshot(deps, ds, nextRevision, expected);
  } else {
    cur = await dedupCurrent(deps, ds, current);
    if ((cur.revision ?? 0) < nextRevision) {
      const toUpdate = structuredClone(cur) as ControllerRevision;
      toUpdate.revision = nextRevision;
      cur = await client.update<ControllerRevision>(ref, ns, toUpdate);
    }
  }
  return { cur, old, hash: cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '' };
}

/**
 * snapshot: creates the revision of the current template. AlreadyExists with the same data means an earlier
 * attempt succeeded; with other data it is a hash collision: `status.collisionCount` is incremented on the live
 * DaemonSet (unless the cached count was stale) and HashCollisionError thrown so the sync runs again.
 */
async function snapshot(
  deps: HistoryDeps,
  ds: DaemonSet,
  revision: number,
  expected: string,
): Promise<ControllerRevision> {
  const { client } = deps;
  const rev = newRevision(ds, revision);
  const ns = ds.metadata.namespace;
  try {
    return await client.create<ControllerRevision>(RESOURCES.controllerrevisions, ns, rev);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get<ControllerRevision>(RESOURCES.controllerrevisions, ns, rev.metadata.name!);
    if (matchRevision(ds, existing, expected)) return existing;
    const live = await client.get<DaemonSet>(RESOURCES.daemonsets, ns, ds.metadata.name!);
    // A cached collisionCount older than the live one produced a stale hash: retry with the live one, no bump.
    if ((live.status?.collisionCount ?? null) !== (ds.status?.collisionCount ?? null)) {
      throw new HashCollisionError(
        `found a stale collision count (${ds.status?.collisionCount ?? 'nil'}, expected ${live.status?.collisionCount ?? 'nil'}) of DaemonSet ${ns}/${ds.metadata.name}; will retry until it is updated`,
      );
    }
    const toUpdate = structuredClone(live) as DaemonSet;
    toUpdate.status = { ...(toUpdate.status ?? {}), collisionCount: (toUpdate.status?.collisionCount ?? 0) + 1 };
    await client.update(
      RESOURCES.daemonsets,
      ns,
      { apiVersion: 'apps/v1', kind: 'DaemonSet', ...toUpdate },
      { subresource: 'status' },
    );
    deps.log.info(
      { daemonset: `${ns}/${ds.metadata.name}`, collisionCount: toUpdate.status.collisionCount },
      'hash collision: bumped collisionCount',
    );
    throw new HashCollisionError(
      `hash collision for DaemonSet ${ns}/${ds.metadata.name}: ControllerRevision ${rev.metadata.name} holds another template`,
    );
  }
}

/**
 * dedupCurHistories: of several revisions holding the current template keep the highest-numbered, relabel
 * daemon pods carrying another hash with its hash, and delete the rest.
 */
async function dedupCurrent(
  deps: HistoryDeps,
  ds: DaemonSet,
  current: ControllerRevision[],
): Promise<ControllerRevision> {
  if (current.length === 1) return current[0]!;
  let keep = current[0]!;
  for (const rev of current) if ((rev.revision ?? 0) >= (keep.revision ?? 0)) keep = rev;
  const keepHash = keep.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
  const ns = ds.metadata.namespace;
  for (const rev of current) {
    if (rev.metadata.name === keep.metadata.name) continue;
    for (const pod of await deps.daemonPods(ds)) {
      if (pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === keepHash) continue;
      await deps.client.patch(RESOURCES.pods, ns, pod.metadata.name!, 'merge', {
        metadata: {
          labels: { [CONTROLLER_REVISION_HASH_LABEL]: keepHash },
          resourceVersion: pod.metadata.resourceVersion,
        },
      });
    }
    await deps.client.delete(RESOURCES.controllerrevisions, ns, rev.metadata.name!);
  }
  return keep;
}

/**
 * cleanupHistory: deletes old revisions beyond `revisionHistoryLimit` (default 10), lowest revision first,
 * never one whose hash a live daemon pod still carries.
 */
export async function cleanupHistory(
  client: ApiClient,
  ds: DaemonSet,
  old: readonly ControllerRevision[],
  pods: readonly Pod[] | (() => Promise<readonly Pod[]>),
): Promise<void> {
  let toKill = old.length - (ds.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT);
  if (toKill <= 0) return;
  const liveHashes = new Set<string>();
  for (const pod of typeof pods === 'function' ? await pods() : pods) {
    const h = pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
    if (h) liveHashes.add(h);
  }
  const sorted = [...old].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  for (const rev of sorted) {
    if (toKill <= 0) break;
    if (liveHashes.has(rev.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')) continue;
    try {
      await client.delete(RESOURCES.controllerrevisions, ds.metadata.namespace, rev.metadata.name!);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    toKill--;
  }
}
