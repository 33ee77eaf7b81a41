/**
 * The shared informer factory: one informer per resource for the whole controller manager, however many
 * components ask for it, as client-go's SharedInformerFactory.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { isAbortError } from './clock.js';
import { SharedInformer, errorInfo, type SharedInformerOptions } from './informer.js';
import type { ApiClient, Clock, InformerFactory, Logger, ResourceRef } from './types.js';

export interface SharedInformerFactoryOptions extends Omit<SharedInformerOptions, 'ref' | 'client' | 'clock' | 'log'> {
  client: ApiClient;
  clock: Clock;
  log: Logger;
}

/** The identity of a resource for sharing: its group, version and plural name. */
export function refKey(ref: ResourceRef): string {
  return `${ref.group}/${ref.version}/${ref.resource}`;
}

/**
 * Creates informers on first request and runs them once started. An informer asked for after `start` starts
 * at once. `stopped()` resolves when every running informer has returned after the signal aborted.
 */
export class SharedInformerFactory implements InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private readonly runs: Promise<void>[] = [];
  private signal: AbortSignal | undefined;

  constructor(private readonly opts: SharedInformerFactoryOptions) {}

  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): SharedInformer<T> {
    const key = refKey(ref);
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new SharedInformer({ ...this.opts, ref });
      this.informers.set(key, inf);
      if (this.signal) this.runOne(inf, this.signal);
    }
    return inf as unknown as SharedInformer<T>;
  }

  start(signal: AbortSignal): void {
    if (this.signal) return;
    this.signal = signal;
    for (const inf of this.informers.values()) this.runOne(inf, signal);
  }

  async waitForSync(signal: AbortSignal): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.whenSynced(signal)));
  }

  /** Every informer created so far. */
  list(): SharedInformer[] {
    return [...this.informers.values()];
  }

  /** Resolves when every started informer has stopped. */
  async stopped(): Promise<void> {
    await Promise.all(this.runs);
  }

  private runOne(inf: SharedInformer, signal: AbortSignal): void {
    this.runs.push(
      inf.run(signal).catch((err) => {
        if (!isAbortError(err))
          this.opts.log.error({ err: errorInfo(err), resource: inf.ref.resource }, 'informer stopped with an error');
      }),
    );
  }
}
