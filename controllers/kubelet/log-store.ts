/**
 * The container logs of every pod the simulated kubelet runs: per container, the log of the current instance and
 * of the one before it (what `--previous` reads), as a container runtime keeps the last dead container. Logs follow
 * the pod's record level-based (`reconcile`): an instance that started gets its start lines, one that stopped gets
 * its stop lines and ends its followers, and instances the record knows but the store does not (after a restart of
 * the controller manager) are rebuilt from their start and finish times. Instances are found by containerID, as
 * the kubelet resolves a log request through the container status.
 *
 * An instance keeps what its lines are made of, never the lines: they are a pure function of the container's facts
 * and its start and stop instants (log-content.ts), so its ContainerLog is built when it is read and kept only while
 * a reader holds it (a WeakRef): a follower's log gets the stop lines when the instance stops, and a log built
 * later holds the same lines, stamps and sequence numbers.
 */
import { ContainerLog, DEFAULT_LOG_LIMITS, type LogLimits } from './log-buffer.js';
import { startLines, stopLines, type ContainerFacts, type StopReason, type SyntheticLine } from './log-content.js';
import { containerIDFor, type ContainerSpec, type Pod, type PodRecord, type Terminated } from './pod-runtime.js';

/** An init container's stop lines come this long (µs) after its start lines (both at the sandbox's creation). */
const INIT_STOP_OFFSET_US = 5000;

/** How an instance stopped, packed in {@link Instance.flags} with whether it is an init container and closed. */
const REASONS: readonly StopReason[] = ['deleted', 'restarted', 'completed'];
const STOPPED = 4;
const INIT = 8;
const CLOSED = 16;

/**
 * One container instance: what its log is made of. One shape for every instance and few fields (a 1,000-node
 * DaemonSet holds a thousand): the stop reason, init and closed are bits of `flags`, command and args one pair.
 */
class Instance {
  /** When it stopped (ms), once it did (see `flags`). */
  stopMs = 0;
  exitCode = 0;
  /** The stop reason's index in REASONS, and STOPPED, INIT, CLOSED. */
  flags: number;
  /** The log built for a reader, while one holds it. */
  live: WeakRef<ContainerLog> | undefined = undefined;

  constructor(
    /** The pod's uid. */
    readonly uid: string,
    /** The container's name. */
    readonly name: string,
    readonly containerID: string,
    /** The image it was started with (the spec's may have changed since); '' when unknown. */
    readonly image: string,
    /** The spec's command and args when it started (immutable in a pod), when it has either. */
    readonly argv: readonly [unknown, unknown] | undefined,
    readonly startMs: number,
    init: boolean,
  ) {
    this.flags = init ? INIT : 0;
  }

  get running(): boolean {
    return (this.flags & (STOPPED | CLOSED)) === 0;
  }

  private facts(): ContainerFacts {
    const f: ContainerFacts = { name: this.name, image: this.image, containerID: this.containerID };
    if (this.argv) [f.command, f.args] = this.argv;
    if (this.flags & INIT) f.init = true;
    return f;
  }

  /** Writes the stop lines into a log. */
  private writeStop(log: ContainerLog): void {
    const at = this.stopMs;
    let lines = stopLines(this.facts(), at, REASONS[this.flags & 3]!, this.exitCode);
    if (this.flags & INIT) lines = lines.map((l) => ({ ...l, offsetUs: l.offsetUs + INIT_STOP_OFFSET_US }));
    write(log, at, lines);
  }

  /** The log as a reader sees it now: the one a reader holds, or one built from the facts. */
  log(limits: LogLimits): ContainerLog {
    const held = this.live?.deref();
    if (held) return held;
    const stopped = (this.flags & STOPPED) !== 0;
    const log = new ContainerLog(this.containerID, !stopped, limits);
    write(log, this.startMs, startLines(this.facts(), this.startMs));
    if (stopped) this.writeStop(log);
    if (this.flags & CLOSED) log.close();
    else this.live = new WeakRef(log);
    return log;
  }

  /** Stops the instance at `ms`: a held log gets the stop lines and its followers end. */
  stop(ms: number, reason: StopReason, exitCode: number): void {
    this.stopMs = ms;
    this.exitCode = exitCode;
    this.flags = (this.flags & INIT) | STOPPED | REASONS.indexOf(reason);
    const held = this.live?.deref();
    if (!held) return;
    this.writeStop(held);
    held.stop();
  }

  /** Throws the log away: a held log is closed (its followers end at once). */
  close(): void {
    this.flags |= CLOSED;
    this.live?.deref()?.close();
    this.live = undefined;
  }
}

/**
 * A pod's instances, each container's oldest first and at most two per container: the one instance alone (as
 * most pods have), or an array.
 */
type PodLogs = Instance | Instance[];

const listOf = (p: PodLogs): Instance[] => (Array.isArray(p) ? p : [p]);

/** Instances kept per container: the current one and the previous one. */
const INSTANCES_KEPT = 2;

/** The ID of an init container's (single, completed) instance, as pod-status.ts reports it. */
export function initContainerID(uid: string, name: string): string {
  return containerIDFor(uid, `init:${name}`, 0);
}

/** A stable number in [0, 1000) from a text (FNV-1a): the nanoseconds a runtime's clock would add to a stamp. */
function jitterNs(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h % 1000;
}

function write(log: ContainerLog, ms: number, lines: SyntheticLine[]): void {
  for (const l of lines) {
    const us = Math.max(0, Math.round(l.offsetUs));
    log.append(
      l.text,
      ms + Math.floor(us / 1000),
      (us % 1000) * 1000 + jitterNs(`${log.containerID}${l.text}`),
      l.stream ?? 'stdout',
    );
  }
}

export class PodLogStore {
  /** Pods with a sandbox, by key: their instances (an empty array until the first starts). */
  private readonly pods = new Map<string, PodLogs>();
  /** The uid of a pod whose sandbox exists and no instance yet (the instances say it once there are some). */
  private readonly uids = new Map<string, string>();

  constructor(private readonly limits: LogLimits = DEFAULT_LOG_LIMITS) {}

  /** The number of pods with logs (tests, metrics). */
  get podCount(): number {
    return this.pods.size;
  }

  /** The log of an instance of a pod's container, by containerID (built for the reader; see the header). */
  find(podKey: string, uid: string | undefined, container: string, containerID: string): ContainerLog | undefined {
    const p = this.pods.get(podKey);
    if (!p || (uid !== undefined && this.uidOf(podKey, p) !== uid)) return undefined;
    return listOf(p)
      .find((i) => i.name === container && i.containerID === containerID)
      ?.log(this.limits);
  }

  /** Throws a pod's logs away (the pod is gone): followers end. */
  drop(podKey: string): void {
    const p = this.pods.get(podKey);
    if (!p) return;
    for (const i of listOf(p)) i.close();
    this.pods.delete(podKey);
    this.uids.delete(podKey);
  }

  /** Every pod key held (to drop those whose pods are gone). */
  keys(): string[] {
    return [...this.pods.keys()];
  }

  private uidOf(podKey: string, p: PodLogs): string | undefined {
    return Array.isArray(p) ? (p[0]?.uid ?? this.uids.get(podKey)) : p.uid;
  }

  /**
   * Brings a pod's logs in line with its record at `now`. An instance that stops while the pod is being deleted says
   * so in its stop lines; otherwise it was replaced because its definition changed.
   */
  reconcile(podKey: string, pod: Pod, rec: PodRecord, now: number): void {
    const held = this.pods.get(podKey);
    if (held && this.uidOf(podKey, held) !== rec.uid) this.drop(podKey);
    // Nothing to hold before the sandbox exists: no container has run yet.
    if (!this.pods.has(podKey) && rec.sandboxAt === undefined) return;
    const before = this.pods.get(podKey);
    const all = before ? listOf(before) : [];
    const deleting = !!pod.metadata.deletionTimestamp;
    const has = (name: string, id: string) => all.some((i) => i.name === name && i.containerID === id);

    // Init containers ran to completion when the sandbox came up.
    if (rec.sandboxAt !== undefined) {
      for (const spec of pod.spec?.initContainers ?? []) {
        if (all.some((i) => i.name === spec.name)) continue;
        const id = initContainerID(rec.uid, spec.name);
        const i = instanceOf(rec.uid, spec.name, spec, id, spec.image ?? '', rec.sandboxAt, true);
        i.stop(rec.sandboxAt, 'completed', 0);
        all.push(i);
      }
    }

    const stopReason: StopReason = deleting || rec.killingAt !== undefined ? 'deleted' : 'restarted';
    for (const c of rec.containers) {
      const spec = pod.spec?.containers?.find((s) => s.name === c.name);
      // The previous instance, when the store does not know it (rebuilt after a restart of the controller manager):
      // its start and finish are in the status, its image is not (it may have changed), so its lines name none.
      const last = c.lastTerminated;
      if (last?.containerID && !has(c.name, last.containerID)) {
        const i = finished(rec.uid, c.name, undefined, last.containerID, '', last, 'restarted');
        const first = all.findIndex((x) => x.name === c.name);
        all.splice(first < 0 ? all.length : first, 0, i);
      }
      // An instance that ran and is replaced or stopped now gets its stop lines; its followers end.
      for (const i of all) {
        if (i.name !== c.name || !i.running) continue;
        if (c.state.kind === 'running' && c.containerID === i.containerID) continue;
        const terminated = c.state.kind === 'terminated' ? c.state.terminated : undefined;
        const ended =
          last?.containerID === i.containerID
            ? last
            : terminated?.containerID === i.containerID
              ? terminated
              : undefined;
        i.stop(ended?.finishedAt ?? now, stopReason, ended?.exitCode ?? 0);
      }
      if (c.state.kind === 'running' && c.containerID && !has(c.name, c.containerID)) {
        all.push(instanceOf(rec.uid, c.name, spec, c.containerID, c.image, c.state.startedAt, false));
      } else if (
        c.state.kind === 'terminated' &&
        c.state.terminated.containerID &&
        !has(c.name, c.state.terminated.containerID)
      ) {
        const t = c.state.terminated;
        all.push(finished(rec.uid, c.name, spec, t.containerID, c.image, t, stopReason));
      }
      let kept = 0;
      for (let k = all.length - 1; k >= 0; k--) {
        if (all[k]!.name !== c.name || ++kept <= INSTANCES_KEPT) continue;
        all[k]!.close();
        all.splice(k, 1);
      }
    }
    // One instance is held alone; an array is copied to its length (one pushed onto an empty one reserves 17 slots).
    this.pods.set(podKey, all.length === 1 ? all[0]! : all.slice());
    if (all.length === 0) this.uids.set(podKey, rec.uid);
    else this.uids.delete(podKey);
  }
}

function instanceOf(
  uid: string,
  name: string,
  spec: ContainerSpec | undefined,
  containerID: string,
  image: string,
  startMs: number,
  init: boolean,
): Instance {
  const argv =
    spec?.command !== undefined || spec?.args !== undefined ? ([spec.command, spec.args] as const) : undefined;
  return new Instance(uid, name, containerID, image, argv, startMs, init);
}

/** An instance that started and stopped before the store knew it. */
function finished(
  uid: string,
  name: string,
  spec: ContainerSpec | undefined,
  containerID: string,
  image: string,
  t: Terminated,
  reason: StopReason,
): Instance {
  const i = instanceOf(uid, name, spec, containerID, image, t.startedAt, false);
  i.stop(t.finishedAt, reason, t.exitCode);
  return i;
}
