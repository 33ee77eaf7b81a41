/**
 * Records the pods of a namespace through a plain-fetch watch during a rollout and calls a check on every
 * change, at the moment the event arrives: the way the upstream e2e tests poll for "at most maxUnavailable pods
 * unavailable", but without missing the short moments between two polls.
 */

/** The slice of a core/v1 Pod the checks read. */
export interface WatchedPod {
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ uid: string; controller?: boolean }>;
  };
  spec?: {
    nodeName?: string;
    containers?: Array<{ name: string; image?: string; env?: Array<{ name: string; value?: string }> }>;
  };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string; lastTransitionTime?: string }> };
}

/** Ready, not being deleted, and Ready since strictly more than `minReadySeconds` before `at` (ms). */
export function isAvailable(pod: WatchedPod, minReadySeconds: number, at: number): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < at;
}

/** The nodes among `nodes` without an available pod (the nodes a rollout has made unavailable). */
export function unavailableNodes(
  pods: Iterable<WatchedPod>,
  nodes: readonly string[],
  minReadySeconds: number,
  at: number,
): string[] {
  const ok = new Set<string>();
  for (const p of pods) if (p.spec?.nodeName && isAvailable(p, minReadySeconds, at)) ok.add(p.spec.nodeName);
  return nodes.filter((n) => !ok.has(n));
}

/**
 * A check for {@link PodRecorder.start} that appends to `violations` (at most 20) every moment at which a node
 * runs two live pods (scheduled, not being deleted) of the watched set: a DaemonSet's "never two on a node".
 */
export function twoLivePodsOnANode(violations: string[]): (pods: WatchedPod[], at: number) => void {
  return (pods, at) => {
    const live = new Map<string, string[]>();
    for (const p of pods) {
      if (p.metadata.deletionTimestamp || !p.spec?.nodeName) continue;
      live.set(p.spec.nodeName, [...(live.get(p.spec.nodeName) ?? []), p.metadata.name]);
    }
    for (const [node, names] of live)
      if (names.length > 1 && violations.length < 20) violations.push(`${at}: ${node} has ${names.join(', ')}`);
  };
}

/** The first container's image. */
export function imageOf(pod: WatchedPod): string | undefined {
  return pod.spec?.containers?.[0]?.image;
}

/** A running recorder; `stop()` ends the watch and reports a watch failure. */
export class PodRecorder {
  /** Current pods by name. */
  readonly pods = new Map<string, WatchedPod>();
  /** Every event, with its arrival time. */
  readonly events: Array<{ at: number; type: string; name: string }> = [];
  private readonly abort = new AbortController();
  private failure: unknown;
  private done!: Promise<void>;

  private constructor(private readonly check: (pods: WatchedPod[], at: number) => void) {}

  /**
   * Lists the pods of `namespace` matching `labelSelector`, calls `check`, then watches from the list's
   * resourceVersion and calls `check` after every event.
   */
  static async start(
    url: string,
    namespace: string,
    labelSelector: string,
    check: (pods: WatchedPod[], at: number) => void,
  ): Promise<PodRecorder> {
    const r = new PodRecorder(check);
    const base = `${url}/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(labelSelector)}`;
    const res = await fetch(base);
    if (!res.ok) throw new Error(`list pods: ${res.status} ${await res.text()}`);
    const list = (await res.json()) as { metadata: { resourceVersion: string }; items: WatchedPod[] };
    for (const p of list.items) r.pods.set(p.metadata.name, p);
    check([...r.pods.values()], Date.now());
    const watch = await fetch(`${base}&watch=true&resourceVersion=${list.metadata.resourceVersion}`, {
      signal: r.abort.signal,
    });
    if (!watch.ok || !watch.body) throw new Error(`watch pods: ${watch.status}`);
    r.done = r.pump(watch.body);
    return r;
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const at = Date.now();
        buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) this.apply(JSON.parse(line) as { type: string; object: WatchedPod }, at);
        }
      }
      if (!this.abort.signal.aborted) this.failure = new Error('the pod watch ended during the rollout');
    } catch (err) {
      if (!this.abort.signal.aborted) this.failure = err;
    }
  }

  private apply(ev: { type: string; object: WatchedPod }, at: number): void {
    if (ev.type === 'BOOKMARK') return;
    if (ev.type === 'ERROR') {
      this.failure = new Error(`watch error: ${JSON.stringify(ev.object)}`);
      return;
    }
    const name = ev.object.metadata.name;
    this.events.push({ at, type: ev.type, name });
    if (ev.type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, ev.object);
    this.check([...this.pods.values()], at);
  }

  /** Ends the watch; throws if it failed or ended early. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
    if (this.failure) throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
  }
}
