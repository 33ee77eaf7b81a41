import type { KubeObject } from '../../apimachinery/objects.js';
import { groupVersionOf, type PropagationPolicy, type ServedVersion } from './definition.js';

/**
 * A served version whose form is the storage form (core/v1, apps/v1 ControllerRevisions): conversion only sets
 * kind/apiVersion.
 */
export function identityVersion(opts: {
  group: string;
  version: string;
  kind: string;
  shortNames?: string[];
  categories?: string[];
  default?: (obj: KubeObject) => void;
  defaultPropagationPolicy?: PropagationPolicy;
}): ServedVersion {
  const groupVersion = groupVersionOf(opts.group, opts.version);
  return {
    group: opts.group,
    version: opts.version,
    groupVersion,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    default: opts.default ?? (() => {}),
    toStorage(obj) {
      obj.apiVersion = groupVersion;
      obj.kind = opts.kind;
      return obj;
    },
    fromStorage(obj) {
      return obj;
    },
    defaultPropagationPolicy: opts.defaultPropagationPolicy ?? 'Background',
  };
}
