/**
 * Label matching as the controller needs it, without the server's parser (the controller process never imports
 * server/): metav1.LabelSelector → a predicate (LabelSelectorAsSelector), and the single requirements node
 * affinity is built from (labels.Requirement with In, NotIn, Exists, DoesNotExist, Gt, Lt).
 */
import type { LabelSelector } from './types.js';

/** A parsed requirement: `values` already checked for the operator. */
export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values: string[];
}

/** A label predicate. `empty` is true for the selector that matches everything (`{}`). */
export interface Selector {
  matches(labels: Record<string, string> | undefined): boolean;
  readonly empty: boolean;
}

/** A selector that cannot be parsed: the message says which requirement and why. */
export class SelectorError extends Error {
  override name = 'SelectorError';
}

const INT64 = /^[+-]?\d+$/;

/** strconv.ParseInt(s, 10, 64): a bigint, or undefined when `s` is not a decimal int64. */
export function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n > 9223372036854775807n || n < -9223372036854775808n ? undefined : n;
}

/**
 * Checks a requirement the way labels.NewRequirement does for the operator's arity: In/NotIn need values,
 * Exists/DoesNotExist none, Gt/Lt exactly one integer. `allowed` restricts the operators (label selectors have
 * no Gt/Lt). Throws SelectorError.
 */
export function newRequirement(key: string, operator: string, values: string[] | undefined, allowed: readonly string[]): Requirement {
  const vals = values ?? [];
  if (!allowed.includes(operator)) throw new SelectorError(`${JSON.stringify(operator)} is not a valid label selector operator`);
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) throw new SelectorError(`${key}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length !== 0) throw new SelectorError(`${key}: values set must be empty for exists and does not exist`);
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) throw new SelectorError(`${key}: for 'Gt', 'Lt' operators, exactly one value is required`);
      if (parseInt64(vals[0]!) === undefined) throw new SelectorError(`${key}: for 'Gt', 'Lt' operators, the value must be an integer`);
      break;
  }
  return { key, operator: operator as Requirement['operator'], values: vals };
}

/** Whether a label set satisfies one requirement (absent labels satisfy NotIn and DoesNotExist). */
export function matchRequirement(req: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key]! : '';
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(value);
    case 'NotIn':
      return !has || !req.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const actual = parseInt64(value);
      const bound = parseInt64(req.values[0]!);
      if (actual === undefined || bound === undefined) return false;
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

const LABEL_SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** The selector matching nothing (a nil metav1.LabelSelector). */
export const NOTHING: Selector = { matches: () => false, empty: false };

/**
 * metav1.LabelSelectorAsSelector: null/undefined matches nothing, `{}` everything, otherwise every matchLabels
 * pair and every matchExpressions requirement must hold. Throws SelectorError for a bad operator or arity.
 */
export function labelSelectorAsSelector(sel: LabelSelector | null | undefined): Selector {
  if (sel === null || sel === undefined) return NOTHING;
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, operator: 'In', values: [v] });
  for (const e of sel.matchExpressions ?? []) reqs.push(newRequirement(e.key, e.operator, e.values, LABEL_SELECTOR_OPERATORS));
  return {
    empty: reqs.length === 0,
    matches: (labels) => reqs.every((r) => matchRequirement(r, labels)),
  };
}

/** Whether the selector is the empty `{}` one (selects every pod): the controller refuses to act on it. */
export function isEmptySelector(sel: LabelSelector | null | undefined): boolean {
  if (sel === null || sel === undefined) return false;
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}
