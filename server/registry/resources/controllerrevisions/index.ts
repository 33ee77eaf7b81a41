/**
 * ControllerRevisions (apps/v1 only; pkg/registry/apps/controllerrevision): immutable snapshots of a
 * controller's state. `data` is required and may not change; `revision` may (controllers renumber a
 * re-used revision). No status subresource, no generation.
 */
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { validateControllerRevision, validateControllerRevisionUpdate } from '../../validation/apps.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { identityVersion } from '../../identity-version.js';
import { controllerRevisionPrinter } from './printer.js';

/** The ControllerRevision strategy: nothing to clear or bump; ValidateControllerRevision(Update). */
export const controllerRevisionStrategy: ResourceStrategy = {
  prepareForCreate() {},
  validate: (cr) => validateControllerRevision(cr),
  prepareForUpdate() {},
  validateUpdate: (cr, old) => validateControllerRevisionUpdate(cr, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** ControllerRevisions: namespaced, apps/v1, DELETE without a policy deletes dependents in the background. */
export const controllerRevisions: ResourceDefinition = {
  group: 'apps',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  namespaced: true,
  etcdPrefix: 'controllerrevisions',
  versions: [
    identityVersion({
      group: 'apps',
      version: 'v1',
      kind: 'ControllerRevision',
      defaultPropagationPolicy: 'Background',
    }),
  ],
  strategy: controllerRevisionStrategy,
  printer: controllerRevisionPrinter,
  nameValidator: nameIsDNSSubdomain,
};
