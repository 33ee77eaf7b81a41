import { clone } from '../../apimachinery/copy.js';
import { storageKey, storagePrefix } from '../../apimachinery/keys.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { rfc3339 } from '../../apimachinery/time.js';
import type { Storage } from '../../storage/interface.js';
import { isStorageError } from '../../storage/errors.js';
import type { Registry } from './registry.js';
import { normalizeMeta } from './meta.js';
import { INITIAL_NAMESPACES } from './resources/namespaces/index.js';
import { isStatusError } from './status.js';

/** How often a terminating namespace that still has content is looked at again. */
const RETRY_MS = 1000;

/**
 * Namespace lifecycle: the namespaces every cluster starts with exist, and a namespace being deleted is
 * emptied (every namespaced object in it deleted, as kube-controller-manager's namespace controller does)
 * before its `kubernetes` finalizer is removed and the namespace itself goes away.
 */
export class NamespaceLifecycle {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly registry: Registry,
    private readonly storage: Storage,
    private readonly log: { warn(obj: unknown, msg?: string): void },
  ) {}

  /** Creates the initial namespaces (idempotent) and starts following namespace deletions. */
  async start(): Promise<void> {
    // Written together: the store commits them in one synced batch rather than one after another (a first start
    // waited for four fsyncs in a row).
    const now = rfc3339(new Date());
    const creates = INITIAL_NAMESPACES.map(async (name) => {
      const ns: KubeObject = {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: normalizeMeta({
          name,
          uid: crypto.randomUUID(),
          creationTimestamp: now,
          labels: { 'kubernetes.io/metadata.name': name },
        }),
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      };
      try {
        await this.storage.create(storageKey('namespaces', undefined, name), ns);
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
      }
    });
    await Promise.all(creates);
    const listed = await this.storage.list(storagePrefix('namespaces'));
    for (const ns of listed.items) if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name!);
    void this.follow(listed.revision);
  }

  private async follow(from: number): Promise<void> {
    try {
      for await (const ev of this.storage.watch(storagePrefix('namespaces'), from, { signal: this.abort.signal })) {
        if (ev.type === 'MODIFIED' && ev.object.metadata.deletionTimestamp) this.enqueue(ev.object.metadata.name!);
      }
    } catch {
      if (this.stopped) return;
      // history gone or watcher dropped: rescan and follow again
      const listed = await this.storage.list(storagePrefix('namespaces')).catch(() => undefined);
      if (!listed) return;
      for (const ns of listed.items) if (ns.metadata.deletionTimestamp) this.enqueue(ns.metadata.name!);
      void this.follow(listed.revision);
    }
  }

  private enqueue(name: string): void {
    this.pending.add(name);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, ms);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let retry = false;
    try {
      for (const name of [...this.pending]) {
        if (this.stopped) return;
        this.pending.delete(name);
        try {
          if (!(await this.finalize(name))) {
            this.pending.add(name);
            retry = true;
          }
        } catch (err) {
          this.log.warn({ err, namespace: name }, 'namespace cleanup failed; will retry');
          this.pending.add(name);
          retry = true;
        }
      }
    } finally {
      this.running = false;
    }
    if (retry) this.schedule(RETRY_MS);
  }

  /** Deletes what is left in the namespace; once it is empty, removes the namespace. True when done. */
  private async finalize(name: string): Promise<boolean> {
    let remaining = 0;
    for (const handle of this.registry.handles) {
      if (!handle.def.namespaced || handle.view !== handle.def.versions[0]) continue;
      const listed = await this.storage.list(handle.store.prefix(name));
      for (const obj of listed.items) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await handle.store.delete(handle.view, name, obj.metadata.name!, {
            dryRun: false,
            propagationPolicy: 'Background',
          });
        } catch (err) {
          if (!(isStatusError(err) && err.code === 404)) throw err;
        }
      }
    }
    if (remaining > 0) return false;
    const key = storageKey('namespaces', undefined, name);
    try {
      const updated = await this.storage.guaranteedUpdate(key, (cur) => {
        const spec = (cur.spec ?? {}) as { finalizers?: string[] };
        if (!(spec.finalizers ?? []).includes('kubernetes')) return cur;
        const next = clone(cur);
        (next.spec as { finalizers?: string[] }).finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
        return next;
      });
      const specFinalizers = ((updated.spec ?? {}) as { finalizers?: string[] }).finalizers ?? [];
      if (specFinalizers.length === 0 && (updated.metadata.finalizers ?? []).length === 0) {
        await this.storage.delete(key, { preconditions: { uid: updated.metadata.uid } });
      }
    } catch (err) {
      if (!isStorageError(err, 'KeyNotFound')) throw err;
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
  }
}
