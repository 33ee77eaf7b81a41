/**
 * The event recorder: core/v1 Events written through the API client, correlated as client-go's
 * tools/record EventCorrelator does it (repeats counted on one Event, floods of similar events combined,
 * a per-object spam budget), written in the background so that recording never blocks or fails a sync.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/objects.js';
import { boundedMemo } from '../../apimachinery/bounded-memo.js';
import { ValueSharing } from '../../apimachinery/shared-values.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { isAbortError } from './clock.js';
import { isNotFound } from './client.js';
import { errorInfo } from './informer.js';
import {
  RESOURCES,
  type ApiClient,
  type Clock,
  type EventRecorder,
  type EventType,
  type Logger,
  type Timer,
} from './types.js';

/** Similar events (same object, type, reason; another message) beyond this many within the interval are combined. */
export const AGGREGATE_MAX_EVENTS = 10;
/** The window of aggregation and of counting repeats (upstream: 10 minutes). */
export const AGGREGATE_INTERVAL_MS = 10 * 60 * 1000;
/** The message prefix of a combined event. */
export const COMBINED_PREFIX = '(combined from similar events): ';

export interface ApiEventRecorderOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  /** `source.component` and `reportingComponent`, e.g. `daemonset-controller`. */
  component: string;
  /** `source.host` and `reportingInstance`, e.g. the node name for a kubelet. */
  host?: string;
  /** Per object and source: a burst of events, then one every `refillMs` (upstream: 25, 5 min); false disables. */
  spamFilter?: { burst: number; refillMs: number } | false;
  /** Events waiting to be written beyond which new ones are dropped (upstream's broadcaster queue: 1000). */
  maxPending?: number;
  /** Attempts for a write that failed on the network (default 3), `retryMs` apart, doubling (default 1000). */
  maxAttempts?: number;
  retryMs?: number;
  /** Writes in flight, shared with other recorders of the process (default: no bound but this recorder's one). */
  slots?: WriteSlots;
  /** Correlation caches shared with other recorders of the component (default: the recorder's own). */
  correlation?: EventCorrelation;
}

/**
 * `d` as a small integer (`| 0`) when it is one V8 can keep as such, else as it is: a difference of two times V8 holds
 * as doubles stays a double, and one double stored in a member makes V8 box that member in every object of its shape
 * (a heap number of 16 bytes each).
 */
function smallInteger(d: number): number {
  return Number.isInteger(d) && d >= -0x40000000 && d < 0x40000000 ? d | 0 : d;
}

/** Entries each correlation cache holds at most (upstream's EventCorrelator: LRU caches of 4096). */
export const CORRELATION_CACHE_ENTRIES = 4096;

/**
 * The caches of client-go's EventCorrelator: similar events (for aggregation), exact repeats (for counting), and
 * the spam filter's buckets; least recently used entries go beyond CORRELATION_CACHE_ENTRIES each. The simulated
 * kubelet's recorders (one per node) share one, as the recorders of one broadcaster share its correlator: the
 * keys name the node, so nothing is correlated across nodes, and a thousand nodes hold 4096 entries, not a thousand
 * sets of caches.
 *
 * Small entries (a 1,000-node DaemonSet fills ~9,000): a key is a digest of the fields it stands for (the event's
 * source and involved object, then type and reason, and the message or not: ~170 characters), 22 characters
 * whatever their length, so no cache keeps the fields' text; an aggregate's one message is the recorder's pooled
 * message string; instants are milliseconds since the caches were made (small integers for 24 days, which V8 keeps
 * in the object; a time since 1970 is a boxed number of 16 bytes).
 */
export class EventCorrelation {
  /** Similar events: their distinct messages (one text while there is one, as most have), when last seen. */
  readonly aggregates = new Map<string, { messages: string | Set<string>; last: number }>();
  readonly observed = new Map<string, { name: string; count: number; firstTimestamp: string; last: number }>();
  readonly spam = new Map<string, { tokens: number; last: number }>();
  /** The instant `last` counts from. */
  private readonly epoch: number;

  constructor(now = Date.now()) {
    this.epoch = now;
  }

  /** An instant (ms) as the caches' `last` holds it: since the caches were made, a small integer (smallInteger). */
  since(ms: number): number {
    return smallInteger(ms - this.epoch);
  }

  /**
   * The key of a correlation cache for the event's source and involved object (`object`: their seven fields joined
   * by NUL, which no field holds) and `rest`: two keys are equal exactly when both are. The key is the first 128 bits
   * of the SHA-256 of the fields (base64url): names are the users' to choose, and a digest nobody can make collide
   * keeps one object's events from being counted on another's (a fast non-cryptographic hash can be made to).
   */
  key(object: string, rest: readonly (string | undefined)[]): string {
    return createHash('sha256')
      .update(`${object}\u0000${rest.join('\u0000')}`)
      .digest()
      .toString('base64url', 0, 16);
  }

  /**
   * Sets `key` as the most recently used entry of `map`, one of the caches, dropping the least recently used beyond
   * CORRELATION_CACHE_ENTRIES.
   */
  set<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > CORRELATION_CACHE_ENTRIES) map.delete(map.keys().next().value!);
  }
}

/** Event writes the controller manager's recorders have in flight at most, together. */
export const EVENT_WRITES_IN_FLIGHT = 16;
/**
 * Event writes in flight at most while the process is busy ({@link BUSY_REQUESTS} or more of its other requests in
 * flight, or so less than {@link BUSY_LINGER_MS} ago): events are the lowest priority, the requests that create, run
 * and report workloads go first.
 */
export const EVENT_WRITES_WHEN_BUSY = 2;
/** Other requests in flight from which the process counts as busy. */
export const BUSY_REQUESTS = 8;
/**
 * How long the process stays busy after its requests in flight fell below {@link BUSY_REQUESTS}: a DaemonSet's pods
 * wait on the simulated kubelet's timers between their bursts of requests, and event writes and Lease renewals let
 * in there were served ahead of the next burst (the 1,000-node DaemonSet's start wrote ~40 % more events).
 */
export const BUSY_LINGER_MS = 250;
/**
 * Events the controller manager's recorders hold waiting to be written at most, together (then they drop): a
 * 1,000-node DaemonSet and its rollout make ~10,000 (NodeReady, the kubelets' 4-5 a pod), which give way to the pods'
 * writes and follow them; a waiting event takes ~0.2 KB (its Pending and message).
 */
export const EVENT_BACKLOG = 20_000;

/**
 * Counts a process's API requests in flight other than event writes (watches excepted: they are open for as long as
 * they watch), and tells listeners when one ends. {@link WriteSlots} gives events fewer slots while the count is high.
 */
export class ForegroundRequests {
  /** Requests in flight now. */
  inFlight = 0;
  private readonly ended = new Set<() => void>();
  /** When the count last stood at `busyFrom` or more (the clock's ms). */
  private lastBusy = -Infinity;
  /** The timer that tells the listeners when a busy stretch's linger is over. */
  private lingerTimer?: Timer;

  /** Requests in flight from which the process is busy. */
  readonly busyFrom: number;
  /**
   * How long it stays busy after the count last stood at `busyFrom` (a pipeline of pods waits on its timers between
   * bursts of requests: background writes started in those pauses would be served ahead of the next burst). Without
   * a clock, not at all.
   */
  readonly lingerMs: number;

  constructor(
    private readonly clock?: Clock,
    opts: { busyFrom?: number; lingerMs?: number } = {},
  ) {
    this.busyFrom = opts.busyFrom ?? BUSY_REQUESTS;
    this.lingerMs = opts.lingerMs ?? BUSY_LINGER_MS;
  }

  /** Whether the process is busy now: `busyFrom` or more requests in flight, or so less than `lingerMs` ago. */
  busy(): boolean {
    if (this.inFlight >= this.busyFrom) return true;
    return this.clock !== undefined && this.clock.now() - this.lastBusy < this.lingerMs;
  }

  /** A busy stretch ended now: tells the listeners again once its linger is over. */
  private lingering(): void {
    const clock = this.clock;
    if (!clock || !(this.lingerMs > 0)) return;
    this.lastBusy = clock.now();
    if (this.lingerTimer) clock.clearTimeout(this.lingerTimer);
    this.lingerTimer = clock.setTimeout(() => {
      this.lingerTimer = undefined;
      for (const fn of this.ended) fn();
    }, this.lingerMs);
  }

  /** `fn` is called whenever a request ends; returns a function that unregisters it. */
  onEnd(fn: () => void): () => void {
    this.ended.add(fn);
    return () => this.ended.delete(fn);
  }

  /**
   * `client` with each of its requests but watches counted while in flight. Everything else the client has (the
   * garbage collector's discovery reads, for one) is its own, unchanged.
   */
  track(client: ApiClient): ApiClient {
    const count = <T>(p: () => Promise<T>): Promise<T> => {
      if (++this.inFlight >= this.busyFrom && this.clock) this.lastBusy = this.clock.now();
      let result: Promise<T>;
      try {
        result = p();
      } catch (err) {
        result = Promise.reject(err);
      }
      return result.finally(() => {
        if (this.inFlight-- === this.busyFrom) this.lingering();
        for (const fn of this.ended) fn();
      });
    };
    const counted: Partial<ApiClient> = {
      list: (ref, opts) => count(() => client.list(ref, opts)),
      get: (ref, ns, name) => count(() => client.get(ref, ns, name)),
      create: (ref, ns, obj, opts) => count(() => client.create(ref, ns, obj, opts)),
      update: (ref, ns, obj, opts) => count(() => client.update(ref, ns, obj, opts)),
      patch: (ref, ns, name, type, patch, opts) => count(() => client.patch(ref, ns, name, type, patch, opts)),
      delete: (ref, ns, name, opts) => count(() => client.delete(ref, ns, name, opts)),
    };
    return new Proxy(client, {
      get(target, prop) {
        if (Object.hasOwn(counted, prop)) return counted[prop as keyof ApiClient];
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}

/** How {@link WriteSlots} yields to the process's other requests. */
export interface YieldOptions {
  /** The other requests of the process. */
  foreground: ForegroundRequests;
  /** Writes in flight at most while `foreground` is busy ({@link ForegroundRequests.busy}). */
  busySize: number;
}

/**
 * A bound on concurrent writes shared by recorders. Each recorder writes its events one at a time (as a client-go
 * broadcaster does), but the simulated kubelet has a recorder per node: without a shared bound a thousand nodes
 * starting pods would put a thousand event writes in flight at once, ahead of the Lease and pod status writes
 * that matter (events are written a little later instead; none is dropped for it). With `yieldTo`, fewer writes go
 * out while the process's other requests are many (client-go's broadcaster writes events asynchronously, behind the
 * requests that matter; here they also give way to them): a burst of pod creates and status writes is served
 * first, its events follow.
 */
export class WriteSlots {
  private inFlight = 0;
  private holds = 0;
  /** Who waits for a slot, in turn (a recorder itself: a thousand waiting recorders hold no promise nor frame). */
  private readonly waiting: SlotWaiter[] = [];
  /** Events admitted and not yet settled (written, dropped by the correlator, or failed). */
  backlog = 0;
  /** Events refused because the backlog was full. */
  dropped = 0;

  /**
   * `size` writes in flight; at most `maxBacklog` events waiting in all recorders together, beyond which new ones
   * are dropped (client-go's broadcaster drops events when its queue is full, rather than block or grow).
   */
  constructor(
    readonly size: number,
    readonly maxBacklog = Infinity,
    private readonly yieldTo?: YieldOptions,
  ) {
    yieldTo?.foreground.onEnd(() => this.pump());
  }

  /** Writes that may be in flight now. */
  private limit(): number {
    const y = this.yieldTo;
    return y?.foreground.busy() ? Math.min(y.busySize, this.size) : this.size;
  }

  /** Takes an event into the backlog; false (and counted as dropped) when the backlog is full. */
  admit(): boolean {
    if (this.backlog >= this.maxBacklog) {
      this.dropped++;
      return false;
    }
    this.backlog++;
    return true;
  }

  /** An admitted event is done with. */
  settled(): void {
    this.backlog = Math.max(0, this.backlog - 1);
  }

  /**
   * Holds back every write not yet started until the returned function is called (events are the lowest priority:
   * the controller manager holds them while it registers its nodes, whose creates then get the server alone, as
   * client-go's broadcaster writes events asynchronously, behind the requests that matter). Holds nest.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      --this.holds;
      this.pump();
    };
  }

  /** Starts waiting writes, in order, while the limit allows. */
  private pump(): void {
    if (this.holds > 0) return;
    while (this.waiting.length > 0 && this.inFlight < this.limit()) {
      this.inFlight++;
      this.waiting.shift()!.slotGranted();
    }
  }

  /**
   * Runs `fn` in a slot: the one `taken` from {@link acquire}, else one it waits for. The slot is given back when
   * `fn` settles.
   */
  async run<T>(fn: () => Promise<T>, taken = false): Promise<T> {
    if (!taken) await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** Takes a slot, in turn: resolves once a write may start (then {@link run} with `taken`, or {@link release}). */
  acquire(): Promise<void> {
    return new Promise<void>((r) => this.wait({ slotGranted: r }));
  }

  /**
   * Takes a slot for `waiter`, in turn: its `slotGranted` is called once a write may start, at once if one may now
   * (it then gives the slot back with {@link release}).
   */
  wait(waiter: SlotWaiter): void {
    // A started write was counted by whoever started it (here, or pump()).
    if (this.holds === 0 && this.waiting.length === 0 && this.inFlight < this.limit()) {
      this.inFlight++;
      waiter.slotGranted();
      return;
    }
    this.waiting.push(waiter);
  }

  /** Gives back a slot taken by {@link acquire}. */
  release(): void {
    this.inFlight--;
    this.pump();
  }
}

/** What waits for a write slot of {@link WriteSlots}: told when the slot is its own. */
export interface SlotWaiter {
  slotGranted(): void;
}

/** The core/v1 Event as this recorder writes it. */
export interface CoreEvent extends KubeObject {
  involvedObject: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    resourceVersion?: string;
  };
  reason: string;
  message: string;
  type: EventType;
  source: { component: string; host?: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  reportingComponent: string;
  reportingInstance: string;
}

/** The instant (ms) waiting events count theirs from: this module's loading, rounded to the millisecond. */
const PENDING_EPOCH = Math.round(Date.now());

/**
 * What many waiting events share, one frozen instance each while its table holds it: an involved object's kind, API
 * version and namespace (a few), or an event's type, reason and message (the kubelet's `Pulled`, `Created`,
 * `Started` of a container named `app`, the same for every pod). Made from their key (the members joined by NUL,
 * which no kind, version, namespace, type or reason holds), at most SHARED_PARTS of each (then the table starts over).
 */
interface Kinds {
  readonly kind: string | undefined;
  readonly apiVersion: string | undefined;
  readonly namespace: string | undefined;
}
interface Texts {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

const SHARED_PARTS = 4096;
const kindsOf = boundedMemo((key): Kinds => {
  const [kind, apiVersion, namespace] = key.split('\u0000');
  return Object.freeze({
    kind: kind || undefined,
    apiVersion: apiVersion || undefined,
    namespace: namespace || undefined,
  });
}, SHARED_PARTS);
const textsOf = boundedMemo((key): Texts => {
  const first = key.indexOf('\u0000');
  const second = key.indexOf('\u0000', first + 1);
  // the message is all after the second NUL (a message may hold one)
  return Object.freeze({
    type: key.slice(0, first) as EventType,
    reason: key.slice(first + 1, second),
    message: key.slice(second + 1),
  });
}, SHARED_PARTS);

/**
 * An event waiting to be written: what it names of its object (not the object: a waiting event keeps no deleted pod
 * alive), in members of its own, one shape for all (the 20,000 events that may wait), with what many share in
 * shared parts: 7 members (80 bytes) where each of the 10 was its own member (104 bytes; ~15,000 wait when a
 * 5,000-node DaemonSet is Ready).
 */
class Pending {
  /** When it was recorded: ms since {@link PENDING_EPOCH} (a small integer V8 keeps in the object). */
  private readonly sinceEpoch: number;
  private readonly kinds: Kinds;
  private readonly texts: Texts;
  readonly name: string | undefined;
  readonly uid: string | undefined;
  readonly resourceVersion: string | undefined;

  constructor(obj: KubeObject, type: EventType, reason: string, message: string, at: number) {
    this.sinceEpoch = smallInteger(at - PENDING_EPOCH);
    const m = obj.metadata;
    this.kinds = kindsOf(`${obj.kind ?? ''}\u0000${obj.apiVersion ?? ''}\u0000${m.namespace ?? ''}`);
    this.texts = textsOf(`${type}\u0000${reason}\u0000${message}`);
    this.name = m.name;
    this.uid = m.uid || undefined;
    this.resourceVersion = m.resourceVersion || undefined;
  }

  get kind(): string | undefined {
    return this.kinds.kind;
  }
  get apiVersion(): string | undefined {
    return this.kinds.apiVersion;
  }
  get namespace(): string | undefined {
    return this.kinds.namespace;
  }
  get type(): EventType {
    return this.texts.type;
  }
  get reason(): string {
    return this.texts.reason;
  }
  get message(): string {
    return this.texts.message;
  }

  /**
   * When it was recorded (ms, the clock's). Kept as a difference: a time since 1970 is a double, which V8 stores as
   * a heap number of 16 bytes (the ~15,000 events waiting when a 5,000-node DaemonSet is Ready: ~50 bytes a pod).
   */
  get at(): number {
    return PENDING_EPOCH + this.sinceEpoch;
  }

  /** The Event's `involvedObject` (members with no value left out). */
  involvedObject(): CoreEvent['involvedObject'] {
    const io: CoreEvent['involvedObject'] = { kind: this.kind, name: this.name };
    if (this.namespace) io.namespace = this.namespace;
    if (this.uid) io.uid = this.uid;
    if (this.apiVersion) io.apiVersion = this.apiVersion;
    if (this.resourceVersion) io.resourceVersion = this.resourceVersion;
    return io;
  }
}

/**
 * The texts of waiting events, one flat string per text for the process. The kubelets' `Created container: app` and
 * `Started container app` repeat for every pod, and each one a template literal makes is a chain of concatenations
 * (~32 bytes a link, three or four links) that its Pending would hold until written: at 5,000 nodes ~15,000 events
 * wait when a DaemonSet is Ready, ~230 bytes a pod in chains. The pool is the informers' kind (bounded: it starts
 * over beyond 4,096 texts; messages longer than 1,024 characters are not pooled).
 */
const messageTexts = new ValueSharing({ members: [], maxPooledStrings: 4096, maxPooledChars: 1024 });

/**
 * The pooled, flat string of `message`'s text. The copy is in one piece (V8 keeps a concatenation's links even once
 * it has hashed its text), so the pool never holds a chain.
 */
export function messageText(message: string): string {
  return messageTexts.string(JSON.parse(JSON.stringify(message)) as string);
}

let lastNanos = 0n;
/** A nanosecond timestamp from the clock, strictly increasing within the process (unique event names). */
export function uniqueNanos(ms: number): bigint {
  let n = BigInt(Math.floor(ms)) * 1_000_000n;
  if (n <= lastNanos) n = lastNanos + 1n;
  lastNanos = n;
  return n;
}

/**
 * An EventRecorder for one component. `event()` returns at once; the writes happen in order in the
 * background, and their failures are logged, never thrown. A repeat of the same event (object, type, reason,
 * message, source) within 10 minutes PATCHes `count` and `lastTimestamp` of the Event already written; from
 * the 10th distinct message with the same object, type and reason within 10 minutes on, events are written as
 * one Event whose message is `(combined from similar events): <latest message>`.
 */
export class ApiEventRecorder implements EventRecorder, SlotWaiter {
  /** Events waiting, in order (a new array once drained: a drained one keeps the room it grew to). */
  private queue: Pending[] = [];
  private busy = false;
  /** Who waits in {@link flush} (made by the first). */
  private idle?: Array<() => void>;
  /** The correlation caches: this recorder's, or shared with the other recorders of its component. */
  private readonly caches: EventCorrelation;
  private readonly maxPending: number;
  /** Events dropped because the queue was full. */
  private dropped = 0;
  private readonly log: Logger;

  constructor(private readonly opts: ApiEventRecorderOptions) {
    this.maxPending = opts.maxPending ?? 1000;
    this.log = componentLog(opts.log, opts.component);
    this.caches = opts.correlation ?? new EventCorrelation(opts.clock.now());
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    if (type !== 'Normal' && type !== 'Warning') {
      this.log.error({ type, reason }, 'unsupported event type: event not recorded');
      return;
    }
    if (!obj?.metadata?.name) {
      this.log.error({ reason }, 'event about an object without a name: not recorded');
      return;
    }
    if (this.queue.length >= this.maxPending) {
      // Logged for the first drop and every thousandth (a flood of drops written to stderr one by one cost more
      // than the events).
      if (this.dropped++ % 1000 === 0)
        this.log.warn(
          { reason, object: obj.metadata.name, dropped: this.dropped },
          'too many events waiting to be written: event dropped',
        );
      return;
    }
    const slots = this.opts.slots;
    if (slots && !slots.admit()) {
      if (slots.dropped % 1000 === 1)
        this.log.warn(
          { reason, object: obj.metadata.name, waiting: slots.backlog, dropped: slots.dropped },
          'too many events of the process waiting to be written: event dropped',
        );
      return;
    }
    this.log.debug({ object: `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, type, reason, message }, 'event');
    this.queue.push(new Pending(obj, type, reason, messageText(message), this.opts.clock.now()));
    if (!this.busy) {
      this.busy = true;
      queueMicrotask(() => this.next());
    }
  }

  /** Resolves once every event recorded so far has been written (or given up on). */
  flush(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.idle ??= []).push(resolve));
  }

  /**
   * Writes the queue's events in order, one at a time. With shared slots, each event waits for its slot before it is
   * correlated and made: a recorder waiting its turn (a thousand nodes' recorders wait while their pods start) holds
   * its queue of small Pending items and its place in the slots' line, not an Event, a promise or a suspended frame.
   */
  private next(): void {
    if (this.queue.length === 0) {
      this.busy = false;
      this.queue = [];
      const idle = this.idle;
      this.idle = undefined;
      if (idle) for (const w of idle) w();
      return;
    }
    if (this.opts.slots) this.opts.slots.wait(this);
    else this.slotGranted();
  }

  /** The slot is this recorder's (or there are no shared slots): the next event is correlated and written. */
  slotGranted(): void {
    const slots = this.opts.slots;
    const item = this.queue.shift()!;
    const slot = { taken: !!slots };
    this.record(item, slot)
      .catch((err: unknown) => {
        this.log.warn(
          { err: errorInfo(err), reason: item.reason, object: item.name },
          'could not write event (will not retry)',
        );
      })
      .finally(() => {
        if (slot.taken) slots!.release();
        slots?.settled();
        this.next();
      });
  }

  /** Correlates one event (aggregate, count repeats, spam budget), then creates or patches it. */
  private async record(item: Pending, slot: { taken: boolean }): Promise<void> {
    let ev = this.makeEvent(item, item.message);
    const caches = this.caches;
    const at = caches.since(item.at);
    const object = objectOf(ev);
    const eventKey = caches.key(object, [ev.type, ev.reason, ev.message]);
    const aggregateKey = caches.key(object, [ev.type, ev.reason]);
    // The message as the aggregate holds it: the pooled string the event was recorded with (messageText), one for
    // every pod's event with that text.
    const message = item.message;
    let cacheKey = eventKey;
    const { aggregates, observed } = caches;

    let agg = aggregates.get(aggregateKey);
    if (!agg || at - agg.last > AGGREGATE_INTERVAL_MS) agg = { messages: message, last: at };
    else if (typeof agg.messages !== 'string') agg.messages.add(message);
    else if (agg.messages !== message) agg.messages = new Set([agg.messages, message]);
    agg.last = at;
    caches.set(aggregates, aggregateKey, agg);
    const messages = agg.messages;
    if (typeof messages !== 'string' && messages.size >= AGGREGATE_MAX_EVENTS) {
      messages.delete(messages.values().next().value!); // keep the set bounded, as upstream
      ev = this.makeEvent(item, COMBINED_PREFIX + item.message);
      cacheKey = aggregateKey;
    }

    const seen = observed.get(cacheKey);
    const repeat = seen && at - seen.last <= AGGREGATE_INTERVAL_MS ? seen : undefined;
    if (repeat) {
      ev.metadata.name = repeat.name;
      ev.count = repeat.count + 1;
      ev.firstTimestamp = repeat.firstTimestamp;
    }
    caches.set(observed, cacheKey, {
      name: ev.metadata.name!,
      count: ev.count,
      firstTimestamp: ev.firstTimestamp,
      last: at,
    });

    if (!this.allowedBySpamFilter(ev, object, at)) {
      this.log.debug({ reason: ev.reason, object: ev.involvedObject.name }, 'event dropped by the spam filter');
      return;
    }
    const written = await this.write(ev, !!repeat, slot);
    if (written) {
      // The answer's strings are kept only when they differ from the Event's (its own are shared with others).
      const name = written.metadata.name;
      const first = written.firstTimestamp;
      caches.set(observed, cacheKey, {
        name: name && name !== ev.metadata.name ? name : ev.metadata.name!,
        count: typeof written.count === 'number' ? written.count : ev.count,
        firstTimestamp: typeof first === 'string' && first !== ev.firstTimestamp ? first : ev.firstTimestamp,
        last: at,
      });
    }
  }

  /**
   * Patches a repeat (creating it again if it was deleted meanwhile) or creates; retries network errors. The first
   * attempt runs in the slot `slot` holds (if taken), a retry waits for one of its own.
   */
  private async write(ev: CoreEvent, patch: boolean, slot: { taken: boolean }): Promise<CoreEvent | undefined> {
    const attempts = this.opts.maxAttempts ?? 3;
    let wait = this.opts.retryMs ?? 1000;
    const slots = this.opts.slots;
    for (let attempt = 1; ; attempt++) {
      try {
        if (slots) {
          const taken = slot.taken;
          slot.taken = false;
          return await slots.run(() => this.send(ev, patch), taken);
        }
        return await this.send(ev, patch);
      } catch (err) {
        // API errors (invalid, already exists, namespace terminating) will not get better by retrying.
        const transport = err instanceof TypeError || isAbortError(err);
        if (!transport || attempt >= attempts) throw err;
        await this.opts.clock.sleep(wait);
        wait *= 2;
      }
    }
  }

  /** One attempt: the patch of a repeat (a create if it was deleted meanwhile), or a create. */
  private async send(ev: CoreEvent, patch: boolean): Promise<CoreEvent> {
    const ns = ev.metadata.namespace!;
    if (patch) {
      try {
        return await this.opts.client.patch<CoreEvent>(RESOURCES.events, ns, ev.metadata.name!, 'strategic', {
          count: ev.count,
          lastTimestamp: ev.lastTimestamp,
          message: ev.message,
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    return await this.opts.client.create<CoreEvent>(RESOURCES.events, ns, ev);
  }

  private makeEvent(item: Pending, message: string): CoreEvent {
    const involvedObject = item.involvedObject();
    const ts = rfc3339(item.at);
    const source: CoreEvent['source'] = { component: this.opts.component };
    if (this.opts.host) source.host = this.opts.host;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${involvedObject.name}.${uniqueNanos(item.at).toString(16)}`,
        namespace: involvedObject.namespace || 'default',
      },
      involvedObject,
      reason: item.reason,
      message,
      type: item.type,
      source,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
  }

  /**
   * Upstream's spam filter: a token bucket per (source, object, type); `object` is the event's {@link objectOf},
   * `now` as the caches count it.
   */
  private allowedBySpamFilter(ev: CoreEvent, object: string, now: number): boolean {
    const cfg = this.spamConfig();
    if (!cfg) return true;
    const key = this.caches.key(object, [ev.type]);
    let b = this.caches.spam.get(key);
    this.caches.set(this.caches.spam, key, (b ??= { tokens: cfg.burst, last: now }));
    b.tokens = Math.min(cfg.burst, b.tokens + (now - b.last) / cfg.refillMs);
    b.last = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private spamConfig(): { burst: number; refillMs: number } | false {
    return this.opts.spamFilter === undefined ? { burst: 25, refillMs: 5 * 60 * 1000 } : this.opts.spamFilter;
  }
}

/** The child loggers of recorders, one per logger and component (the kubelet has a recorder per node). */
const componentLogs = new WeakMap<Logger, Map<string, Logger>>();

/** The logger of a component's recorders: `log`'s child with the component as `eventSource`. */
function componentLog(log: Logger, component: string): Logger {
  let children = componentLogs.get(log);
  if (!children) componentLogs.set(log, (children = new Map()));
  let child = children.get(component);
  if (!child) children.set(component, (child = log.child({ eventSource: component })));
  return child;
}

/**
 * The source and involved object of an event, as the correlation keys name them (upstream's keys have these fields
 * first). After them come the type and reason (similar events; upstream's key of those also has the reporting
 * component and instance, which this recorder sets to the source's component and host: left out, the same events
 * share a key), then the message (exact repeats), or the type alone (the spam filter).
 */
function objectOf(ev: CoreEvent): string {
  const io = ev.involvedObject;
  return [ev.source.component, ev.source.host, io.kind, io.namespace, io.name, io.uid, io.apiVersion].join('\u0000');
}
