/**
 * The root CA certificate publisher (kube-controller-manager's root-ca-cert-publisher,
 * pkg/controller/certificates/rootcacertpublisher): every namespace has a ConfigMap `kube-root-ca.crt` whose `ca.crt`
 * is the cluster's CA bundle, which the ServiceAccount admission projects into every pod's kube-api-access volume
 * (`/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`). A namespace is synced when it appears, when it changes
 * while Active, and when its kube-root-ca.crt is edited or deleted: a missing one is created, one whose data or
 * description annotation differ is put back (other keys of `data` go, other annotations and labels stay). A create
 * refused because the namespace is gone or terminating is not retried.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { isNamespaceTerminating } from '../daemonset/manage.js';
import { isNotFound } from '../machinery/client.js';
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

/** The component name (kube-controller-manager: root-ca-certificate-publisher-controller). */
export const ROOT_CA_PUBLISHER_COMPONENT = 'root-ca-certificate-publisher-controller';
/** The ConfigMap every namespace gets, and its one key. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
/** The annotation that says what the ConfigMap is for, with upstream's text. */
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the ' +
  'internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** core/v1 ConfigMaps. */
export const CONFIG_MAPS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

interface Namespace extends KubeObject {
  status?: { phase?: string };
}

export interface RootCAPublisherOptions {
  queue?: WorkQueue;
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const keys = Object.keys(a ?? {});
  return keys.length === Object.keys(b).length && keys.every((k) => a![k] === b[k]);
}

/** Keeps kube-root-ca.crt in every namespace. Construct with the context (registers informers). */
export class RootCAPublisher implements Component, Controller {
  readonly name = ROOT_CA_PUBLISHER_COMPONENT;
  readonly queue: WorkQueue;
  private readonly configMaps: Informer<ConfigMap>;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly rootCA: string,
    opts: RootCAPublisherOptions = {},
  ) {
    this.log = ctx.log.child({ component: ROOT_CA_PUBLISHER_COMPONENT });
    this.queue =
      opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'root_ca_cert_publisher', log: this.log });
    const namespaces = ctx.informers.informer<Namespace>(RESOURCES.namespaces);
    this.configMaps = ctx.informers.informer<ConfigMap>(CONFIG_MAPS);
    namespaces.on({
      add: (ns) => this.queue.add(ns.metadata.name ?? ''),
      update: (_old, ns) => {
        if (ns.status?.phase === 'Active') this.queue.add(ns.metadata.name ?? '');
      },
    });
    const ours = (cm: ConfigMap) => {
      if (cm.metadata.name === ROOT_CA_CONFIGMAP && cm.metadata.namespace) this.queue.add(cm.metadata.namespace);
    };
    this.configMaps.on({ update: (_old, cm) => ours(cm), delete: ours });
  }

  /** Waits for the caches, then syncs queued namespaces until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.ctx.informers.waitForSync(signal);
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** A namespace: creates its kube-root-ca.crt, or puts back its data and description. */
  async sync(namespace: string): Promise<void> {
    const data = { [ROOT_CA_KEY]: this.rootCA };
    const cm = this.configMaps.lister.get(namespace, ROOT_CA_CONFIGMAP);
    if (!cm) {
      try {
        await this.ctx.client.create<ConfigMap>(CONFIG_MAPS, namespace, {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data,
        });
        this.log.debug({ namespace }, 'published kube-root-ca.crt');
      } catch (err) {
        // The namespace is gone or going: nothing to publish there (the cache may lag behind a create, too).
        if (isNotFound(err) || isNamespaceTerminating(err)) return;
        throw err;
      }
      return;
    }
    if (sameData(cm.data, data) && cm.metadata.annotations?.[DESCRIPTION_ANNOTATION]) return;
    const fixed: ConfigMap = structuredClone(cm);
    fixed.data = data;
    fixed.metadata.annotations = { ...(fixed.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
    await this.ctx.client.update<ConfigMap>(CONFIG_MAPS, namespace, fixed);
    this.log.debug({ namespace }, 'restored kube-root-ca.crt');
  }
}

/**
 * The publisher as a component factory. Without a root CA (`ctx.rootCA`: the controller manager's --root-ca-file
 * or its kubeconfig's CA) there is nothing to publish and it only says so.
 */
export function rootCAPublisher(ctx: ControllerContext, opts: RootCAPublisherOptions = {}): Component {
  if (ctx.rootCA) return new RootCAPublisher(ctx, ctx.rootCA, opts);
  return {
    name: ROOT_CA_PUBLISHER_COMPONENT,
    async run(signal: AbortSignal) {
      ctx.log.warn(
        { component: ROOT_CA_PUBLISHER_COMPONENT },
        'no root CA (--root-ca-file, or a CA in the kubeconfig): kube-root-ca.crt is not published',
      );
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    },
  };
}
