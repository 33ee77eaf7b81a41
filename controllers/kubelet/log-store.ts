/**
 * The container logs of every pod the simulated kubelet runs: per container, the log of the current instance and
 * of the one before it (what `--previous` reads), as a container runtime keeps the last dead container. Logs follow
 * the pod's record level-based (`reconcile`): an instance that started gets its start lines, one that stopped gets
 * its stop lines and ends its followers, and instances the record knows but the store does not (after a restart of
 * the controller manager) are rebuilt from their start and finish times. Instances are found by containerID, as
 * the kubelet resolves a log request through the container status.
 *
 * An instance keeps what its lines are made of, never the lines: they are a pure function of the container's facts
 * and its start and stop instants (log-content.ts), so the ContainerLog is built when it is read and kept only while
 * a reader holds it (a WeakRef): a follower's log gets the stop lines when the instance stops, and a log built
 * later holds the same lines with the same stamps and sequence numbers.
 */
import { ContainerLog, DEFAULT_LOG_LIMITS, type LogLimits } from './log-buffer.js';
import { startLines, stopLines, type ContainerFacts, type StopReason, type SyntheticLine } from './log-content.js';
import { containerIDFor, type ContainerSpec, type Pod, type PodRecord, type Terminated } from './pod-runtime.js';

/** An init container's stop lines come this long (µs) after its start lines (both at the sandbox's creation). */
const INIT_STOP_OFFSET_US = 5000;

/** One container instance: what its log is made of (all fields set, one shape for every instance). */
class Instance {
  /** When it stopped (ms), once it did; `reason` and `exitCode` say how. */
  stopMs: number | undefined = undefined;
  reason: StopReason = 'completed';
  exitCode = 0;
  closed = false;
  /** The log built for a reader, while one holds it. */
  live: WeakRef<ContainerLog> | undefined = undefined;

  constructor(
    /** The container's name. */
    readonly name: string,
    readonly containerID: string,
    /** The image it was started with (the spec's may have changed since); '' when unknown. */
    readonly image: string,
    /** The spec's command and args when it started (immutable in a pod; undefined when unknown). */
    readonly command: unknown,
    readonly args: unknown,
    readonly init: boolean,
    readonly startMs: number,
  ) {}

  get running(): boolean {
    return this.stopMs === undefined && !this.closed;
  }

  facts(): ContainerFacts {
    const f: ContainerFacts = {
      name: this.name,
      image: this.image,
      containerID: this.containerID,
      command: this.command,
      args: this.args,
    };
    if (this.init) f.init = true;
    return f;
  }

  /** Writes the stop lines into a log. */
  writeStop(log: ContainerLog): void {
    const at = this.stopMs!;
    let lines = stopLines(this.facts(), at, this.reason, this.exitCode);
    if (this.init) lines = lines.map((l) => ({ ...l, offsetUs: l.offsetUs + INIT_STOP_OFFSET_US }));
    write(log, at, lines);
  }

  /** The log as a reader sees it now: the one a reader holds, or one built from the facts. */
  log(limits: LogLimits): ContainerLog {
    const held = this.live?.deref();
    if (held) return held;
    const log = new ContainerLog(this.containerID, this.stopMs === undefined, limits);
    write(log, this.startMs, startLines(this.facts(), this.startMs));
    if (this.stopMs !== undefined) this.writeStop(log);
    if (this.closed) log.close();
    else this.live = new WeakRef(log);
    return log;
  }

  /** Stops the instance at `ms`: a held log gets the stop lines and its followers end. */
  stop(ms: number, reason: StopReason, exitCode: number): void {
    this.stopMs = ms;
    this.reason = reason;
    this.exitCode = exitCode;
    const held = this.live?.deref();
    if (!held) return;
    this.writeStop(held);
    held.stop();
  }

  /** Throws the log away: a held log is closed (its followers end at once). */
  close(): void {
    this.closed = true;
    this.live?.deref()?.close();
    this.live = undefined;
  }
}

interface PodLogs {
  uid: string;
  /** Instances of every container, each container's oldest first; at most two per container. */
  instances: Instance[];
}

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
  private readonly pods = new Map<string, PodLogs>();

  constructor(private readonly limits: LogLimits = DEFAULT_LOG_LIMITS) {}

  /** The number of pods with logs (tests, metrics). */
  get podCount(): number {
    return this.pods.size;
  }

  /** The log of an instance of a pod's container, by containerID (built for the reader; see the header). */
  find(podKey: string, uid: string | undefined, container: string, containerID: string): ContainerLog | undefined {
    const p = this.pods.get(podKey);
    if (!p || (uid !== undefined && p.uid !== uid)) return undefined;
    return p.instances.find((i) => i.name === container && i.containerID === containerID)?.log(this.limits);
  }

  /** Throws a pod's logs away (the pod is gone): followers end. */
  drop(podKey: string): void {
    const p = this.pods.get(podKey);
    if (!p) return;
    for (const i of p.instances) i.close();
    this.pods.delete(podKey);
  }

  /** Every pod key held (to drop those whose pods are gone). */
  keys(): string[] {
    return [...this.pods.keys()];
  }

  /**
   * Brings a pod's logs in line with its record at `now`. An instance that stops while the pod is being deleted says
   * so in its stop lines; otherwise it was replaced because its definition changed.
   */
  reconcile(podKey: string, pod: Pod, rec: PodRecord, now: number): void {
    let p = this.pods.get(podKey);
    if (p && p.uid !== rec.uid) {
      this.drop(podKey);
      p = undefined;
    }
    if (!p) {
      // Nothing to hold before the sandbox exists: no container has run yet.
      if (rec.sandboxAt === undefined) return;
      p = { uid: rec.uid, instances: [] };
      this.pods.set(podKey, p);
    }
    const all = p.instances;
    const deleting = !!pod.metadata.deletionTimestamp;
    const has = (name: string, id: string) => all.some((i) => i.name === name && i.containerID === id);

    // Init containers ran to completion when the sandbox came up.
    if (rec.sandboxAt !== undefined) {
      for (const spec of pod.spec?.initContainers ?? []) {
        if (all.some((i) => i.name === spec.name)) continue;
        const i = instanceOf(spec.name, spec, initContainerID(rec.uid, spec.name), spec.image ?? '', rec.sandboxAt, true);
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
        const i = finished(c.name, undefined, last.containerID, '', last, 'restarted');
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
        all.push(instanceOf(c.name, spec, c.containerID, c.image, c.state.startedAt, false));
      } else if (
        c.state.kind === 'terminated' &&
        c.state.terminated.containerID &&
        !has(c.name, c.state.terminated.containerID)
      ) {
        all.push(finished(c.name, spec, c.state.terminated.containerID, c.image, c.state.terminated, stopReason));
      }
      let kept = 0;
      for (let k = all.length - 1; k >= 0; k--) {
        if (all[k]!.name !== c.name || ++kept <= INSTANCES_KEPT) continue;
        all[k]!.close();
        all.splice(k, 1);
      }
    }
  }
}

function instanceOf(
  name: string,
  spec: ContainerSpec | undefined,
  containerID: string,
  image: string,
  startMs: number,
  init: boolean,
): Instance {
  return new Instance(name, containerID, image, spec?.command, spec?.args, init, startMs);
}

/** An instance that started and stopped before the store knew it. */
function finished(
  name: string,
  spec: ContainerSpec | undefined,
  containerID: string,
  image: string,
  t: Terminated,
  reason: StopReason,
): Instance {
  const i = instanceOf(name, spec, containerID, image, t.startedAt, false);
  i.stop(t.finishedAt, reason, t.exitCode);
  return i;
}
