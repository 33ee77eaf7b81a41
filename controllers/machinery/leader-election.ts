/**
 * Leader election on a `coordination.k8s.io/v1` Lease, by the rules of client-go's tools/leaderelection with its
 * LeaseLock (what kube-controller-manager runs on `kube-system/kube-controller-manager`):
 * - the Lease spec is the election record: holderIdentity, leaseDurationSeconds, acquireTime and renewTime
 *   (MicroTime), leaseTransitions (incremented whenever the holder changes);
 * - every write is a create, or an update carrying the resourceVersion last read (optimistic concurrency: of two
 *   candidates updating the same version, one gets a Conflict and stays a candidate);
 * - a candidate takes a Lease held by another only when it has seen the record unchanged for
 *   leaseDurationSeconds by its own clock (never by comparing renewTime with its clock: clocks may differ);
 * - the leader renews every retry period; when no renewal succeeds within the renew deadline it has lost;
 * - released on a clean stop (client-go's ReleaseOnCancel): an empty holder, which a candidate takes at once.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { rfc3339Micro } from '../../apimachinery/time.js';
import { isAbortError } from './clock.js';
import { isNotFound } from './client.js';
import { errorInfo } from './informer.js';
import { leaderElectionMasterStatus } from './metrics.js';
import { RESOURCES, type ApiClient, type Clock, type EventRecorder, type Logger } from './types.js';

/** kube-controller-manager's defaults (component-base's leader election configuration). */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** The acquire loop waits a retry period plus up to this fraction more (client-go's JitterFactor). */
export const JITTER_FACTOR = 1.2;

/** The Lease's spec: the election record as the API stores it. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

/** client-go's LeaderElectionRecord: what a candidate reads and writes. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export { defaultIdentity } from './identity.js';

function recordOf(spec: LeaseSpec | undefined): LeaderElectionRecord {
  const r: LeaderElectionRecord = {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
  if (spec?.acquireTime) r.acquireTime = spec.acquireTime;
  if (spec?.renewTime) r.renewTime = spec.renewTime;
  return r;
}

function specOf(r: LeaderElectionRecord): LeaseSpec {
  const spec: LeaseSpec = { holderIdentity: r.holderIdentity, leaseDurationSeconds: r.leaseDurationSeconds };
  if (r.acquireTime) spec.acquireTime = r.acquireTime;
  if (r.renewTime) spec.renewTime = r.renewTime;
  spec.leaseTransitions = r.leaseTransitions;
  return spec;
}

/** A record as text, to tell whether the Lease changed since last read (client-go compares the raw record). */
function rawOf(r: LeaderElectionRecord): string {
  return JSON.stringify(specOf(r));
}

/**
 * The Lease as a lock (client-go's LeaseLock): get, create, and update with the resourceVersion last seen;
 * events about the election are recorded on the Lease.
 */
export class LeaseLock {
  private lease?: Lease;

  constructor(
    private readonly client: ApiClient,
    readonly namespace: string,
    readonly name: string,
    readonly identity: string,
    private readonly recorder?: EventRecorder,
  ) {}

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }

  async get(): Promise<LeaderElectionRecord> {
    this.lease = await this.client.get<Lease>(RESOURCES.leases, this.namespace, this.name);
    return recordOf(this.lease.spec);
  }

  async create(record: LeaderElectionRecord): Promise<LeaderElectionRecord> {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.name, namespace: this.namespace },
      spec: specOf(record),
    };
    this.lease = await this.client.create<Lease>(RESOURCES.leases, this.namespace, lease);
    return recordOf(this.lease.spec);
  }

  /** PUT of the Lease last read or written, with the new record: a Conflict when someone wrote it since. */
  async update(record: LeaderElectionRecord): Promise<LeaderElectionRecord> {
    if (!this.lease) throw new Error('the lease is not initialized: get or create it first');
    const lease: Lease = {
      ...this.lease,
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      spec: { ...this.lease.spec, ...specOf(record) },
    };
    this.lease = await this.client.update<Lease>(RESOURCES.leases, this.namespace, lease);
    return recordOf(this.lease.spec);
  }

  /** A `LeaderElection` Event on the Lease: `<identity> <what>`, as client-go's LeaseLock records it. */
  recordEvent(what: string): void {
    if (!this.recorder) return;
    const subject: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { ...this.lease?.metadata, name: this.name, namespace: this.namespace },
    };
    this.recorder.event(subject, 'Normal', 'LeaderElection', `${this.identity} ${what}`);
  }
}

export interface LeaderElectorOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  /** The Lease, e.g. `kube-system` / `kube-controller-manager`; the name also labels the metric. */
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Where the `LeaderElection` events go (none without). */
  recorder?: EventRecorder;
  /** For the acquire loop's jitter (tests make it deterministic). */
  random?: () => number;
}

/** client-go's NewLeaderElector checks, as messages (empty: valid). */
export function validateLeaderElection(o: {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  identity?: string;
}): string[] {
  const errs: string[] = [];
  // The Lease records whole seconds: less than one would be a record no candidate could honour.
  if (!(o.leaseDurationMs >= 1000)) errs.push('leaseDuration must be at least 1s');
  if (!(o.renewDeadlineMs > 0)) errs.push('renewDeadline must be greater than zero');
  if (!(o.retryPeriodMs > 0)) errs.push('retryPeriod must be greater than zero');
  if (!(o.leaseDurationMs > o.renewDeadlineMs)) errs.push('leaseDuration must be greater than renewDeadline');
  if (!(o.renewDeadlineMs > JITTER_FACTOR * o.retryPeriodMs))
    errs.push(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
  if (o.identity !== undefined && !o.identity) errs.push('the lock identity is empty');
  return errs;
}

/**
 * One candidate. `acquire` until leader, then `renew` until stopped or lost, then `release` (only once whatever
 * the lease guards has stopped). Every attempt is bounded by the renew deadline.
 */
export class LeaderElector {
  readonly lock: LeaseLock;
  private observed: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 0, leaseTransitions: 0 };
  private observedRaw = '';
  /** When (by our clock) the record was last seen to change, or last written by us. */
  private observedTime = 0;
  private reportedLeader = '';
  private readonly log: Logger;
  private readonly metric: { set(v: number): void };

  constructor(private readonly opts: LeaderElectorOptions) {
    const errs = validateLeaderElection(opts);
    if (errs.length > 0) throw new Error(`leader election: ${errs.join('; ')}`);
    this.lock = new LeaseLock(opts.client, opts.namespace, opts.name, opts.identity, opts.recorder);
    this.log = opts.log.child({ lease: this.lock.describe() });
    this.metric = leaderElectionMasterStatus.labels(opts.name);
    this.metric.set(0);
  }

  get identity(): string {
    return this.opts.identity;
  }

  /** The holder last observed ('' when none). */
  leader(): string {
    return this.observed.holderIdentity;
  }

  /** Whether the last observed holder is this candidate. */
  isLeader(): boolean {
    return this.observed.holderIdentity === this.opts.identity;
  }

  /** The record last observed. */
  observedRecord(): LeaderElectionRecord {
    return { ...this.observed };
  }

  private setObserved(record: LeaderElectionRecord): void {
    this.observed = record;
    this.observedRaw = rawOf(record);
    this.observedTime = this.opts.clock.now();
  }

  /** The observed record's holder may still act: it was seen to change less than its duration ago. */
  private isLeaseValid(now: number): boolean {
    return this.observedTime + this.observed.leaseDurationSeconds * 1000 > now;
  }

  /**
   * One attempt (client-go's tryAcquireOrRenew): renews the Lease when we hold it, takes it when it is free or
   * expired, creates it when missing. True when we hold it afterwards.
   */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.opts.clock.now();
    const stamp = rfc3339Micro(now);
    const record: LeaderElectionRecord = {
      holderIdentity: this.opts.identity,
      leaseDurationSeconds: Math.floor(this.opts.leaseDurationMs / 1000),
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: 0,
    };

    // 1. The leader's fast path: update the Lease last written, assuming nobody else did.
    if (this.isLeader() && this.isLeaseValid(now)) {
      record.acquireTime = this.observed.acquireTime;
      record.leaseTransitions = this.observed.leaseTransitions;
      try {
        this.setObserved(await this.lock.update(record));
        return true;
      } catch (err) {
        this.log.debug({ err: errorInfo(err) }, 'failed to update the lease optimistically: re-reading it');
      }
    }

    // 2. Read the record, or create it.
    let current: LeaderElectionRecord;
    try {
      current = await this.lock.get();
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.error({ err: errorInfo(err) }, `error retrieving resource lock ${this.lock.describe()}`);
        return false;
      }
      try {
        this.setObserved(await this.lock.create(record));
        return true;
      } catch (err2) {
        this.log.error({ err: errorInfo(err2) }, 'error initially creating leader election record');
        return false;
      }
    }

    // 3. A changed record starts its duration anew by our clock; a valid one held by another is left alone.
    if (rawOf(current) !== this.observedRaw) {
      this.observed = current;
      this.observedRaw = rawOf(current);
      this.observedTime = this.opts.clock.now();
    }
    if (current.holderIdentity && this.isLeaseValid(now) && !this.isLeader()) {
      this.log.debug({ holder: current.holderIdentity }, 'lock is held by another candidate and has not yet expired');
      return false;
    }

    // 4. Take it (a new holder: one more transition) or renew it (keeping acquireTime and transitions).
    if (this.isLeader()) {
      record.acquireTime = current.acquireTime;
      record.leaseTransitions = current.leaseTransitions;
    } else {
      record.leaseTransitions = current.leaseTransitions + 1;
    }
    try {
      this.setObserved(await this.lock.update(record));
      return true;
    } catch (err) {
      this.log.error({ err: errorInfo(err) }, 'failed to update lock');
      return false;
    }
  }

  /** One attempt, given up (false) after `ms`; the request itself is left to finish. */
  private attempt(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (ok: boolean) => {
        if (settled) return;
        settled = true;
        this.opts.clock.clearTimeout(timer);
        resolve(ok);
      };
      const timer = this.opts.clock.setTimeout(() => {
        this.log.warn({ timeoutMs: ms }, 'leader election attempt timed out');
        finish(false);
      }, ms);
      this.tryAcquireOrRenew().then(finish, (err: unknown) => {
        this.log.error({ err: errorInfo(err) }, 'leader election attempt failed');
        finish(false);
      });
    });
  }

  private maybeReportTransition(): void {
    const holder = this.observed.holderIdentity;
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    if (holder && holder !== this.opts.identity)
      this.log.info({ leader: holder, identity: this.opts.identity }, 'new leader elected: this one is a candidate');
  }

  /** Sleeps on the clock; false when the signal aborted. */
  private async wait(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await this.opts.clock.sleep(ms, signal);
      return true;
    } catch (err) {
      if (isAbortError(err)) return false;
      throw err;
    }
  }

  /**
   * Tries every retry period (plus jitter) until this candidate holds the Lease: true; false when the signal
   * aborted first. An attempt under way when the signal aborts is finished first.
   */
  async acquire(signal: AbortSignal): Promise<boolean> {
    const random = this.opts.random ?? Math.random;
    this.log.info({ identity: this.opts.identity }, `attempting to acquire leader lease ${this.lock.describe()}...`);
    for (;;) {
      if (signal.aborted) return false;
      const ok = await this.attempt(this.opts.renewDeadlineMs);
      this.maybeReportTransition();
      if (ok) {
        this.lock.recordEvent('became leader');
        this.metric.set(1);
        this.log.info({ identity: this.opts.identity }, `successfully acquired lease ${this.lock.describe()}`);
        return true;
      }
      let period = this.opts.retryPeriodMs * (1 + random() * JITTER_FACTOR);
      // Wake up when the Lease seen would expire if that comes first: the rules are client-go's, the attempt
      // just lands on time instead of up to a jittered retry period late (a handover within the lease duration
      // plus one retry period of the last renewal, never two).
      const expiresIn = this.observedTime + this.observed.leaseDurationSeconds * 1000 - this.opts.clock.now() + 1;
      if (this.observed.holderIdentity && expiresIn > 0 && expiresIn < period) period = expiresIn;
      if (!(await this.wait(period, signal))) return false;
    }
  }

  /**
   * Renews every retry period until the signal aborts ('stopped') or no renewal succeeded within the renew
   * deadline ('lost': whatever the lease guards must stop at once). A renewal under way is finished first.
   */
  async renew(signal: AbortSignal): Promise<'stopped' | 'lost'> {
    const clock = this.opts.clock;
    for (;;) {
      if (signal.aborted) return 'stopped';
      const deadline = clock.now() + this.opts.renewDeadlineMs;
      let renewed = false;
      for (;;) {
        renewed = await this.attempt(Math.max(1, deadline - clock.now()));
        if (renewed || signal.aborted) break;
        const left = deadline - clock.now();
        if (left <= 0) break;
        if (!(await this.wait(Math.min(this.opts.retryPeriodMs, left), signal))) break;
        if (clock.now() >= deadline) break;
      }
      this.maybeReportTransition();
      if (!renewed) {
        if (signal.aborted) return 'stopped';
        this.metric.set(0);
        this.lock.recordEvent('stopped leading');
        this.log.error(
          { renewDeadlineMs: this.opts.renewDeadlineMs },
          `failed to renew lease ${this.lock.describe()}: leadership lost`,
        );
        return 'lost';
      }
      this.log.debug({}, `successfully renewed lease ${this.lock.describe()}`);
      if (!(await this.wait(this.opts.retryPeriodMs, signal))) return 'stopped';
    }
  }

  /**
   * Gives the Lease up if we hold it (client-go's release): an empty holder with a one-second duration, which
   * a waiting candidate takes at its next attempt. Call only once whatever the lease guards has stopped.
   * True when released (or not ours); false when the write failed (the Lease then expires on its own).
   */
  async release(): Promise<boolean> {
    if (!this.isLeader()) return true;
    const run = async (): Promise<'released' | 'not ours'> => {
      // re-read first: a renewal that timed out may have written since
      const current = await this.lock.get();
      if (current.holderIdentity !== this.opts.identity) {
        this.setObserved(current);
        return 'not ours';
      }
      const stamp = rfc3339Micro(this.opts.clock.now());
      this.setObserved(
        await this.lock.update({
          holderIdentity: '',
          leaseDurationSeconds: 1,
          acquireTime: stamp,
          renewTime: stamp,
          leaseTransitions: current.leaseTransitions,
        }),
      );
      return 'released';
    };
    let outcome: 'released' | 'not ours' | undefined;
    try {
      outcome = await new Promise<'released' | 'not ours'>((resolve, reject) => {
        const timer = this.opts.clock.setTimeout(
          () => reject(new Error(`timed out after ${this.opts.renewDeadlineMs} ms`)),
          this.opts.renewDeadlineMs,
        );
        run().then(
          (v) => {
            this.opts.clock.clearTimeout(timer);
            resolve(v);
          },
          (err: unknown) => {
            this.opts.clock.clearTimeout(timer);
            reject(err);
          },
        );
      });
    } catch (err) {
      this.log.error({ err: errorInfo(err) }, 'failed to release lock');
    }
    this.metric.set(0);
    if (outcome === 'released')
      this.log.info({ identity: this.opts.identity }, `released lease ${this.lock.describe()}`);
    return outcome !== undefined;
  }
}
