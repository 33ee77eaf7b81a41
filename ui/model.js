// What the page reads from the objects: a pod's status in kubectl's words, a node's readiness, the owner and
// revision of a pod, a DaemonSet's rollout figures. Pure functions of the API objects.

/** The STATUS column of `kubectl get pods`, reduced to what a cell shows. */
export function podStatus(pod) {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const phase = pod.status?.phase || 'Pending';
  if (phase === 'Failed') return 'Failed';
  if (phase === 'Succeeded') return 'Completed';
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  let creating = false;
  for (const c of statuses) {
    const waiting = c.state?.waiting?.reason;
    if (waiting === 'ContainerCreating' || waiting === 'PodInitializing') creating = true;
    else if (waiting) return waiting; // ErrImagePull, ImagePullBackOff, CrashLoopBackOff, ...
  }
  if (phase === 'Pending') return creating ? 'ContainerCreating' : 'Pending';
  if (phase === 'Running') return isReady(pod) ? 'Ready' : 'Running';
  return phase;
}

export function isReady(pod) {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The CSS class of a status: the few colours of the legend. */
export function statusClass(status) {
  switch (status) {
    case 'Ready':
    case 'Running':
    case 'Pending':
    case 'ContainerCreating':
    case 'Terminating':
    case 'Failed':
    case 'Completed':
      return `s-${status}`;
    case 'ErrImagePull':
    case 'ImagePullBackOff':
    case 'InvalidImageName':
      return 's-ImagePull';
    default:
      return 's-Error';
  }
}

export const LEGEND = [
  ['Pending', 's-Pending'],
  ['ContainerCreating', 's-ContainerCreating'],
  ['Running (not ready)', 's-Running'],
  ['Ready', 's-Ready'],
  ['Terminating', 's-Terminating'],
  ['ErrImagePull / ImagePullBackOff', 's-ImagePull'],
  ['Failed / error', 's-Failed'],
];

export function nodeReady(node) {
  const c = (node.status?.conditions ?? []).find((x) => x.type === 'Ready');
  if (!c) return 'Unknown';
  return c.status === 'True' ? 'Ready' : c.status === 'False' ? 'NotReady' : 'Unknown';
}

/** The controller owner reference of an object, if any. */
export function controllerOf(obj) {
  return (obj.metadata?.ownerReferences ?? []).find((r) => r.controller) ?? obj.metadata?.ownerReferences?.[0];
}

/** The template revision a pod was made from: a DaemonSet's controller-revision-hash, a ReplicaSet's pod-template-hash. */
export function revisionHash(pod) {
  const l = pod.metadata?.labels ?? {};
  return l['controller-revision-hash'] ?? l['pod-template-hash'] ?? '';
}

/** Owner colours: none of them green, yellow, orange or red, which mean a status. */
const OWNER_COLOURS = ['#0969da', '#8250df', '#bf3989', '#1b7c83', '#6e7781', '#0a3069', '#a475f9', '#4d2d8c'];

/** A stable colour for an owner's name (the stripe of its pods, the swatch of a DaemonSet). */
export function colourOf(name) {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return OWNER_COLOURS[h % OWNER_COLOURS.length];
}

/** An IntOrString against a total, as upstream scales maxUnavailable / maxSurge (percentages rounded up). */
export function scaled(value, total, roundUp = true) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value));
  if (!m) return Number(value) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** How a DaemonSet updates, in words: `RollingUpdate maxUnavailable 1, maxSurge 0` or `OnDelete`. */
export function strategyText(ds) {
  const s = ds.spec?.updateStrategy ?? {};
  const type = s.type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return type;
  const ru = s.rollingUpdate ?? {};
  return `RollingUpdate · maxUnavailable ${ru.maxUnavailable ?? 1} · maxSurge ${ru.maxSurge ?? 0}`;
}

/** The rollout figures of a DaemonSet's status, and the unavailable budget of a RollingUpdate. */
export function rollout(ds) {
  const st = ds.status ?? {};
  const desired = st.desiredNumberScheduled ?? 0;
  const figures = {
    desired,
    current: st.currentNumberScheduled ?? 0,
    ready: st.numberReady ?? 0,
    updated: st.updatedNumberScheduled ?? 0,
    available: st.numberAvailable ?? 0,
  };
  const unavailable = st.numberUnavailable ?? Math.max(0, desired - figures.available);
  const s = ds.spec?.updateStrategy ?? {};
  let budget;
  if ((s.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = s.rollingUpdate ?? {};
    const surge = scaled(ru.maxSurge ?? 0, desired) ?? 0;
    let maxUnavailable = scaled(ru.maxUnavailable ?? 1, desired) ?? 1;
    if (maxUnavailable === 0 && surge === 0) maxUnavailable = 1;
    budget = maxUnavailable;
  }
  const settled =
    (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0) &&
    figures.updated >= desired &&
    figures.available >= desired;
  return { ...figures, unavailable, budget, rollingOut: !settled };
}

// Label selectors are validated and applied by the server (labelSelector on list and watch); the page only
// keeps what was typed.

/** `2m`, `3h`, `5d` since a timestamp. */
export function age(ts, now = Date.now()) {
  const t = Date.parse(ts ?? '');
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}
