/**
 * How long things take on a simulated node. Defaults look real at a terminal but finish fast; every duration of
 * a pod's life is multiplied by the controller manager's `speed` (0.1 = ten times faster). The heartbeats (Lease
 * renewals, node status reports) are not: whoever reads them judges them against `leaseDurationSeconds` and the
 * node monitor grace period, API values in real seconds, so renewing ten times as often would only multiply the
 * writes (a thousand nodes at speed 0.1 would renew a thousand Leases a second) and tell nobody anything new.
 */

/** The kubelet's timings in milliseconds of simulated time (before `speed`), and its heartbeat settings. */
export interface KubeletTimings {
  /** A bound pod stays Pending this long before its sandbox exists and containers are ContainerCreating. */
  sandboxDelayMs: number;
  /** A container is created and started this long after ContainerCreating (a stable value per container in the range). */
  startMinMs: number;
  startMaxMs: number;
  /** An image the registry does not have fails (ErrImagePull) this long after the pull began. */
  pullFailureMs: number;
  /** ErrImagePull turns into ImagePullBackOff after this long. */
  errImagePullToBackOffMs: number;
  /** The image pull back-off: base, doubling per failed pull, up to the max (kubelet: 10 s … 300 s). */
  pullBackOffBaseMs: number;
  pullBackOffMaxMs: number;
  /** Containers stop in min(deletionGracePeriodSeconds, this) seconds. */
  maxTerminationSeconds: number;
  /** Node Lease renewal interval (kubelet: 10 s) and the lease duration written (kubelet: 40 s); neither scaled. */
  leaseRenewMs: number;
  leaseDurationSeconds: number;
  /**
   * Node status is rewritten with a new lastHeartbeatTime this often when nothing else changed (not scaled; the
   * kubelet's nodeStatusReportFrequency, 5 min by default: the Lease is the node's heartbeat).
   */
  nodeStatusReportMs: number;
  /**
   * A pod's changed status waits to be written together with its next transition when that falls within this
   * long (not scaled): at most this late, a status a watcher would see for less than this is not written.
   */
  statusBatchMs: number;
}

/** The defaults: Pending 0.5 s, Running 1–2 s later, 10 s lease renewals, a node status heartbeat every 5 minutes. */
export const DEFAULT_TIMINGS: Readonly<KubeletTimings> = Object.freeze({
  sandboxDelayMs: 500,
  startMinMs: 1000,
  startMaxMs: 2000,
  pullFailureMs: 1000,
  errImagePullToBackOffMs: 1500,
  pullBackOffBaseMs: 10_000,
  pullBackOffMaxMs: 300_000,
  maxTerminationSeconds: 2,
  leaseRenewMs: 10_000,
  leaseDurationSeconds: 40,
  nodeStatusReportMs: 300_000,
  statusBatchMs: 250,
});

/**
 * The effective timings: `overrides` over the defaults, the pod durations multiplied by `speed` (the heartbeats
 * and the lease duration excepted, see above). Throws on a speed that is not a positive number.
 */
export function scaledTimings(speed: number, overrides: Partial<KubeletTimings> = {}): KubeletTimings {
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new Error(`kubelet: speed must be a positive number, got ${speed}`);
  const t = { ...DEFAULT_TIMINGS, ...overrides };
  const s = (ms: number) => Math.max(0, Math.round(ms * speed));
  return {
    sandboxDelayMs: s(t.sandboxDelayMs),
    startMinMs: s(t.startMinMs),
    startMaxMs: s(Math.max(t.startMinMs, t.startMaxMs)),
    pullFailureMs: s(t.pullFailureMs),
    errImagePullToBackOffMs: s(t.errImagePullToBackOffMs),
    pullBackOffBaseMs: s(t.pullBackOffBaseMs),
    pullBackOffMaxMs: s(t.pullBackOffMaxMs),
    maxTerminationSeconds: t.maxTerminationSeconds * speed,
    leaseRenewMs: Math.max(0, Math.round(t.leaseRenewMs)),
    leaseDurationSeconds: t.leaseDurationSeconds,
    nodeStatusReportMs: Math.max(0, Math.round(t.nodeStatusReportMs)),
    statusBatchMs: Math.max(0, Math.round(t.statusBatchMs)),
  };
}

/** The image pull back-off after `failures` failed pulls (≥ 1): base × 2^(failures−1), capped. */
export function pullBackOff(t: KubeletTimings, failures: number): number {
  return Math.min(t.pullBackOffMaxMs, t.pullBackOffBaseMs * 2 ** Math.max(0, failures - 1));
}
