/**
 * Node defaulting and validation (pkg/apis/core/v1 defaults and conversion of podCIDR/podCIDRs,
 * pkg/apis/core/validation ValidateNode / ValidateNodeUpdate).
 */
import { child, fieldErr, type FieldError, goQuote, index, renderedError } from '../../../apimachinery/field-errors.js';
import { cidrFamily, isQualifiedName, isValidCIDR, isValidLabelValue } from '../../../apimachinery/validation.js';
import { arr, isObj, obj, sortedKeys, str, type Obj } from './helpers.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateResourceQuantity } from './pod-containers.js';
import { validateTaintEffect } from './pod.js';
import { parseQuantity, quantityError, roundListToMilli } from './quantity.js';
import type { Node, Taint } from './types.js';

const NODE_INFO_FIELDS = [
  'architecture',
  'bootID',
  'containerRuntimeVersion',
  'kernelVersion',
  'kubeProxyVersion',
  'kubeletVersion',
  'machineID',
  'operatingSystem',
  'osImage',
  'systemUUID',
];

/** The node's pod CIDRs as the internal type holds them (podCIDRs, else the single podCIDR). */
export function nodePodCIDRs(node: Node): string[] {
  const spec = obj(node?.spec);
  const list = arr<string>(spec.podCIDRs).map(str);
  if (list.length) return list;
  return str(spec.podCIDR) ? [str(spec.podCIDR)] : [];
}

function canonicalList(list: unknown): void {
  if (isObj(list)) roundListToMilli(list);
}

/**
 * v1 Node defaulting: podCIDR/podCIDRs kept consistent (podCIDR = podCIDRs[0]), capacity/allocatable
 * rounded to milli units in canonical form, allocatable defaulted from capacity, and the zero-valued
 * status structs Go always serializes (daemonEndpoints, nodeInfo).
 */
export function defaultNode(node: Node): Node {
  if (!isObj(node)) return node;
  if (!isObj(node.spec)) node.spec = {};
  const cidrs = nodePodCIDRs(node);
  if (cidrs.length) {
    node.spec.podCIDRs = cidrs;
    node.spec.podCIDR = cidrs[0];
  }
  if (!isObj(node.status)) node.status = {};
  const st = node.status;
  canonicalList(st.capacity);
  canonicalList(st.allocatable);
  if (st.allocatable == null && isObj(st.capacity)) st.allocatable = { ...st.capacity };
  if (!isObj(st.daemonEndpoints)) st.daemonEndpoints = { kubeletEndpoint: { Port: 0 } };
  if (!isObj(st.nodeInfo)) st.nodeInfo = {};
  const info = st.nodeInfo as Obj;
  for (const f of NODE_INFO_FIELDS) info[f] ??= '';
  return node;
}

function renderTaint(t: Taint): string {
  return `core.Taint{Key:${goQuote(str(t.key))}, Value:${goQuote(str(t.value))}, Effect:${goQuote(str(t.effect))}, TimeAdded:${t.timeAdded ? '(*v1.Time)(0xc000000000)' : '(*v1.Time)(nil)'}}`;
}

/** Taints: qualified key, label-like value, required effect, unique (key, effect). Upstream reports them under `metadata.taints`. */
export function validateNodeTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr<Taint>(taints).forEach((raw, i) => {
    const t: Taint = isObj(raw) ? raw : {};
    const p = index(path, i);
    for (const m of isQualifiedName(str(t.key))) errs.push(fieldErr.invalid(child(p, 'key'), str(t.key), m));
    const vm = isValidLabelValue(str(t.value));
    if (vm.length) errs.push(fieldErr.invalid(child(p, 'value'), str(t.value), vm.join(';')));
    errs.push(...validateTaintEffect(str(t.effect), false, child(p, 'effect')));
    const k = `${str(t.effect)}\u0000${str(t.key)}`;
    if (seen.has(k)) {
      errs.push(
        renderedError('FieldValueDuplicate', p, renderTaint(t), t, 'taints must be unique by key and effect pair'),
      );
      return;
    }
    seen.add(k);
  });
  return errs;
}

function nodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  const st = obj(node?.status);
  for (const listName of ['capacity', 'allocatable']) {
    const list = obj(st[listName]);
    for (const k of sortedKeys(list)) {
      const p = child(child('status', listName), k);
      const e = quantityError(list[k] as string | number);
      if (e) errs.push(fieldErr.invalid(p, list[k], e));
      else errs.push(...validateResourceQuantity(k, parseQuantity(list[k] as string | number)!, p));
    }
  }
  return errs;
}

/**
 * ValidateNode: metadata (cluster-scoped, DNS-subdomain name), taints, status capacity/allocatable
 * quantities, and spec pod CIDRs (valid, at most one per IP family, no duplicates).
 */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node?.metadata, {
    namespaced: false,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  errs.push(...validateNodeTaints(node?.spec?.taints, 'metadata.taints'));
  errs.push(...nodeResources(node));
  const cidrs = nodePodCIDRs(node);
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(c).map((m) => fieldErr.invalid(index('spec.podCIDRs', i), c, m))));
  if (cidrs.length > 1) {
    const fams = cidrs.map(cidrFamily);
    if (cidrs.length > 2 || !(fams.includes(4) && fams.includes(6))) {
      errs.push(
        renderedError(
          'FieldValueInvalid',
          'spec.podCIDRs',
          `[]string{${cidrs.map(goQuote).join(', ')}}`,
          cidrs,
          'may specify no more than one CIDR for each IP family',
        ),
      );
    }
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(fieldErr.duplicate(index('spec.podCIDRs', i), c));
      seen.add(c);
    });
  }
  return errs;
}

/**
 * ValidateNodeUpdate: metadata update rules, resources, unique status addresses, podCIDRs and providerID
 * immutable once set, taints, externalID immutable.
 */
export function validateNodeUpdate(node: Node, oldNode: Node): FieldError[] {
  const errs = validateObjectMetaUpdate(node?.metadata, oldNode?.metadata, 'metadata', { kubeFinalizers: true });
  errs.push(...nodeResources(node));
  const seen = new Set<string>();
  arr<Obj>(node?.status?.addresses).forEach((a, i) => {
    const k = `${str(a?.type)}\u0000${str(a?.address)}`;
    if (seen.has(k)) {
      errs.push(
        renderedError(
          'FieldValueDuplicate',
          index('status.addresses', i),
          `core.NodeAddress{Type:${goQuote(str(a?.type))}, Address:${goQuote(str(a?.address))}}`,
          a,
        ),
      );
    }
    seen.add(k);
  });
  const oldCIDRs = nodePodCIDRs(oldNode);
  const newCIDRs = nodePodCIDRs(node);
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCIDRs.length > 0) {
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fieldErr.forbidden('spec.podCIDRs', cidrMsg));
    else oldCIDRs.forEach((c, i) => c !== newCIDRs[i] && errs.push(fieldErr.forbidden('spec.podCIDRs', cidrMsg)));
  }
  const oldProvider = str(oldNode?.spec?.providerID);
  if (oldProvider && oldProvider !== str(node?.spec?.providerID)) {
    errs.push(fieldErr.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateNodeTaints(node?.spec?.taints, 'metadata.taints'));
  if (str(node?.spec?.externalID) !== str(oldNode?.spec?.externalID))
    errs.push(fieldErr.forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
