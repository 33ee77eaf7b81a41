import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../../definition.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateEvent } from '../../validation/core.js';
import { identityVersion } from '../../identity-version.js';
import { eventPrinter } from './printer.js';

interface EventLike {
  involvedObject?: Record<string, string | undefined>;
  reason?: string;
  reportingComponent?: string;
  source?: { component?: string };
  type?: string;
}

/** core/v1 Events: written by controllers, read by `kubectl describe` through involvedObject.* selectors. */
const involved = (o: KubeObject) => (o as EventLike).involvedObject ?? {};

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
  fieldSelectors: {
    'involvedObject.kind': (o) => involved(o).kind ?? '',
    'involvedObject.namespace': (o) => involved(o).namespace ?? '',
    'involvedObject.name': (o) => involved(o).name ?? '',
    'involvedObject.uid': (o) => involved(o).uid ?? '',
    'involvedObject.apiVersion': (o) => involved(o).apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => involved(o).resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => involved(o).fieldPath ?? '',
    reason: (o) => (o as EventLike).reason ?? '',
    reportingComponent: (o) => (o as EventLike).reportingComponent ?? '',
    source: (o) => (o as EventLike).source?.component ?? '',
    type: (o) => (o as EventLike).type ?? '',
  },
  printer: eventPrinter,
  nameValidator: nameIsDNSSubdomain,
};
