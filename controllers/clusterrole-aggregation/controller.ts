/**
 * The clusterrole-aggregation controller (pkg/controller/clusterroleaggregation): a ClusterRole with an
 * `aggregationRule` gets as its rules the union of the rules of every other ClusterRole that one of its
 * `clusterRoleSelectors` matches (cluster roles taken in name order per selector, each distinct rule once, in first
 * seen order). The result is written with server-side apply (field manager `clusterrole-aggregation-controller`,
 * forced), and only when it differs. Any change to any ClusterRole queues every aggregated one: the set is small and
 * the dependency graph unknown, as upstream reasons.
 */
import { labelSelectorFromObject, type LabelSelectorObject } from '../../apimachinery/labels.js';
import { runWorkers } from '../machinery/controller.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import type {
  Component,
  Controller,
  ControllerContext,
  Informer,
  Logger,
  ResourceRef,
  WorkQueue,
} from '../machinery/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';

/** The controller's name, also its field manager (upstream's). */
export const CLUSTERROLE_AGGREGATION_COMPONENT = 'clusterrole-aggregation-controller';

export const CLUSTER_ROLES: ResourceRef = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource: 'clusterroles',
  kind: 'ClusterRole',
  namespaced: false,
};

/** An rbac/v1 PolicyRule as JSON. */
export interface PolicyRule {
  verbs?: string[] | null;
  apiGroups?: string[] | null;
  resources?: string[] | null;
  resourceNames?: string[] | null;
  nonResourceURLs?: string[] | null;
}

export interface ClusterRole extends KubeObject {
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelectorObject[] | null } | null;
}

/**
 * Go's equality.Semantic.DeepEqual on JSON values: a missing or null list (or object) equals an empty one.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    return [...new Set([...Object.keys(ao), ...Object.keys(bo)])].every((k) => semanticEqual(ao[k], bo[k]));
  }
  return a === b;
}

/**
 * The rules an aggregated cluster role should have, given every cluster role: for each selector in order, the
 * matching cluster roles other than itself sorted by name, their rules appended unless an equal one is there.
 * Throws the selector's error for a selector that cannot be parsed.
 */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const selector of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const matcher = labelSelectorFromObject(selector);
    const matched = all
      .filter((r) => matcher.matches(r.metadata.labels))
      .sort((a, b) =>
        (a.metadata.name ?? '') < (b.metadata.name ?? '')
          ? -1
          : (a.metadata.name ?? '') > (b.metadata.name ?? '')
            ? 1
            : 0,
      );
    for (const r of matched) {
      if (r.metadata.name === role.metadata.name) continue;
      for (const rule of r.rules ?? []) if (!out.some((have) => semanticEqual(have, rule))) out.push(rule);
    }
  }
  return out;
}

/** Knobs for tests. */
export interface ClusterRoleAggregationOptions {
  queue?: WorkQueue;
}

export class ClusterRoleAggregationController implements Component, Controller {
  readonly name = CLUSTERROLE_AGGREGATION_COMPONENT;
  readonly queue: WorkQueue;
  private readonly clusterRoles: Informer<ClusterRole>;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: ClusterRoleAggregationOptions = {},
  ) {
    this.log = ctx.log.child({ component: CLUSTERROLE_AGGREGATION_COMPONENT });
    this.queue =
      opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'ClusterRoleAggregator', log: this.log });
    this.clusterRoles = ctx.informers.informer<ClusterRole>(CLUSTER_ROLES);
    const enqueue = () => this.enqueueAggregated();
    this.clusterRoles.on({ add: enqueue, update: enqueue, delete: enqueue });
  }

  /** Queues every cluster role that has an aggregation rule. */
  enqueueAggregated(): void {
    for (const role of this.clusterRoles.lister.list()) {
      if (role.aggregationRule != null) this.queue.add(role.metadata.name ?? '');
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.ctx.informers.waitForSync(signal);
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** Brings one aggregated cluster role's rules up to date (nothing for a missing or non-aggregated one). */
  async sync(name: string): Promise<void> {
    const role = this.clusterRoles.lister.get(undefined, name);
    if (!role || role.aggregationRule == null) return;
    const rules = aggregatedRules(role, this.clusterRoles.lister.list());
    if (semanticEqual(rules, role.rules)) return;
    this.log.info({ clusterRole: name, rules: rules.length }, 'aggregating rules');
    const apply: Record<string, unknown> = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name },
    };
    if (rules.length > 0) apply.rules = rules;
    await this.ctx.client.patch(CLUSTER_ROLES, undefined, name, 'apply', apply, {
      fieldManager: CLUSTERROLE_AGGREGATION_COMPONENT,
      force: true,
    });
  }
}

/** The controller as a component factory (`clusterRoleAggregation(ctx)`); options are for tests. */
export function clusterRoleAggregation(ctx: ControllerContext, opts: ClusterRoleAggregationOptions = {}): Component {
  return new ClusterRoleAggregationController(ctx, opts);
}
