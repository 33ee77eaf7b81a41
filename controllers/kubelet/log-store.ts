/**
 * The container logs of every pod the simulated kubelet runs: per container, the log of the current instance and
 * of the one before it (what `--previous` reads), as a container runtime keeps the last dead container. Logs follow
 * the pod's record level-based (`reconcile`): an instance that started gets its start lines, one that stopped gets
 * its stop lines and ends its followers, and instances the record knows but the store does not (after a restart of
 * the controller manager) are rebuilt from their start and finish times. Instances are found by containerID, as
 * the kubelet resolves a log request through the container status.
 */
import { ContainerLog, DEFAULT_LOG_LIMITS, type LogLimits } from './log-buffer.js';
import { startLines, stopLines, type ContainerFacts, type StopReason, type SyntheticLine } from './log-content.js';
import { containerIDFor, type ContainerSpec, type Pod, type PodRecord, type Terminated } from './pod-runtime.js';

/** One instance's log and the image it was started with (the spec's may have changed since). */
interface Instance {
  log: ContainerLog;
  image: string;
}

interface PodLogs {
  uid: string;
  /** Instances per container name, oldest first; at most two (the previous and the current). */
  containers: Map<string, Instance[]>;
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

  /** The log of an instance of a pod's container, by containerID. */
  find(podKey: string, uid: string | undefined, container: string, containerID: string): ContainerLog | undefined {
    const p = this.pods.get(podKey);
    if (!p || (uid !== undefined && p.uid !== uid)) return undefined;
    return p.containers.get(container)?.find((i) => i.log.containerID === containerID)?.log;
  }

  /** Throws a pod's logs away (the pod is gone): followers end. */
  drop(podKey: string): void {
    const p = this.pods.get(podKey);
    if (!p) return;
    for (const instances of p.containers.values()) for (const i of instances) i.log.close();
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
      p = { uid: rec.uid, containers: new Map() };
      this.pods.set(podKey, p);
    }
    const deleting = !!pod.metadata.deletionTimestamp;
    const specs = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));

    // Init containers ran to completion when the sandbox came up.
    if (rec.sandboxAt !== undefined) {
      for (const spec of pod.spec?.initContainers ?? []) {
        if (p.containers.has(spec.name)) continue;
        const facts: ContainerFacts = {
          ...factsOf(spec.name, spec, initContainerID(rec.uid, spec.name), spec.image ?? ''),
          init: true,
        };
        const log = new ContainerLog(facts.containerID, false, this.limits);
        write(log, rec.sandboxAt, startLines(facts, rec.sandboxAt));
        write(
          log,
          rec.sandboxAt,
          stopLines(facts, rec.sandboxAt, 'completed').map((l) => ({ ...l, offsetUs: l.offsetUs + 5000 })),
        );
        p.containers.set(spec.name, [{ log, image: facts.image }]);
      }
    }

    const stopReason: StopReason = deleting || rec.killingAt !== undefined ? 'deleted' : 'restarted';
    for (const c of rec.containers) {
      const spec = specs.get(c.name);
      let instances = p.containers.get(c.name);
      if (!instances) p.containers.set(c.name, (instances = []));
      const has = (id: string) => instances!.some((i) => i.log.containerID === id);

      // The previous instance, when the store does not know it (rebuilt after a restart of the controller manager):
      // its start and finish are in the status, its image is not (it may have changed), so its lines name none.
      const last = c.lastTerminated;
      if (last?.containerID && !has(last.containerID)) {
        instances.unshift(this.finished(factsOf(c.name, undefined, last.containerID, ''), last, 'restarted'));
      }
      // An instance that ran and is replaced or stopped now gets its stop lines; its followers end.
      for (const i of instances) {
        if (!i.log.isRunning) continue;
        if (c.state.kind === 'running' && c.containerID === i.log.containerID) continue;
        const terminated = c.state.kind === 'terminated' ? c.state.terminated : undefined;
        const ended =
          last?.containerID === i.log.containerID
            ? last
            : terminated?.containerID === i.log.containerID
              ? terminated
              : undefined;
        const at = ended?.finishedAt ?? now;
        write(
          i.log,
          at,
          stopLines(factsOf(c.name, spec, i.log.containerID, i.image), at, stopReason, ended?.exitCode ?? 0),
        );
        i.log.stop();
      }
      if (c.state.kind === 'running' && c.containerID && !has(c.containerID)) {
        const facts = factsOf(c.name, spec, c.containerID, c.image);
        const log = new ContainerLog(c.containerID, true, this.limits);
        write(log, c.state.startedAt, startLines(facts, c.state.startedAt));
        instances.push({ log, image: c.image });
      } else if (
        c.state.kind === 'terminated' &&
        c.state.terminated.containerID &&
        !has(c.state.terminated.containerID)
      ) {
        instances.push(
          this.finished(factsOf(c.name, spec, c.state.terminated.containerID, c.image), c.state.terminated, stopReason),
        );
      }
      while (instances.length > INSTANCES_KEPT) instances.shift()!.log.close();
    }
  }

  /** The whole log of an instance that started and stopped before the store knew it. */
  private finished(facts: ContainerFacts, t: Terminated, reason: StopReason): Instance {
    const log = new ContainerLog(facts.containerID, false, this.limits);
    write(log, t.startedAt, startLines(facts, t.startedAt));
    write(log, t.finishedAt, stopLines(facts, t.finishedAt, reason, t.exitCode));
    return { log, image: facts.image };
  }
}

function factsOf(name: string, spec: ContainerSpec | undefined, containerID: string, image: string): ContainerFacts {
  return { name, image, containerID, command: spec?.command, args: spec?.args };
}
