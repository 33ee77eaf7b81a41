/**
 * The etcd raw backend ({@link RawBackend}) over the `etcd3` client: resourceVersion = the key's mod_revision,
 * writes are single-key transactions comparing it, the cache is fed by one watch (prev_kv, progress
 * notifications) that resumes from the last revision it saw and reports any compaction or revision
 * discontinuity as an error. Every unary call carries a deadline, so an unreachable etcd yields a StorageError,
 * never a hang.
 *
 * `recentHistory` returns no events: the history is in etcd, but only a watch replay could read it back, so the
 * cache's window starts at the revision it loaded, as kube-apiserver's watch cache does over etcd.
 */
import { Etcd3, type IOptions, isRecoverableError } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import { handleAll, noop, retry, ConstantBackoff } from 'cockatiel';
import { StorageError } from '../errors.js';
import type {
  RawBackend,
  RawEvent,
  RawHistory,
  RawListener,
  RawObject,
  RawRange,
  RawWrite,
  RawWriteResult,
} from '../raw.js';
import { withResourceVersion } from '../stored-objects.js';
import { COMPACT_REV_KEY, KeyMapper, decodeValue, encodeValue } from './codec.js';

export interface EtcdBackendOptions {
  /** Client URLs (`http://127.0.0.1:2379`); calls fail over between them. */
  servers: string[];
  /** Keys live under this (kube-apiserver's --etcd-prefix). Default `/registry`. */
  prefix?: string;
  /** Largest key plus value one write may store (etcd's --max-request-bytes). Default 1.5 MiB. */
  maxRequestBytes?: number;
  /** Deadline of every call to etcd, in ms. Default 10 s. */
  timeoutMs?: number;
  /** Where failures are reported. */
  log?: { warn(...args: unknown[]): void };
}

/** etcd's default --max-request-bytes. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Range pages aim at about this many bytes, far below gRPC's 4 MiB message limit. */
const PAGE_TARGET_BYTES = 1024 * 1024;
const FIRST_PAGE = 100;
const MAX_PAGE = 5000;

export class EtcdBackend implements RawBackend {
  private readonly client: Etcd3;
  private readonly keys: KeyMapper;
  private readonly watches = new Set<EtcdWatch>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly opts: Required<Omit<EtcdBackendOptions, 'log'>> & { log: { warn(...args: unknown[]): void } },
  ) {
    const { servers, timeoutMs } = opts;
    const options: IOptions = {
      hosts: servers,
      dialTimeout: timeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
      faultHandling: {
        host: () => noop,
        // One more attempt per other server (a failed call is retried on the next host).
        global:
          servers.length > 1
            ? retry(handleAll.orWhen(isRecoverableError), {
                maxAttempts: servers.length - 1,
                backoff: new ConstantBackoff(50),
              })
            : noop,
      },
    };
    this.client = new Etcd3(options);
    this.keys = new KeyMapper(opts.prefix);
  }

  /** Checks the options and connects (lazily: the first call reaches etcd). */
  static async open(opts: EtcdBackendOptions): Promise<EtcdBackend> {
    if (!opts || !Array.isArray(opts.servers) || opts.servers.length === 0) {
      throw new TypeError('openEtcdStorage: servers is required');
    }
    for (const s of opts.servers) {
      if (!/^https?:\/\/[^/]+\/?$/.test(s)) throw new TypeError(`openEtcdStorage: invalid etcd server URL ${s}`);
    }
    const prefix = (opts.prefix ?? '/registry').replace(/\/+$/, '');
    if (!prefix.startsWith('/')) throw new TypeError(`openEtcdStorage: prefix must start with /, got ${opts.prefix}`);
    const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1024) {
      throw new RangeError(`openEtcdStorage: maxRequestBytes must be an integer >= 1024, got ${maxRequestBytes}`);
    }
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new RangeError(`openEtcdStorage: timeoutMs must be a positive integer, got ${timeoutMs}`);
    }
    const backend = new EtcdBackend({
      servers: opts.servers.map((s) => s.replace(/\/$/, '')),
      prefix,
      maxRequestBytes,
      timeoutMs,
      log: opts.log ?? { warn() {} },
    });
    // Fail now, not on the first request, when etcd cannot be reached.
    try {
      await backend.revisions();
    } catch (err) {
      await backend.close();
      throw err;
    }
    return backend;
  }

  async revisions(): Promise<{ current: number; compacted: number }> {
    const res = await this.call('', () => this.client.kv.range({ key: COMPACT_REV_KEY }));
    const mark = res.kvs[0];
    return { current: Number(res.header.revision), compacted: mark ? Number(mark.value.toString()) || 0 : 0 };
  }

  async range(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<RawRange> {
    const span = this.keys.range(prefix);
    if (!span) return { items: [], revision: (await this.revisions()).current, more: false };
    const want = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    let start = span.start;
    if (opts.startAfter !== undefined && opts.startAfter >= prefix) {
      const after = Buffer.concat([this.keys.toEtcd(opts.startAfter), Buffer.from([0])]);
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const items: RawObject[] = [];
    let revision = 0;
    let page = Math.min(FIRST_PAGE, want);
    for (;;) {
      const res = await this.rangePage(prefix, start, span.end, page, revision);
      revision = Number(res.header.revision);
      let bytes = 0;
      for (const kv of res.kvs) {
        const modRevision = Number(kv.mod_revision);
        items.push({
          key: this.keys.fromEtcd(kv.key),
          object: this.decode(kv.value, modRevision, kv.key),
          modRevision,
          bytes: kv.value.length,
        });
        bytes += kv.value.length + kv.key.length;
      }
      if (!res.more || res.kvs.length === 0) return { items, revision, more: false };
      if (items.length >= want) return { items, revision, more: true };
      start = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
      const perItem = Math.max(1, bytes / res.kvs.length);
      page = Math.max(1, Math.min(want - items.length, MAX_PAGE, Math.floor(PAGE_TARGET_BYTES / perItem)));
    }
  }

  /** One page at `revision` (0: current); a page too large for gRPC is read again in smaller ones. */
  private async rangePage(
    prefix: string,
    key: Buffer,
    end: Buffer,
    limit: number,
    revision: number,
  ): Promise<RPC.IRangeResponse> {
    for (;;) {
      try {
        return await this.call(prefix, () =>
          this.client.kv.range({ key, range_end: end, limit, ...(revision > 0 ? { revision } : {}) }),
        );
      } catch (err) {
        if (limit > 1 && /RESOURCE_EXHAUSTED|larger than max/i.test(String((err as Error).message))) {
          limit = Math.max(1, Math.floor(limit / 4));
          continue;
        }
        throw err;
      }
    }
  }

  async txn(write: RawWrite): Promise<RawWriteResult> {
    this.checkOpen(write.key);
    const key = this.keys.toEtcd(write.key);
    const value = write.kind === 'delete' ? undefined : encodeValue(write.object);
    if (value !== undefined && Buffer.byteLength(value) + key.length > this.opts.maxRequestBytes) {
      throw new StorageError('RequestTooLarge', write.key, 'etcdserver: request is too large');
    }
    const expected = write.kind === 'create' ? 0 : write.expectedModRevision;
    const compare: RPC.ICompare[] = [{ key, target: 'Mod', result: 'Equal', mod_revision: expected }];
    // Deleting needs the key to exist (an absent key's mod revision is 0, which etcd would accept).
    if (write.kind === 'delete') compare.push({ key, target: 'Version', result: 'Greater', version: 0 });
    const success: RPC.IRequestOp[] =
      value === undefined ? [{ request_delete_range: { key } }] : [{ request_put: { key, value: Buffer.from(value) } }];
    const res = await this.call(write.key, () =>
      this.client.kv.txn({ compare, success, failure: [{ request_range: { key } }] }),
    );
    const revision = Number(res.header.revision);
    if (!res.succeeded) {
      const kv = res.responses[0]?.response_range?.kvs[0];
      return { ok: false, modRevision: kv ? Number(kv.mod_revision) : 0, revision };
    }
    // Acknowledge once the subscriptions have seen the write (bounded: the cache waits again if needed).
    await Promise.all([...this.watches].map((w) => w.reached(revision, this.opts.timeoutMs)));
    return value === undefined ? { ok: true, revision } : { ok: true, revision, object: decodeValue(value, revision) };
  }

  async recentHistory(upTo: number, _budget: { maxEvents: number; maxBytes: number }): Promise<RawHistory> {
    const { compacted } = await this.revisions();
    return { events: [], compacted: Math.min(compacted, upTo), truncated: upTo > compacted };
  }

  async subscribe(fromRevision: number, listener: RawListener): Promise<() => void> {
    // etcd creates a watch below its compaction and cancels it only later: refuse it now.
    const { compacted } = await this.revisions();
    if (fromRevision < compacted) {
      throw new StorageError('Expired', '', `subscribe: revision ${fromRevision} is compacted (${compacted})`);
    }
    const span = this.keys.range('')!;
    const watch = new EtcdWatch(this.client, span, fromRevision, listener, {
      decodeEvent: (ev) => this.decodeEvent(ev),
      timeoutMs: this.opts.timeoutMs,
      log: this.opts.log,
      onEnd: () => this.watches.delete(watch),
    });
    this.watches.add(watch);
    try {
      await watch.start();
    } catch (err) {
      watch.stop();
      throw err;
    }
    return () => watch.stop();
  }

  /** Asks every subscription for a progress notification (etcd's WatchProgressRequest). */
  requestProgress(): void {
    for (const w of this.watches) w.requestProgress();
  }

  async compact(revision: number): Promise<void> {
    const { current, compacted } = await this.revisions();
    const target = Math.min(revision, current);
    if (target <= compacted) return;
    // The mark first, as kube-apiserver's compactor keeps it: every API server on this etcd reads it.
    const mark = await this.call('', () => this.client.kv.range({ key: COMPACT_REV_KEY }));
    const version = mark.kvs[0]?.version ?? 0;
    const res = await this.call('', () =>
      this.client.kv.txn({
        compare: [{ key: COMPACT_REV_KEY, target: 'Version', result: 'Equal', version }],
        success: [{ request_put: { key: COMPACT_REV_KEY, value: Buffer.from(String(target)) } }],
      }),
    );
    if (!res.succeeded) return; // another API server compacted meanwhile
    try {
      await this.call('', () => this.client.kv.compact({ revision: target, physical: false }));
    } catch (err) {
      if (!/compacted/.test(String((err as Error).message))) throw err;
    }
  }

  /** Ends the subscriptions (each listener gets an error) and closes the client. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const watches = [...this.watches];
      this.watches.clear();
      for (const w of watches) w.fail(new StorageError('Internal', '', 'storage is closed'));
      this.client.close();
    })();
    return this.closing;
  }

  private checkOpen(key: string): void {
    if (this.closing) throw new StorageError('Internal', key, 'storage is closed');
  }

  /** Runs one call to etcd; its failures become StorageErrors. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    this.checkOpen(key);
    try {
      return await fn();
    } catch (err) {
      throw toStorageError(err, key);
    }
  }

  private decode(value: Buffer, modRevision: number, etcdKey: Buffer) {
    try {
      return decodeValue(value, modRevision);
    } catch (err) {
      throw new StorageError(
        'Internal',
        this.keys.fromEtcd(etcdKey),
        `etcd: undecodable value at ${etcdKey.toString()}: ${String(err)}`,
      );
    }
  }

  private decodeEvent(ev: RPC.IEvent): RawEvent {
    const key = this.keys.fromEtcd(ev.kv.key);
    const revision = Number(ev.kv.mod_revision);
    const prevObject = ev.prev_kv
      ? this.decode(ev.prev_kv.value, Number(ev.prev_kv.mod_revision), ev.kv.key)
      : undefined;
    if (ev.type === 'Delete') {
      const bytes = Math.max(1, ev.prev_kv?.value.length ?? 0);
      return prevObject
        ? { type: 'DELETED', key, revision, object: withResourceVersion(prevObject, revision), prevObject, bytes }
        : { type: 'DELETED', key, revision, bytes };
    }
    const object = this.decode(ev.kv.value, revision, ev.kv.key);
    const type = ev.kv.create_revision === ev.kv.mod_revision ? 'ADDED' : 'MODIFIED';
    const bytes = ev.kv.value.length;
    return prevObject ? { type, key, revision, object, prevObject, bytes } : { type, key, revision, object, bytes };
  }
}

/** A failed etcd call as a StorageError: 'RequestTooLarge' for etcd's size limit, otherwise 'Internal'. */
function toStorageError(err: unknown, key: string): StorageError {
  if (err instanceof StorageError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/request is too large|larger than max/i.test(message)) {
    return new StorageError('RequestTooLarge', key, 'etcdserver: request is too large');
  }
  return new StorageError('Internal', key, `etcd: ${message}`);
}

interface WatchHooks {
  decodeEvent(ev: RPC.IEvent): RawEvent;
  timeoutMs: number;
  log: { warn(...args: unknown[]): void };
  onEnd(): void;
}

/**
 * One subscription: a watch stream from `last + 1` that resumes from the last revision it saw when the stream
 * breaks, and fails (the listener's `error`) on compaction, cancellation or a revision that does not increase.
 */
class EtcdWatch {
  private stream: RPC.IDuplexStream<RPC.IWatchRequest, RPC.IWatchResponse> | undefined;
  private stopped = false;
  private retryDelay = 50;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: { revision: number; resolve(): void }[] = [];

  constructor(
    private readonly client: Etcd3,
    private readonly span: { start: Buffer; end: Buffer },
    private last: number,
    private readonly listener: RawListener,
    private readonly hooks: WatchHooks,
  ) {}

  /** Opens the stream; resolves once etcd has created the watch. */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StorageError('Internal', '', 'etcd: the watch was not created in time')),
        this.hooks.timeoutMs,
      );
      this.open(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** Resolves once the subscription has delivered `revision` (or after `timeoutMs`, or when it ends). */
  reached(revision: number, timeoutMs: number): Promise<void> {
    if (this.last >= revision || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  requestProgress(): void {
    try {
      this.stream?.write({ progress_request: {} });
    } catch {
      // The stream is being replaced; the next one catches up by itself.
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      try {
        s.cancel();
      } catch {
        // already ended
      }
    }
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    this.hooks.onEnd();
  }

  /** Ends the subscription and tells the listener its state can no longer be trusted. */
  fail(err: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.listener.error(err);
  }

  private open(created?: () => void, failed?: (err: unknown) => void): void {
    const onBroken = (err: unknown) => {
      if (this.stopped) return;
      if (failed) {
        failed(toStorageError(err, ''));
        failed = undefined;
        created = undefined;
        return;
      }
      this.stream = undefined;
      this.hooks.log.warn({ err, revision: this.last }, 'storage: etcd watch broke; resuming');
      this.retryTimer = setTimeout(() => this.open(), this.retryDelay);
      this.retryDelay = Math.min(2_000, this.retryDelay * 2);
    };
    this.client.watchClient
      .watch()
      .then((stream) => {
        if (this.stopped) {
          stream.cancel();
          return;
        }
        this.stream = stream;
        let ended = false;
        const broken = (err: unknown) => {
          if (ended || this.stream !== stream) return;
          ended = true;
          try {
            stream.cancel();
          } catch {
            // already ended
          }
          onBroken(err);
        };
        stream.on('data', (res) => {
          if (this.stream !== stream) return;
          try {
            if (this.receive(res) && created) {
              created();
              created = undefined;
              failed = undefined;
              this.retryDelay = 50;
            }
          } catch (err) {
            ended = true;
            if (failed) failed(err);
            else this.fail(err);
          }
        });
        stream.on('error', (err) => broken(err));
        stream.on('end', () => broken(new Error('watch stream ended')));
        stream.write({
          create_request: {
            key: this.span.start,
            range_end: this.span.end,
            start_revision: this.last + 1,
            prev_kv: true,
            progress_notify: true,
          },
        });
      })
      .catch((err: unknown) => onBroken(err));
  }

  /** Handles one response; true when it confirms the watch was created. Throws on a discontinuity. */
  private receive(res: RPC.IWatchResponse): boolean {
    const compactRevision = Number(res.compact_revision);
    if (compactRevision > 0) {
      throw new StorageError(
        'Expired',
        '',
        `etcd: watch from revision ${this.last + 1} is compacted (${compactRevision})`,
        compactRevision,
      );
    }
    if (res.canceled) throw new StorageError('Internal', '', `etcd: watch canceled: ${res.cancel_reason}`);
    if (res.created) return true;
    const header = Number(res.header.revision);
    if (res.events.length === 0) {
      // A progress notification: everything up to the header revision has been sent, says etcd. Before 3.4.25 and
      // 3.5.8 it may say so while events of lower revisions are still queued for a watcher that fell behind (etcd
      // issue 15220; kube-apiserver does not trust them on those versions either). So it is only passed on as a
      // hint for consistent reads: the resume point and the continuity check move with events alone, and events
      // arriving after a notification are never mistaken for a gap.
      this.listener.progress?.(header);
      return false;
    }
    const batch: RawEvent[] = [];
    let last = this.last;
    for (const ev of res.events) {
      const revision = Number(ev.kv.mod_revision);
      if (!(revision > last) && !(revision === last && batch.length > 0)) {
        throw new StorageError(
          'Internal',
          '',
          `etcd: watch revision discontinuity: event at ${revision} after ${this.last}`,
        );
      }
      last = revision;
      batch.push(this.hooks.decodeEvent(ev));
    }
    this.listener.events(batch);
    this.advance(last);
    return false;
  }

  private advance(revision: number): void {
    this.last = revision;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of ready) w.resolve();
  }
}
