/**
 * Reading container logs as a kubelet serves `/containerLogs/{namespace}/{pod}/{container}`: the query's
 * PodLogOptions (with the kubelet's own answers to a query it cannot decode or validate), the container status
 * that says which instance to read (upstream's validateContainerLogStatus, with its error texts), and the reader:
 * tail, since, timestamps, the byte limit, and `follow` until the instance stops or its pod goes.
 */
import { compareStamp, type ContainerLog } from './log-buffer.js';

type Json = Record<string, any>;

/** The options a log read takes (v1 PodLogOptions, as the kubelet decodes them). */
export interface KubeletLogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Lines stamped before this instant (ms) are skipped. */
  sinceMs?: number;
}

/** An HTTP answer the kubelet gives instead of a log: status code and plain-text body. */
export interface KubeletRefusal {
  code: number;
  body: string;
}

/** Go's query-parameter booleans: absent, `0`, `f` and `false` (any case) are false; every other value is true. */
export function goBool(v: string | null): boolean {
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'f' || v.toLowerCase() === 'false');
}

const INT64 = /^[+-]?\d+$/;

/**
 * The kubelet's decoding of the query (`tail` is the older spelling of `tailLines`; `tail=all` means all lines).
 * A value it cannot decode is a 400 `Unable to decode query.`; options that fail validation a 422 `Invalid request.`
 * (the kubelet's JSON-looking plain-text bodies).
 */
export function parseKubeletLogQuery(q: URLSearchParams, now: number): KubeletLogOptions | KubeletRefusal {
  const undecodable: KubeletRefusal = { code: 400, body: '{"message": "Unable to decode query."}' };
  const invalid: KubeletRefusal = { code: 422, body: '{"message": "Invalid request."}' };
  const ints: Record<string, number | undefined> = {};
  let tail = q.get('tailLines');
  const old = q.get('tail');
  if (old !== null && old !== '') tail = old === 'all' ? null : old;
  for (const [name, raw] of [
    ['tailLines', tail],
    ['limitBytes', q.get('limitBytes')],
    ['sinceSeconds', q.get('sinceSeconds')],
  ] as const) {
    if (raw === null) continue;
    if (!INT64.test(raw)) return undecodable;
    ints[name] = Number(raw);
  }
  let sinceTime: number | undefined;
  const st = q.get('sinceTime');
  if (st !== null && st !== '' && st !== 'null') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(st)) return undecodable;
    sinceTime = Date.parse(st);
    if (Number.isNaN(sinceTime)) return undecodable;
  } else if (st !== null) {
    sinceTime = -62135596800000; // Go's zero time
  }
  const { tailLines, limitBytes, sinceSeconds } = ints;
  if (tailLines !== undefined && tailLines < 0) return invalid;
  if (limitBytes !== undefined && limitBytes < 1) return invalid;
  if (sinceSeconds !== undefined && sinceTime !== undefined) return invalid;
  if (sinceSeconds !== undefined && sinceSeconds < 1) return invalid;
  const stream = q.get('stream');
  if (stream !== null && stream !== 'All') {
    if (!['Stdout', 'Stderr'].includes(stream)) return invalid;
    return {
      code: 400,
      body: `unable to return the given log stream: ${JSON.stringify(stream)}. Please enable PodLogsQuerySplitStreams feature gate in kubelet`,
    };
  }
  const opts: KubeletLogOptions = {
    follow: goBool(q.get('follow')),
    previous: goBool(q.get('previous')),
    timestamps: goBool(q.get('timestamps')),
  };
  if (tailLines !== undefined) opts.tailLines = tailLines;
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  if (sinceSeconds !== undefined) opts.sinceMs = now - sinceSeconds * 1000;
  if (sinceTime !== undefined && (opts.sinceMs === undefined || sinceTime > opts.sinceMs)) opts.sinceMs = sinceTime;
  return opts;
}

/** Whether the pod's spec has a container of that name (regular, init or ephemeral). */
export function hasContainerSpec(pod: Json, name: string): boolean {
  const spec = pod.spec ?? {};
  return ['containers', 'initContainers', 'ephemeralContainers'].some(
    (k) => Array.isArray(spec[k]) && spec[k].some((c: Json) => c?.name === name),
  );
}

/**
 * Which container instance a log request reads, from the pod status the kubelet holds (upstream's
 * validateContainerLogStatus): `previous` reads the last terminated instance; otherwise the running one, else the
 * terminated one, else the last terminated. A container that has not run yet is an error saying what it waits for.
 */
export function logTarget(
  podName: string,
  status: Json,
  container: string,
  previous: boolean,
): { containerID: string } | { error: string } {
  const find = (k: string) =>
    (Array.isArray(status[k]) ? (status[k] as Json[]) : []).find((s) => s?.name === container);
  const cs = find('containerStatuses') ?? find('initContainerStatuses') ?? find('ephemeralContainerStatuses');
  const q = (s: string) => JSON.stringify(s);
  const where = `container ${q(container)} in pod ${q(podName)}`;
  if (!cs) return { error: `${where} is not available` };
  const last = cs.lastState?.terminated as Json | undefined;
  const { waiting, running, terminated } = (cs.state ?? {}) as Json;
  if (previous) {
    if (!last || !last.containerID)
      return { error: `previous terminated container ${q(container)} in pod ${q(podName)} not found` };
    return { containerID: last.containerID };
  }
  if (running) return { containerID: cs.containerID ?? '' };
  if (terminated) {
    if (terminated.containerID) return { containerID: terminated.containerID };
    if (last?.containerID) return { containerID: last.containerID };
    return { error: `${where} is terminated` };
  }
  if (last) {
    if (!last.containerID) return { error: `${where} is terminated` };
    return { containerID: last.containerID };
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') return { error: `${where} is waiting to start: image can't be pulled` };
    if (waiting.reason === 'ImagePullBackOff')
      return { error: `${where} is waiting to start: trying and failing to pull image` };
    return { error: `${where} is waiting to start: ${waiting.reason ?? ''}` };
  }
  return { error: `${where} is waiting to start - no logs yet` };
}

/** Go's time.RFC3339Nano of a stamp: nanoseconds with trailing zeros dropped, in UTC. */
export function rfc3339Nano(ms: number, ns = 0): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const nanos = (ms - whole) * 1_000_000 + ns;
  const base = new Date(whole).toISOString().slice(0, 19);
  if (nanos === 0) return `${base}Z`;
  return `${base}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}Z`;
}

/**
 * The log of an instance as the kubelet writes it: the last `tailLines` lines, those stamped at or after `sinceMs`,
 * each prefixed with its RFC3339Nano stamp when `timestamps`, cut after `limitBytes` bytes; with `follow`, new lines
 * as they are written until the instance stops, its log is thrown away, or the signal aborts.
 */
export async function* readContainerLog(
  log: ContainerLog,
  o: KubeletLogOptions,
  signal: AbortSignal,
): AsyncGenerator<Buffer> {
  let remaining = o.limitBytes ?? Infinity;
  let lines = log.read();
  if (o.tailLines !== undefined) lines = o.tailLines === 0 ? [] : lines.slice(-o.tailLines);
  let next = lines.length ? lines[lines.length - 1]!.seq + 1 : o.tailLines === 0 ? log.end : 0;
  for (;;) {
    const out: Buffer[] = [];
    for (const l of lines) {
      next = l.seq + 1;
      if (o.sinceMs !== undefined && compareStamp(l.ms, l.ns, o.sinceMs, 0) < 0) continue;
      let chunk = Buffer.from(o.timestamps ? `${rfc3339Nano(l.ms, l.ns)} ${l.text}\n` : `${l.text}\n`);
      if (chunk.length > remaining) chunk = chunk.subarray(0, remaining);
      remaining -= chunk.length;
      out.push(chunk);
      if (remaining <= 0) break;
    }
    if (out.length) yield out.length === 1 ? out[0]! : Buffer.concat(out);
    if (!o.follow || remaining <= 0 || signal.aborted) return;
    lines = log.read(next);
    if (lines.length) continue;
    if (!log.isRunning) return;
    await log.changed(signal);
    if (signal.aborted) return;
    lines = log.read(next);
  }
}
