import type { KubeObject } from '../../apimachinery/objects.js';
import type { RequestContext, ResourceStrategy } from './definition.js';
import type { FieldError } from '../../apimachinery/field-errors.js';
import { semanticEqual } from '../../apimachinery/copy.js';

/** A strategy for objects with spec and status: status is the controllers' (through /status), spec the users'. */
export function specStatusStrategy(opts: {
  validate: (obj: KubeObject, ctx: RequestContext) => FieldError[];
  validateUpdate: (obj: KubeObject, old: KubeObject, ctx: RequestContext) => FieldError[];
  prepareForCreate?: (obj: KubeObject, ctx: RequestContext) => void;
  /** Whether metadata.generation is maintained (1 at create, +1 on every spec change). */
  generation: boolean;
  /** Status is dropped on create (most resources) or kept (nodes register with their status). */
  clearStatusOnCreate: boolean;
  initialStatus?: () => Record<string, unknown>;
  allowUnconditionalUpdate?: boolean;
  gracePeriod?: ResourceStrategy['gracePeriod'];
}): ResourceStrategy {
  return {
    prepareForCreate(obj, ctx) {
      if (opts.clearStatusOnCreate) {
        if (opts.initialStatus) obj.status = opts.initialStatus();
        else delete obj.status;
      }
      if (opts.generation) obj.metadata.generation = 1;
      opts.prepareForCreate?.(obj, ctx);
    },
    validate: opts.validate,
    prepareForUpdate(obj, old) {
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
      if (opts.generation && !semanticEqual(obj.spec, old.spec))
        obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
    },
    validateUpdate: opts.validateUpdate,
    allowUnconditionalUpdate: opts.allowUnconditionalUpdate ?? true,
    allowCreateOnUpdate: false,
    gracePeriod: opts.gracePeriod,
  };
}

/** The /status strategy: takes only status (and metadata) from the request, keeps the spec. */
export function statusStrategyOf(
  base: ResourceStrategy,
  validateStatus?: (obj: KubeObject, old: KubeObject) => FieldError[],
): ResourceStrategy {
  return {
    prepareForCreate: base.prepareForCreate,
    validate: base.validate,
    prepareForUpdate(obj, old) {
      if (old.spec === undefined) delete obj.spec;
      else obj.spec = old.spec;
      // Status updates may not change labels/annotations... upstream keeps metadata changes except these:
      obj.metadata.generation = old.metadata.generation;
    },
    validateUpdate(obj, old) {
      return validateStatus ? validateStatus(obj, old) : [];
    },
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: false,
  };
}
