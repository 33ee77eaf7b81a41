/**
 * Which nodes a DaemonSet runs on (upstream NodeShouldRunDaemonPod with its predicates, component-helpers'
 * node affinity and taint/toleration helpers, AddOrUpdateDaemonPodTolerations). Pure functions of a node and
 * a DaemonSet. Resources and host ports are the scheduler's business and are ignored, as upstream does since
 * daemon pods are scheduled by the default scheduler; node readiness and `spec.unschedulable` are ignored too
 * (only taints count, and the default daemon tolerations cover the condition taints).
 */
import {
  LABEL_SELECTOR_OPERATORS,
  LabelSelector,
  newRequirement,
  SelectorParseError,
  type SelectorOperator,
} from '../../apimachinery/labels.js';
import type {
  DaemonSet,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from './types.js';

/** The verdict for one (node, DaemonSet) pair. */
export interface Placement {
  /** A daemon pod should be created on the node when none runs there. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

/** Taint keys of the node lifecycle and the conditions (core/v1 well_known_taints). */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** The field key matchFields may use (metav1.ObjectNameField). */
export const OBJECT_NAME_FIELD = 'metadata.name';

/** toleration.ToleratesTaint: effect and key match when set (empty = any), then Equal compares values, Exists matches. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[] | undefined,
  tolerations: readonly Toleration[] | undefined,
  filter: (t: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') &&
    (a.operator ?? '') === (b.operator ?? '') &&
    (a.value ?? '') === (b.value ?? '') &&
    (a.effect ?? '') === (b.effect ?? '')
  );
}

/**
 * AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and effect is replaced by
 * `tol` (dropping e.g. its tolerationSeconds); otherwise `tol` is appended. Mutates `spec`.
 */
function addOrUpdateToleration(spec: PodSpec, tol: Toleration): void {
  const current = spec.tolerations ?? [];
  let updated = false;
  const next: Toleration[] = [];
  for (const t of current) {
    if (sameToleration(t, tol)) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return; // already there, unchanged
      next.push({ ...tol });
      updated = true;
      continue;
    }
    next.push(t);
  }
  if (!updated) next.push({ ...tol });
  spec.tolerations = next;
}

/**
 * AddOrUpdateDaemonPodTolerations: every daemon pod tolerates (operator Exists, no tolerationSeconds) the
 * not-ready and unreachable NoExecute taints, the disk/memory/PID-pressure and unschedulable NoSchedule taints,
 * and, with hostNetwork, network-unavailable NoSchedule. Mutates and returns `spec` (clone it first).
 */
export function addDaemonTolerations(spec: PodSpec): PodSpec {
  const add = (key: string, effect: string) => addOrUpdateToleration(spec, { key, operator: 'Exists', effect });
  add(TAINT_NODE_NOT_READY, 'NoExecute');
  add(TAINT_NODE_UNREACHABLE, 'NoExecute');
  add(TAINT_NODE_DISK_PRESSURE, 'NoSchedule');
  add(TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule');
  add(TAINT_NODE_PID_PRESSURE, 'NoSchedule');
  add(TAINT_NODE_UNSCHEDULABLE, 'NoSchedule');
  if (spec.hostNetwork === true) add(TAINT_NODE_NETWORK_UNAVAILABLE, 'NoSchedule');
  return spec;
}

/** core/v1 NodeSelectorOperator → the label requirement operator (node selectors add Gt and Lt). */
const NODE_SELECTOR_OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  ...LABEL_SELECTOR_OPERATORS,
  Gt: 'gt',
  Lt: 'lt',
};

/**
 * A term's matchExpressions as a label selector (component-helpers' nodeSelectorRequirementsAsSelector): each one
 * a labels.NewRequirement, with its checks of the key, the operator's arity and the values.
 */
function nodeSelectorRequirementsAsSelector(exprs: NodeSelectorRequirement[]): LabelSelector {
  return LabelSelector.of(
    exprs.map((e) => {
      const op = NODE_SELECTOR_OPERATORS[e.operator];
      if (!op) throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid node selector operator`);
      return newRequirement(e.key, op, e.values ?? null);
    }),
  );
}

/** One parsed term; `invalid` terms (bad operator, arity or value) match nothing, as upstream's lazy parse errors. */
interface ParsedTerm {
  labels?: LabelSelector;
  fields?: Array<{ key: string; op: 'In' | 'NotIn'; value: string }>;
  invalid: boolean;
}

function parseTerm(term: NodeSelectorTerm): ParsedTerm {
  const out: ParsedTerm = { invalid: false };
  try {
    if ((term.matchExpressions ?? []).length > 0) {
      out.labels = nodeSelectorRequirementsAsSelector(term.matchExpressions!);
    }
  } catch {
    out.invalid = true;
  }
  if ((term.matchFields ?? []).length > 0) {
    out.fields = [];
    for (const f of term.matchFields as NodeSelectorRequirement[]) {
      const values = f.values ?? [];
      if ((f.operator !== 'In' && f.operator !== 'NotIn') || values.length !== 1 || f.key !== OBJECT_NAME_FIELD) {
        out.invalid = true;
        continue;
      }
      out.fields.push({ key: f.key, op: f.operator, value: values[0]! });
    }
  }
  return out;
}

function termMatches(term: ParsedTerm, node: Node): boolean {
  if (term.invalid) return false;
  if (term.labels && !term.labels.matches(node.metadata.labels)) return false;
  const name = node.metadata.name ?? '';
  if (term.fields && name !== '') {
    for (const f of term.fields) if ((f.op === 'In') !== (name === f.value)) return false;
  }
  return true;
}

/** A pod spec's required node placement, parsed once: nodeSelector pairs and required affinity terms. */
interface CompiledAffinity {
  nodeSelector: Array<[string, string]>;
  /** undefined without required node affinity; empty terms are dropped (they match nothing). */
  terms?: ParsedTerm[];
}

function compileAffinity(spec: PodSpec): CompiledAffinity {
  const out: CompiledAffinity = { nodeSelector: Object.entries(spec.nodeSelector ?? {}) };
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required !== undefined && required !== null) {
    out.terms = (required.nodeSelectorTerms ?? [])
      .filter((t) => (t.matchExpressions ?? []).length > 0 || (t.matchFields ?? []).length > 0)
      .map(parseTerm);
  }
  return out;
}

function matchesCompiled(c: CompiledAffinity, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of c.nodeSelector) {
    if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  }
  return c.terms === undefined || c.terms.some((t) => termMatches(t, node));
}

/**
 * Required node affinity (GetRequiredNodeAffinity(pod).Match): every `nodeSelector` pair must be a node label,
 * and when required node affinity is set, at least one of its terms (empty terms match nothing) must match:
 * within a term all matchExpressions (node labels) and matchFields (`metadata.name`, In/NotIn) hold.
 */
export function matchesNodeAffinity(spec: PodSpec, node: Node): boolean {
  return matchesCompiled(compileAffinity(spec), node);
}

/** The pod spec placement is evaluated on: the template spec plus the default daemon tolerations (NewPod). */
export function simulatedPodSpec(ds: DaemonSet, nodeName: string): PodSpec {
  const spec: PodSpec = { ...(ds.spec.template.spec ?? {}) };
  spec.tolerations = [...(spec.tolerations ?? [])];
  addDaemonTolerations(spec);
  spec.nodeName = nodeName;
  return spec;
}

interface CompiledDaemonSet {
  nodeName: string;
  tolerations: Toleration[];
  affinity: CompiledAffinity;
}

/** Per DaemonSet object, what placement needs. Cached objects are frozen and replaced on change, never mutated. */
const compiled = new WeakMap<DaemonSet, CompiledDaemonSet>();
/**
 * The compiled placement by what it is computed from (the template's spec): every status write brings a new DaemonSet object, which finds the same compiled placement here,
 * and with it the per-node answers already known.
 */
const compiledBySpec = new Map<string, CompiledDaemonSet>();
/** Distinct placement specs kept at most (then the map starts again empty). */
const COMPILED_SPECS_KEPT = 256;
/**
 * Per compiled placement and node object, the answer (nodes are replaced on change, never mutated). Keyed by the
 * placement first: a cluster has a few placements and many nodes, and a WeakMap per node (its table included, ~170
 * bytes) cost more than the node's answer itself.
 */
const placements = new WeakMap<CompiledDaemonSet, WeakMap<Node, Placement>>();

/** The three answers placement gives, shared by every node (frozen). */
const RUN: Placement = Object.freeze({ shouldRun: true, shouldContinueRunning: true });
const NEITHER: Placement = Object.freeze({ shouldRun: false, shouldContinueRunning: false });
const ONLY_CONTINUE: Placement = Object.freeze({ shouldRun: false, shouldContinueRunning: true });

function compile(ds: DaemonSet): CompiledDaemonSet {
  let c = compiled.get(ds);
  if (!c) {
    // The whole template spec (one small JSON per DaemonSet object): whatever of it placement reads is in the key.
    const key = JSON.stringify(ds.spec.template.spec ?? {});
    c = compiledBySpec.get(key);
    if (!c) {
      const spec = simulatedPodSpec(ds, '');
      c = {
        nodeName: ds.spec.template.spec?.nodeName ?? '',
        tolerations: spec.tolerations ?? [],
        affinity: compileAffinity(spec),
      };
      if (compiledBySpec.size >= COMPILED_SPECS_KEPT) compiledBySpec.clear();
      compiledBySpec.set(key, c);
    }
    compiled.set(ds, c);
  }
  return c;
}

/**
 * What `ds`'s placement is computed from, as one object: the same object for every DaemonSet object with the same
 * template spec (a status write brings a new DaemonSet object, not a new placement), so that a caller can tell
 * whether what it derived from placement still holds.
 */
export function placementIdentity(ds: DaemonSet): object {
  return compile(ds);
}

const isNoExecute = (t: Taint) => t.effect === 'NoExecute';
const isNoScheduleOrNoExecute = (t: Taint) => t.effect === 'NoExecute' || t.effect === 'NoSchedule';

/**
 * NodeShouldRunDaemonPod. A template `nodeName` naming another node, or a nodeSelector / required node affinity
 * the node does not satisfy → neither. An untolerated NoSchedule taint → no new pod but an existing one stays;
 * an untolerated NoExecute taint → neither. PreferNoSchedule taints never matter. Otherwise both. The
 * DaemonSet must not be mutated afterwards (its parsed form is cached per object).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): Placement {
  const c = compile(ds);
  let known = placements.get(c);
  if (!known) placements.set(c, (known = new WeakMap()));
  let p = known.get(node);
  if (!p) known.set(node, (p = placeOn(node, c)));
  return p;
}

function placeOn(node: Node, c: CompiledDaemonSet): Placement {
  if (c.nodeName !== '' && c.nodeName !== (node.metadata.name ?? '')) return NEITHER;
  if (!matchesCompiled(c.affinity, node)) return NEITHER;
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, c.tolerations, isNoScheduleOrNoExecute) !== undefined) {
    return findUntoleratedTaint(taints, c.tolerations, isNoExecute) === undefined ? ONLY_CONTINUE : NEITHER;
  }
  return RUN;
}
