import type { ResourceDefinition } from '../../definition.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { defaultNode, validateNode, validateNodeUpdate } from '../../validation/core.js';
import { identityVersion } from '../../identity-version.js';
import { nodePrinter } from './printer.js';
import { specStatusStrategy, statusStrategyOf } from '../../strategies.js';

const strategy = specStatusStrategy({
  generation: false,
  clearStatusOnCreate: false, // a kubelet registers its node together with its status
  validate: (obj) => validateNode(obj),
  validateUpdate: (obj, old) => validateNodeUpdate(obj, old),
});

/** Nodes: cluster-scoped; each is a simulated node once the controller manager runs. */
export const nodes: ResourceDefinition = {
  group: '',
  plural: 'nodes',
  singular: 'node',
  kind: 'Node',
  listKind: 'NodeList',
  namespaced: false,
  etcdPrefix: 'minions',
  versions: [
    identityVersion({ group: '', version: 'v1', kind: 'Node', shortNames: ['no'], default: (o) => defaultNode(o) }),
  ],
  strategy,
  statusStrategy: statusStrategyOf(strategy),
  fieldSelectors: {
    'spec.unschedulable': (o) => String(!!(o.spec as { unschedulable?: boolean } | undefined)?.unschedulable),
  },
  printer: nodePrinter,
  nameValidator: nameIsDNSSubdomain,
};
