// The live view: nodes as columns with their pods, DaemonSets rolling out, recent events. Four informers (nodes,
// pods, daemonsets, events) keep the objects; every change only marks what it touched as dirty, and one
// requestAnimationFrame callback redraws: the node grid is virtualised (only the rows in view exist in the DOM).
import { auth, getJSON, HttpError, Informer } from './api.js';
import {
  age,
  controllerOf,
  esc,
  colourOf,
  LEGEND,
  nodeReady,
  podStatus,
  revisionHash,
  rollout,
  statusClass,
  strategyText,
} from './model.js';

const CARD_W = 176;
const GAP = 8;
const HEADER_H = 50;
const CELL_H = 30;
const MAX_CELLS = 8;
const MAX_EVENTS = 300;
const UNSCHEDULED = '\u0000unscheduled';

const $ = (sel) => document.querySelector(sel);

const state = {
  namespace: sessionStorage.getItem('kube-emulator.ns') ?? '',
  podSelector: '',
  nodeSelector: '',
  nodes: new Map(),
  pods: new Map(),
  daemonsets: new Map(),
  events: new Map(),
  /** DaemonSet uid → { hashes: Map(hash → revision), newest, tried: Set, inflight, again, generation }. */
  revisions: new Map(),
  synced: { nodes: false, pods: false, daemonsets: false, events: false },
  errors: {},
  selected: undefined,
};
const informers = {};
/** Settles when the nodes were first listed (or could not be). */
let settleNodesListed;
const nodesListed = new Promise((resolve) => (settleNodesListed = resolve));
const dirty = { grid: true, ds: true, events: true, details: true, status: true };
let frame = 0;

function invalidate(...what) {
  for (const w of what) dirty[w] = true;
  if (!frame) frame = requestAnimationFrame(render);
}

const keyOf = (o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/** One informer's handlers over a Map of objects, marking `what` dirty on every change. */
function collection(kind, map, what, onChange) {
  return {
    onReset(items) {
      map.clear();
      for (const o of items) map.set(keyOf(o), o);
      state.synced[kind] = true;
      state.errors[kind] = undefined;
      if (kind === 'nodes') settleNodesListed();
      for (const o of items) onChange?.('ADDED', o);
      invalidate(...what, 'status');
    },
    onEvent(type, o) {
      if (type === 'DELETED') map.delete(keyOf(o));
      else map.set(keyOf(o), o);
      onChange?.(type, o);
      invalidate(...what);
    },
    onState(s, err) {
      // A refused selector (400) stays marked while the informer retries: only a list that succeeds clears it.
      const refused = state.errors[kind] instanceof HttpError && state.errors[kind].status === 400;
      if (s === 'error') state.errors[kind] = err;
      else if (!refused) state.errors[kind] = undefined;
      if (kind === 'nodes' && s === 'error') settleNodesListed();
      invalidate('status');
    },
  };
}

function nsPath(prefix, plural) {
  return state.namespace
    ? `${prefix}/namespaces/${encodeURIComponent(state.namespace)}/${plural}`
    : `${prefix}/${plural}`;
}

function startInformers(which) {
  for (const w of which) {
    informers[w]?.stop();
    state.synced[w] = false;
    state[w].clear(); // what another namespace or selector showed
  }
  if (which.includes('nodes'))
    informers.nodes = new Informer(
      '/api/v1/nodes',
      { labelSelector: state.nodeSelector },
      collection('nodes', state.nodes, ['grid', 'details']),
    );
  if (which.includes('pods'))
    informers.pods = new Informer(
      nsPath('/api/v1', 'pods'),
      { labelSelector: state.podSelector },
      collection('pods', state.pods, ['grid', 'ds', 'details'], (_type, pod) => noticeRevision(pod)),
    );
  if (which.includes('daemonsets'))
    informers.daemonsets = new Informer(
      nsPath('/apis/apps/v1', 'daemonsets'),
      {},
      collection('daemonsets', state.daemonsets, ['ds', 'grid', 'details'], (type, ds) => {
        if (type !== 'DELETED') noticeDaemonSet(ds);
      }),
    );
  if (which.includes('events')) {
    const handlers = collection('events', state.events, ['events']);
    const reset = handlers.onReset;
    handlers.onReset = (items) => reset(newestEvents(items, MAX_EVENTS));
    const onEvent = handlers.onEvent;
    handlers.onEvent = (type, ev) => {
      onEvent(type, ev);
      if (state.events.size > MAX_EVENTS + 100) {
        const keep = newestEvents([...state.events.values()], MAX_EVENTS);
        state.events.clear();
        for (const e of keep) state.events.set(keyOf(e), e);
      }
    };
    informers.events = new Informer(nsPath('/api/v1', 'events'), {}, handlers);
  }
  invalidate('grid', 'ds', 'events', 'details', 'status');
}

// ---- DaemonSet revisions: which controller-revision-hash is the newest (a ControllerRevision's number) ----

function revisionsOf(uid) {
  let r = state.revisions.get(uid);
  if (!r) state.revisions.set(uid, (r = { hashes: new Map(), newest: '', tried: new Set(), inflight: false }));
  return r;
}

function noticeDaemonSet(ds) {
  const r = revisionsOf(ds.metadata.uid);
  if (r.generation !== ds.metadata.generation) {
    r.generation = ds.metadata.generation;
    fetchRevisions(ds);
  }
}

function noticeRevision(pod) {
  const owner = controllerOf(pod);
  const hash = pod.metadata.labels?.['controller-revision-hash'];
  if (owner?.kind !== 'DaemonSet' || !hash) return;
  const r = revisionsOf(owner.uid);
  if (r.hashes.has(hash) || r.tried.has(hash)) return;
  r.tried.add(hash);
  const ds = state.daemonsets.get(`${pod.metadata.namespace}/${owner.name}`);
  if (ds && ds.metadata.uid === owner.uid) fetchRevisions(ds);
}

async function fetchRevisions(ds) {
  const r = revisionsOf(ds.metadata.uid);
  if (r.inflight) {
    r.again = true;
    return;
  }
  r.inflight = true;
  try {
    const sel = Object.entries(ds.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const list = await getJSON(
      `/apis/apps/v1/namespaces/${encodeURIComponent(ds.metadata.namespace)}/controllerrevisions?labelSelector=${encodeURIComponent(sel)}`,
    );
    const hashes = new Map();
    let newest = '';
    let max = -1;
    for (const cr of list.items ?? []) {
      if (!(cr.metadata.ownerReferences ?? []).some((o) => o.uid === ds.metadata.uid)) continue;
      const hash =
        cr.metadata.labels?.['controller-revision-hash'] ?? cr.metadata.name.slice(ds.metadata.name.length + 1);
      hashes.set(hash, cr.revision);
      if (cr.revision > max) (max = cr.revision), (newest = hash);
    }
    r.hashes = hashes;
    r.newest = newest;
    invalidate('grid', 'ds', 'details');
  } catch {
    // shown by the informers if the server is unreachable; the next pod or DaemonSet change tries again
  } finally {
    r.inflight = false;
    if (r.again) {
      r.again = false;
      fetchRevisions(state.daemonsets.get(keyOf(ds)) ?? ds);
    }
  }
}

/** `{ rev, state: 'new' | 'old' | '' }` of a pod against its DaemonSet's revisions. */
function podRevision(pod) {
  const owner = controllerOf(pod);
  const hash = revisionHash(pod);
  if (owner?.kind !== 'DaemonSet' || !hash) return { hash, rev: undefined, state: '' };
  const r = state.revisions.get(owner.uid);
  if (!r || !r.newest) return { hash, rev: undefined, state: '' };
  return { hash, rev: r.hashes.get(hash), state: hash === r.newest ? 'new' : 'old' };
}

function newestEvents(items, n) {
  return items
    .map((e) => [Date.parse(e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp) || 0, e])
    .sort((a, b) => b[0] - a[0] || Number(b[1].metadata.resourceVersion) - Number(a[1].metadata.resourceVersion))
    .slice(0, n)
    .map((x) => x[1]);
}

// ---- rendering ----

function render() {
  frame = 0;
  if (dirty.status) renderStatus();
  if (dirty.grid) renderGrid();
  if (dirty.ds) renderDaemonSets();
  if (dirty.events) renderEvents();
  if (dirty.details) renderDetails();
}

function renderStatus() {
  dirty.status = false;
  const errs = Object.entries(state.errors).filter(([, e]) => e);
  const el = $('#conn');
  const synced = Object.values(state.synced).every(Boolean);
  if (errs.length) {
    const [kind, e] = errs[0];
    el.className = 'conn error';
    el.textContent = e instanceof HttpError && e.status === 401 ? 'token needed' : `${kind}: ${e.message}`;
  } else {
    el.className = synced ? 'conn live' : 'conn';
    el.textContent = synced ? 'live' : 'listing…';
  }
  document.body.dataset.synced = String(synced);
  for (const [input, kind] of [
    ['#pod-selector', 'pods'],
    ['#node-selector', 'nodes'],
  ]) {
    const e = state.errors[kind];
    $(input).classList.toggle('invalid', e instanceof HttpError && e.status === 400);
    $(input).title = e instanceof HttpError && e.status === 400 ? e.message : '';
  }
}

/** The columns: nodes by name (plus "unscheduled", and nodes pods name that are not listed), each with its pods. */
function columns() {
  const byNode = new Map();
  for (const pod of state.pods.values()) {
    const n = pod.spec?.nodeName || UNSCHEDULED;
    let list = byNode.get(n);
    if (!list) byNode.set(n, (list = []));
    list.push(pod);
  }
  const names = [...state.nodes.keys()];
  if (!state.nodeSelector) for (const n of byNode.keys()) if (n !== UNSCHEDULED && !state.nodes.has(n)) names.push(n);
  names.sort();
  if (byNode.has(UNSCHEDULED)) names.unshift(UNSCHEDULED);
  const sortKey = (p) => `${controllerOf(p)?.name ?? '~'}/${p.metadata.name}`;
  return names.map((name) => ({
    name,
    node: state.nodes.get(name),
    pods: (byNode.get(name) ?? []).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)),
  }));
}

const cards = new Map();

function renderGrid() {
  dirty.grid = false;
  const cols = columns();
  const grid = $('#grid');
  const canvas = $('#canvas');
  const width = grid.clientWidth - 16;
  const perRow = Math.max(1, Math.floor((width + GAP) / (CARD_W + GAP)));
  const cells = Math.min(MAX_CELLS, Math.max(1, ...cols.map((c) => c.pods.length)));
  const rowH = HEADER_H + cells * CELL_H + 10 + GAP;
  const rows = Math.ceil(cols.length / perRow);
  canvas.style.height = `${rows * rowH}px`;
  const first = Math.max(0, Math.floor(grid.scrollTop / rowH) - 1);
  const last = Math.min(rows - 1, Math.ceil((grid.scrollTop + grid.clientHeight) / rowH) + 1);

  const seen = new Set();
  for (let i = first * perRow; i < Math.min(cols.length, (last + 1) * perRow); i++) {
    const col = cols[i];
    seen.add(col.name);
    let card = cards.get(col.name);
    if (!card) {
      card = document.createElement('div');
      card.dataset.node = col.name === UNSCHEDULED ? '' : col.name;
      cards.set(col.name, card);
      canvas.appendChild(card);
    }
    const x = (i % perRow) * (CARD_W + GAP);
    const y = Math.floor(i / perRow) * rowH;
    const pos = `translate(${x}px,${y}px)`;
    if (card.style.transform !== pos) card.style.transform = pos;
    card.style.height = `${rowH - GAP}px`;
    const html = cardHTML(col, cells);
    if (card._html !== html) {
      card._html = html;
      card.innerHTML = html;
      const n = col.node;
      const ready = col.name === UNSCHEDULED ? 'none' : n ? nodeReady(n) : 'Missing';
      card.className = `node r-${ready}${n?.spec?.unschedulable ? ' cordoned' : ''}${state.selected?.node === col.name ? ' selected' : ''}`;
      card.dataset.ready = ready;
      card.title = n ? nodeTitle(n) : col.name === UNSCHEDULED ? 'pods no node runs yet' : 'this node is not listed';
    }
  }
  for (const [name, card] of cards)
    if (!seen.has(name)) {
      card.remove();
      cards.delete(name);
    }

  const nodes = [...state.nodes.values()];
  const ready = nodes.filter((n) => nodeReady(n) === 'Ready').length;
  const cordoned = nodes.filter((n) => n.spec?.unschedulable).length;
  const summary = $('#summary');
  summary.dataset.nodes = String(nodes.length);
  summary.dataset.pods = String(state.pods.size);
  renderOverview(cols, perRow, rowH);
  summary.textContent = `${nodes.length} nodes (${ready} Ready${nodes.length - ready ? `, ${nodes.length - ready} not Ready` : ''}${cordoned ? `, ${cordoned} cordoned` : ''}) · ${state.pods.size} pods${state.namespace ? ` in ${state.namespace}` : ''}`;
}

/** How bad a status is, for the overview's one colour per node (the worst of its pods). */
const SEVERITY = { Ready: 0, Completed: 0, Running: 2, Pending: 3, ContainerCreating: 3, Terminating: 4 };
const OVERVIEW_CELL = 7;
let overviewLayout;

/**
 * Many nodes at a glance: one square per column, in the grid's order, coloured by the node's readiness and the
 * worst of its pods (an old revision darker); a click scrolls the grid there. Shown from 60 columns on.
 */
function renderOverview(cols, perRow, rowH) {
  const canvas = $('#overview');
  if (cols.length < 60) {
    canvas.hidden = true;
    overviewLayout = undefined;
    return;
  }
  canvas.hidden = false;
  const width = canvas.parentElement.clientWidth - 24;
  const across = Math.max(1, Math.floor(width / OVERVIEW_CELL));
  const height = Math.ceil(cols.length / across) * OVERVIEW_CELL;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  overviewLayout = { across, perRow, rowH, cols };
  const css = getComputedStyle(document.documentElement);
  const colour = (v) => css.getPropertyValue(v).trim();
  const palette = {
    ready: colour('--ready'),
    old: '#1a6e35',
    running: colour('--running'),
    pending: colour('--pending'),
    creating: colour('--creating'),
    terminating: colour('--terminating'),
    bad: colour('--failed'),
    pull: colour('--imagepull'),
    empty: '#d0d7de',
  };
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, width, height);
  cols.forEach((col, i) => {
    let fill = palette.empty;
    if (col.node && nodeReady(col.node) !== 'Ready') fill = palette.bad;
    else if (col.pods.length) {
      let worst = -1;
      let old = false;
      for (const p of col.pods) {
        const st = podStatus(p);
        const sev = SEVERITY[st] ?? 5;
        if (sev > worst) (worst = sev), (fill = overviewColour(st, palette));
        if (podRevision(p).state === 'old') old = true;
      }
      if (worst === 0 && old) fill = palette.old;
    }
    ctx.fillStyle = fill;
    ctx.fillRect(
      (i % across) * OVERVIEW_CELL,
      Math.floor(i / across) * OVERVIEW_CELL,
      OVERVIEW_CELL - 1,
      OVERVIEW_CELL - 1,
    );
  });
}

function overviewColour(status, palette) {
  const cls = statusClass(status);
  if (cls === 's-Ready' || cls === 's-Completed') return palette.ready;
  if (cls === 's-Running') return palette.running;
  if (cls === 's-Pending') return palette.pending;
  if (cls === 's-ContainerCreating') return palette.creating;
  if (cls === 's-Terminating') return palette.terminating;
  if (cls === 's-ImagePull') return palette.pull;
  return palette.bad;
}

function nodeTitle(n) {
  const labels = Object.entries(n.metadata.labels ?? {}).map(([k, v]) => `  ${k}=${v}`);
  const taints = (n.spec?.taints ?? []).map((t) => `  ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  return [
    n.metadata.name,
    `${nodeReady(n)}${n.spec?.unschedulable ? ', cordoned (SchedulingDisabled)' : ''}`,
    'labels:',
    ...labels,
    `taints:${taints.length ? '' : ' none'}`,
    ...taints,
  ].join('\n');
}

function cardHTML(col, cells) {
  const n = col.node;
  const title = col.name === UNSCHEDULED ? 'unscheduled' : col.name;
  const ready = col.name === UNSCHEDULED ? '' : n ? nodeReady(n) : 'not listed';
  const badges = [];
  if (n?.spec?.unschedulable) badges.push('<span class="badge cordon">cordoned</span>');
  if (n?.spec?.taints?.length)
    badges.push(`<span class="badge taint">${n.spec.taints.length} taint${n.spec.taints.length > 1 ? 's' : ''}</span>`);
  const shown = col.pods.length > cells ? col.pods.slice(0, cells - 1) : col.pods;
  const podCells = shown.map(podHTML);
  if (shown.length < col.pods.length) podCells.push(`<div class="more">+${col.pods.length - shown.length} more</div>`);
  return `<header><span class="nname">${esc(title)}</span><span class="dot"></span><span class="nstate">${esc(ready)}</span>${badges.join('')}</header>${podCells.join('')}`;
}

function podHTML(pod) {
  const status = podStatus(pod);
  const owner = controllerOf(pod);
  const rev = podRevision(pod);
  const colour = owner ? colourOf(`${pod.metadata.namespace}/${owner.name}`) : '#8c959f';
  const key = keyOf(pod);
  const meta = [status, rev.rev !== undefined ? `rev ${rev.rev}` : rev.hash ? rev.hash.slice(0, 10) : ''].filter(
    Boolean,
  );
  const sel = state.selected?.pod === key ? ' selected' : '';
  return `<div class="pod ${statusClass(status)}${rev.state ? ` rev-${rev.state}` : ''}${owner ? '' : ' bare'}${sel}" data-pod="${esc(key)}" data-status="${esc(status)}" data-owner="${esc(owner ? `${owner.kind}/${owner.name}` : '')}" data-revision="${esc(rev.hash)}" data-rev="${rev.state}" style="--owner:${colour}"><span class="pname">${esc(pod.metadata.name)}</span><span class="pmeta">${esc(meta.join(' · '))}${rev.state === 'old' ? ' · old' : ''}</span></div>`;
}

function renderDaemonSets() {
  dirty.ds = false;
  const list = [...state.daemonsets.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const el = $('#daemonsets');
  if (!list.length) {
    el.innerHTML = `<p class="empty">${state.synced.daemonsets ? 'No DaemonSets' : 'Loading…'}${state.namespace ? ` in ${esc(state.namespace)}` : ''}.</p>`;
    el._html = undefined;
    return;
  }
  const podsByOwner = new Map();
  for (const p of state.pods.values()) {
    const uid = controllerOf(p)?.uid;
    if (!uid) continue;
    let pods = podsByOwner.get(uid);
    if (!pods) podsByOwner.set(uid, (pods = []));
    pods.push(p);
  }
  const html = list.map((ds) => dsHTML(ds, podsByOwner.get(ds.metadata.uid) ?? [])).join('');
  if (el._html !== html) el.innerHTML = el._html = html;
}

function bar(label, value, total, cls = '') {
  const pct = total > 0 ? Math.min(100, (value / total) * 100) : 0;
  return `<div class="bar ${cls}"><span class="lbl">${label}</span><span class="track"><span class="fill" style="width:${pct}%"></span></span><span class="val">${value}</span></div>`;
}

function dsHTML(ds, pods) {
  const r = rollout(ds);
  const revs = state.revisions.get(ds.metadata.uid);
  const newest = revs?.newest ? revs.hashes.get(revs.newest) : undefined;
  // Pods of this DaemonSet by revision (old ones still running while it rolls).
  const byRev = new Map();
  for (const p of pods) {
    const pr = podRevision(p);
    const k = pr.rev !== undefined ? `rev ${pr.rev}` : pr.hash || '?';
    const e = byRev.get(k) ?? { n: 0, state: pr.state, rev: pr.rev ?? -1 };
    e.n++;
    byRev.set(k, e);
  }
  const revText = [...byRev.entries()]
    .sort((a, b) => b[1].rev - a[1].rev || (a[0] < b[0] ? -1 : 1))
    .map(
      ([k, e]) =>
        `<span class="revchip rev-${e.state || 'new'}">${esc(k)}${e.state === 'old' ? ' (old)' : ''}: ${e.n}</span>`,
    )
    .join(' ');
  let budget = '';
  if (r.budget !== undefined) {
    const slots = [];
    const n = Math.max(r.budget, r.unavailable);
    for (let i = 0; i < Math.min(n, 20); i++)
      slots.push(`<span class="slot${i < r.unavailable ? ' used' : ''}${i >= r.budget ? ' over' : ''}"></span>`);
    budget = `<div class="budget" data-unavailable="${r.unavailable}" data-budget="${r.budget}"><span class="lbl">unavailable</span>${slots.join('')}<span class="val">${r.unavailable} of ${r.budget} allowed</span></div>`;
  }
  return `<div class="ds${r.rollingOut ? ' rolling' : ''}" data-ds="${esc(keyOf(ds))}" style="--owner:${colourOf(keyOf(ds))}">
<div class="dshead"><span class="swatch"></span><b>${esc(ds.metadata.name)}</b><span class="ns">${esc(ds.metadata.namespace)}</span>${r.rollingOut ? `<span class="rollbadge">rolling out${newest !== undefined ? ` → rev ${newest}` : ''}</span>` : ''}</div>
<div class="strategy">${esc(strategyText(ds))}</div>
${bar('desired', r.desired, r.desired)}${bar('current', r.current, r.desired)}${bar('ready', r.ready, r.desired)}${bar('updated', r.updated, r.desired, 'updated')}${bar('available', r.available, r.desired)}
${budget}<div class="revs">${revText}</div></div>`;
}

function renderEvents() {
  dirty.events = false;
  const list = newestEvents([...state.events.values()], 100);
  const now = Date.now();
  $('#events').innerHTML = list.length
    ? list
        .map((e) => {
          const io = e.involvedObject ?? {};
          const t = e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp;
          return `<li class="ev ${e.type === 'Warning' ? 'warning' : ''}"><time title="${esc(t)}">${esc(age(t, now))}</time><b>${esc(e.reason)}</b> <span class="obj">${esc(io.kind)}/${esc(io.name)}</span>${(e.count ?? 1) > 1 ? ` <span class="count">×${e.count}</span>` : ''}<div class="msg">${esc(e.message)}</div></li>`;
        })
        .join('')
    : `<li class="empty">${state.synced.events ? 'No events' : 'Loading…'}</li>`;
}

function kv(obj) {
  const entries = Object.entries(obj ?? {});
  return entries.length ? entries.map(([k, v]) => `<code>${esc(k)}=${esc(v)}</code>`).join(' ') : '<i>none</i>';
}

function renderDetails() {
  dirty.details = false;
  const el = $('#details');
  const sel = state.selected;
  if (!sel) {
    el.innerHTML = '<p class="empty">Click a node or a pod for its labels, taints and conditions.</p>';
    return;
  }
  if (sel.node !== undefined) {
    const n = state.nodes.get(sel.node);
    if (!n) {
      el.innerHTML = `<p class="empty">Node ${esc(sel.node)} is not listed.</p>`;
      return;
    }
    const conds = (n.status?.conditions ?? []).map(
      (c) => `<tr><td>${esc(c.type)}</td><td>${esc(c.status)}</td><td>${esc(c.reason)}</td></tr>`,
    );
    const taints = (n.spec?.taints ?? []).map(
      (t) => `<code>${esc(t.key)}${t.value ? `=${esc(t.value)}` : ''}:${esc(t.effect)}</code>`,
    );
    el.innerHTML = `<h3>Node ${esc(n.metadata.name)}</h3>
<p>${esc(nodeReady(n))}${n.spec?.unschedulable ? ' · <b>cordoned</b>' : ''} · age ${esc(age(n.metadata.creationTimestamp))}</p>
<h4>Labels</h4><p class="kv">${kv(n.metadata.labels)}</p>
<h4>Taints</h4><p class="kv">${taints.join(' ') || '<i>none</i>'}</p>
<h4>Conditions</h4><table>${conds.join('')}</table>
<h4>Allocatable</h4><p class="kv">${kv(n.status?.allocatable)}</p>`;
    return;
  }
  const pod = state.pods.get(sel.pod);
  if (!pod) {
    el.innerHTML = `<p class="empty">Pod ${esc(sel.pod)} is gone.</p>`;
    return;
  }
  const owner = controllerOf(pod);
  const rev = podRevision(pod);
  const conts = (pod.status?.containerStatuses ?? []).map((c) => {
    const st = Object.entries(c.state ?? {})[0];
    return `<tr><td>${esc(c.name)}</td><td>${esc(st?.[0])}${st?.[1]?.reason ? ` (${esc(st[1].reason)})` : ''}</td><td>${c.ready ? 'ready' : 'not ready'}</td><td>${esc(c.image)}</td></tr>`;
  });
  el.innerHTML = `<h3>Pod ${esc(pod.metadata.name)}</h3>
<p>${esc(podStatus(pod))} · ${esc(pod.metadata.namespace)} · node ${esc(pod.spec?.nodeName || '(none)')} · age ${esc(age(pod.metadata.creationTimestamp))}</p>
<p>Owner: ${owner ? `${esc(owner.kind)}/${esc(owner.name)}` : '<i>none</i>'}${rev.hash ? ` · revision ${rev.rev ?? '?'} (<code>${esc(rev.hash)}</code>${rev.state ? `, ${rev.state}` : ''})` : ''}</p>
<h4>Labels</h4><p class="kv">${kv(pod.metadata.labels)}</p>
<h4>Containers</h4><table>${conts.join('') || '<tr><td><i>no status yet</i></td></tr>'}</table>`;
}

// ---- controls ----

async function loadNamespaces() {
  try {
    const list = await getJSON('/api/v1/namespaces');
    const names = (list.items ?? []).map((n) => n.metadata.name).sort();
    if (state.namespace && !names.includes(state.namespace)) names.push(state.namespace);
    const sel = $('#namespace');
    const opts = ['<option value="">All namespaces</option>', ...names.map((n) => `<option>${esc(n)}</option>`)];
    const html = opts.join('');
    if (sel._html !== html) {
      sel._html = html;
      sel.innerHTML = html;
    }
    sel.value = state.namespace;
  } catch {
    // the informers show why
  }
}

function setupControls() {
  const nsSel = $('#namespace');
  nsSel.addEventListener('focus', loadNamespaces);
  nsSel.addEventListener('change', () => {
    state.namespace = nsSel.value;
    sessionStorage.setItem('kube-emulator.ns', state.namespace);
    state.selected = undefined;
    startInformers(['pods', 'daemonsets', 'events']);
  });
  for (const [id, field, kind] of [
    ['#pod-selector', 'podSelector', 'pods'],
    ['#node-selector', 'nodeSelector', 'nodes'],
  ]) {
    const input = $(id);
    let timer;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const v = input.value.trim();
        if (v === state[field]) return;
        state[field] = v;
        startInformers([kind]);
      }, 300);
    });
  }
  $('#grid').addEventListener('scroll', () => invalidate('grid'), { passive: true });
  window.addEventListener('resize', () => invalidate('grid'));
  $('#overview').addEventListener('click', (e) => {
    if (!overviewLayout) return;
    const { across, perRow, rowH, cols } = overviewLayout;
    const i = Math.floor(e.offsetY / OVERVIEW_CELL) * across + Math.floor(e.offsetX / OVERVIEW_CELL);
    if (i >= cols.length) return;
    $('#grid').scrollTop = Math.floor(i / perRow) * rowH;
    if (cols[i].node) state.selected = { node: cols[i].name };
    for (const c of cards.values()) c._html = undefined;
    invalidate('grid', 'details');
  });
  $('#grid').addEventListener('click', (e) => {
    const pod = e.target.closest('.pod');
    const card = e.target.closest('.node');
    if (pod) state.selected = { pod: pod.dataset.pod };
    else if (card?.dataset.node) state.selected = { node: card.dataset.node };
    else return;
    for (const c of cards.values()) c._html = undefined;
    invalidate('grid', 'details');
  });

  const dialog = $('#login');
  auth.onUnauthorized = () => {
    if (!dialog.open) dialog.showModal();
  };
  $('#login form').addEventListener('submit', () => {
    auth.token = $('#token').value.trim();
    $('#token').value = '';
    loadNamespaces();
  });
  $('#token-button').addEventListener('click', () => dialog.showModal());
  $('#forget').addEventListener('click', () => {
    auth.token = '';
    dialog.close();
  });
  $('#legend').innerHTML =
    LEGEND.map(([label, cls]) => `<span class="chip ${cls}">${esc(label)}</span>`).join('') +
    '<span class="chip s-Ready rev-old">old revision</span>';
  setInterval(() => invalidate('events'), 5000); // ages
}

setupControls();
// The nodes first: they are the columns, drawn as soon as they are listed; the pods (usually the largest list),
// DaemonSets and events follow, rather than sharing the server's time with the node list.
startInformers(['nodes']);
Promise.race([nodesListed, new Promise((resolve) => setTimeout(resolve, 1000))]).then(() => {
  startInformers(['pods', 'daemonsets', 'events']);
  loadNamespaces();
});
