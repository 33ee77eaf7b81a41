/**
 * The service accounts controller (kube-controller-manager's pkg/controller/serviceaccount, ServiceAccountsController):
 * every active namespace has a ServiceAccount named `default`. A namespace is synced when it appears or changes and
 * when one of its accounts is deleted; the sync creates the accounts it lacks (AlreadyExists is fine: the cache lags)
 * and leaves namespaces that are not Active alone (a terminating namespace refuses new content anyway).
 */
import { isAlreadyExists, isNotFound, ApiError } from '../machinery/client.js';
import { runWorkers } from '../machinery/controller.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import {
  RESOURCES,
  type Component,
  type Controller,
  type ControllerContext,
  type Informer,
  type Logger,
  type ResourceRef,
  type WorkQueue,
} from '../machinery/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';

/** The component name (kube-controller-manager: serviceaccount-controller). */
export const SERVICE_ACCOUNTS_COMPONENT = 'serviceaccount-controller';

/** core/v1 ServiceAccounts. */
export const SERVICE_ACCOUNTS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  namespaced: true,
};

/** The accounts every namespace gets (upstream's DefaultServiceAccountsControllerOptions). */
export const SERVICE_ACCOUNTS_TO_ENSURE: readonly string[] = ['default'];

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

/** Knobs for tests. */
export interface ServiceAccountsControllerOptions {
  queue?: WorkQueue;
}

/** Whether a create was refused because the namespace is going away (or gone): nothing to do there. */
function namespaceGoingAway(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (isNotFound(err)) return true;
  return err.code === 403 && /because it is being terminated/.test(err.message);
}

/** Keeps the default ServiceAccount of every active namespace. Construct with the context (registers informers). */
export class ServiceAccountsController implements Component, Controller {
  readonly name = SERVICE_ACCOUNTS_COMPONENT;
  readonly queue: WorkQueue;
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<KubeObject>;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: ServiceAccountsControllerOptions = {},
  ) {
    this.log = ctx.log.child({ component: SERVICE_ACCOUNTS_COMPONENT });
    this.queue =
      opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: SERVICE_ACCOUNTS_COMPONENT, log: this.log });
    this.namespaces = ctx.informers.informer<Namespace>(RESOURCES.namespaces);
    this.accounts = ctx.informers.informer(SERVICE_ACCOUNTS);
    this.namespaces.on({
      add: (ns) => this.queue.add(ns.metadata.name ?? ''),
      update: (_old, ns) => this.queue.add(ns.metadata.name ?? ''),
    });
    this.accounts.on({
      delete: (sa) => {
        if (sa.metadata.namespace) this.queue.add(sa.metadata.namespace);
      },
    });
  }

  /** Waits for the caches, then syncs queued namespaces until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.ctx.informers.waitForSync(signal);
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** A namespace: creates the accounts it should have and lacks, when it is active. */
  async sync(namespace: string): Promise<void> {
    const ns = this.namespaces.lister.get(undefined, namespace);
    if (!ns || ns.status?.phase !== 'Active') return;
    const failures: unknown[] = [];
    for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
      if (this.accounts.lister.get(namespace, name)) continue;
      try {
        await this.ctx.client.create(SERVICE_ACCOUNTS, namespace, {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name, namespace },
        });
        this.log.debug({ namespace, serviceAccount: name }, 'created service account');
      } catch (err) {
        if (isAlreadyExists(err) || namespaceGoingAway(err)) continue;
        failures.push(err);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

/** The service accounts controller as a component factory (`serviceAccountsController(ctx)`). */
export function serviceAccountsController(
  ctx: ControllerContext,
  opts: ServiceAccountsControllerOptions = {},
): Component {
  return new ServiceAccountsController(ctx, opts);
}
