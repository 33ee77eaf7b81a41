import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../../definition.js';
import { nameIsDNSLabel } from '../../validation/names.js';
import { defaultNamespace, validateNamespace, validateNamespaceUpdate } from '../../validation/core.js';
import { identityVersion } from '../../identity-version.js';
import { namespacePrinter } from './printer.js';
import { errors } from '../../status.js';
import { specStatusStrategy, statusStrategyOf } from '../../strategies.js';

/** Namespaces the apiserver refuses to delete (kube-node-lease is deletable, as upstream). */
const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/** The namespaces every cluster starts with. */
export const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const strategy = specStatusStrategy({
  generation: false,
  clearStatusOnCreate: true,
  initialStatus: () => ({ phase: 'Active' }),
  prepareForCreate(obj) {
    const spec = (obj.spec ??= {}) as { finalizers?: string[] };
    spec.finalizers = ['kubernetes'];
  },
  validate: (obj) => validateNamespace(obj),
  validateUpdate: (obj, old) => validateNamespaceUpdate(obj, old),
});

/** Namespaces: cluster-scoped; DELETE marks them Terminating and the namespace finalizer empties them. */
export const namespaces: ResourceDefinition = {
  group: '',
  plural: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  namespaced: false,
  etcdPrefix: 'namespaces',
  versions: [
    identityVersion({
      group: '',
      version: 'v1',
      kind: 'Namespace',
      shortNames: ['ns'],
      default: (o) => defaultNamespace(o),
    }),
  ],
  strategy: {
    ...strategy,
    prepareForUpdate(obj, old, ctx) {
      strategy.prepareForUpdate(obj, old, ctx);
      // spec.finalizers change only through /finalize
      obj.spec = old.spec;
    },
    pendingFinalizers: (obj) => (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
    beforeDelete(obj, gr) {
      const name = obj.metadata.name ?? '';
      if (IMMORTAL_NAMESPACES.includes(name)) throw errors.forbidden(gr, name, 'this namespace may not be deleted');
      if (obj.metadata.deletionTimestamp) {
        throw errors.conflict(
          gr,
          name,
          'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
        );
      }
    },
    prepareForDelete(obj) {
      obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    },
  },
  statusStrategy: statusStrategyOf(strategy),
  get finalizeStrategy() {
    return namespaceFinalizeStrategy;
  },
  fieldSelectors: { 'status.phase': (o) => String((o.status as { phase?: string } | undefined)?.phase ?? '') },
  printer: namespacePrinter,
  deleteCollection: false,
  nameValidator: nameIsDNSLabel,
};

/** The /finalize subresource: only spec.finalizers change. */
export const namespaceFinalizeStrategy = {
  ...statusStrategyOf(strategy),
  prepareForUpdate(obj: KubeObject, old: KubeObject) {
    const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    obj.status = old.status;
    obj.spec = { ...(old.spec as object), finalizers };
  },
};
