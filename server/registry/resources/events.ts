import type { KubeObject } from '../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../definition.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { validateEvent } from '../validation/core.js';
import { identityVersion } from '../versions/identity.js';

interface EventLike {
  involvedObject?: Record<string, string | undefined>;
  reason?: string;
  reportingComponent?: string;
  source?: { component?: string };
  type?: string;
}

/** core/v1 Events: written by controllers, read by `kubectl describe` through involvedObject.* selectors. */
export const events: ResourceDefinition = {
  group: '',
  plural: 'events',
  singular: 'event',
  kind: 'Event',
  listKind: 'EventList',
  namespaced: true,
  etcdPrefix: 'events',
  versions: [identityVersion({ group: '', version: 'v1', kind: 'Event', shortNames: ['ev'] })],
  strategy: {
    prepareForCreate() {},
    validate: (obj) => validateEvent(obj),
    prepareForUpdate() {},
    validateUpdate: (obj) => validateEvent(obj),
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: true,
  },
  fieldLabels: [
    'metadata.name',
    'metadata.namespace',
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  selectableFields(o: KubeObject) {
    const ev = o as EventLike;
    const io = ev.involvedObject ?? {};
    return {
      'involvedObject.kind': io.kind ?? '',
      'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '',
      'involvedObject.apiVersion': io.apiVersion ?? '',
      'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '',
      reason: ev.reason ?? '',
      reportingComponent: ev.reportingComponent ?? '',
      source: ev.source?.component ?? '',
      type: ev.type ?? '',
    };
  },
  nameValidator: nameIsDNSSubdomain,
};
