/** Preconditions as kube-apiserver checks them before a delete or an update is committed. */
import type { KubeObject } from '../apimachinery/objects.js';
import { StorageError } from './errors.js';
import type { Preconditions } from './interface.js';

/**
 * Throws StorageError 'Conflict' when `obj` does not satisfy `pre` (a set uid or resourceVersion must match
 * the object's metadata exactly), with upstream's message. Called on the exact state a write is validated
 * against, so a passing check cannot be invalidated before the commit.
 */
export function checkPreconditions(key: string, obj: KubeObject, pre: Preconditions | undefined): void {
  if (!pre) return;
  const meta = obj.metadata ?? {};
  if (pre.uid !== undefined && pre.uid !== meta.uid) {
    throw new StorageError(
      'Conflict',
      key,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    throw new StorageError(
      'Conflict',
      key,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ` +
        `ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
}
