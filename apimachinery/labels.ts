/**
 * Labels and label selectors, the one implementation both processes use (k8s.io/apimachinery/pkg/labels:
 * selector.go's requirements, parser and matching, labels.go's formatting; pkg/apis/meta/v1 helpers.go's
 * LabelSelectorAsSelector and FormatLabelSelector, and its validation package's ValidateLabels and
 * ValidateLabelSelector). The API server parses `labelSelector` query values and validates selectors with it,
 * its printers format labels and selectors, and the controllers turn metav1.LabelSelectors and node affinity
 * terms (Gt, Lt) into selectors. Error texts are upstream's, so a 400 built from `err.message` reads exactly
 * like kube-apiserver's.
 */
import {
  child,
  fieldErr,
  fieldErrorString,
  goStringSlice,
  index,
  invalidRendered,
  key as keyPath,
  type FieldError,
} from './field-errors.js';
import { isObj } from './objects.js';
import { isLabelValueValid, isQualifiedName, isQualifiedNameValid, isValidLabelValue } from './validation.js';

/** Operators of a label requirement, spelled as upstream's `selection.Operator`. */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One label requirement; `values` are sorted and de-duplicated when parsed from a string. */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/**
 * Thrown for an unparseable/invalid label selector or requirement; `message` is upstream's error text (e.g.
 * `unable to parse requirement: ...`).
 */
export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

const BINARY_OPERATORS = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'] as const;
const ALL_OPERATORS = [...BINARY_OPERATORS, 'exists', '!'];

/** strconv.ParseInt(s, 10, 64): the value, or null when `s` is not a decimal int64. */
function int64(s: string): bigint | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  const v = BigInt(s);
  return v > 9223372036854775807n || v < -9223372036854775808n ? null : v;
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const val = has ? labels[r.key]! : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(val!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(val!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const l = int64(val!);
      const rv = int64(r.values[0]!);
      if (l === null || rv === null) return false;
      return r.operator === 'gt' ? l > rv : l < rv;
    }
  }
}

/** Upstream's Requirement.String(): `!k`, `k`, `k=v`, `k in (a,b)` (values sorted for output). */
export function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  const ops: Partial<Record<SelectorOperator, string>> = {
    '=': '=',
    '==': '==',
    '!=': '!=',
    in: ' in ',
    notin: ' notin ',
    gt: '>',
    lt: '<',
  };
  if (r.operator === 'exists' || r.operator === '!') return s;
  s += ops[r.operator] ?? '';
  const vals = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

/** A parsed label selector. `matches` follows upstream semantics (NotIn/!= match when the key is absent). */
export class LabelSelector {
  private constructor(
    /** Requirements sorted by key (stable), as upstream stores them. */
    readonly requirements: readonly Requirement[],
    private readonly nothing: boolean,
  ) {}

  /** A selector from requirements (sorted by key); no requirements means "everything". */
  static of(reqs: readonly Requirement[]): LabelSelector {
    return new LabelSelector(
      [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
      false,
    );
  }
  /** Matches every object. */
  static everything(): LabelSelector {
    return new LabelSelector([], false);
  }
  /** Matches no object (what a nil metav1.LabelSelector converts to). */
  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  /** True when the selector does not restrict anything (false for `nothing()`). */
  get empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }
  /** True only for the `nothing()` selector. */
  get matchesNothing(): boolean {
    return this.nothing;
  }
  /** Whether the labels (absent = no labels) satisfy every requirement. */
  matches(labels: Record<string, string> | undefined | null): boolean {
    if (this.nothing) return false;
    const l = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, l));
  }
  /** The single value `label` must have (`=`, `==`, or `in` with one value), else undefined. */
  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((x) => x.key === label);
    if (!r || !['=', '==', 'in'].includes(r.operator) || r.values.length !== 1) return undefined;
    return r.values[0];
  }
  /** Upstream's String(): requirements joined with ',' (`''` for everything and nothing). */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

function aggregate(errs: FieldError[]): string {
  const msgs = [...new Set(errs.map(fieldErrorString))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

function labelKeyError(k: string, path: string): FieldError | null {
  const errs = isQualifiedName(k);
  return errs.length ? fieldErr.invalid(path, k, errs.join('; ')) : null;
}

/**
 * Upstream's NewRequirement checks; returns the problems as field errors (paths relative to `path`). `null`
 * values are Go's nil slice (printed `[]string(nil)`), as the metav1 conversions pass an empty list.
 */
function requirementErrors(k: string, op: SelectorOperator, values: readonly string[] | null, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  const ke = labelKeyError(k, child(path, 'key'));
  if (ke) errs.push(ke);
  const vp = child(path, 'values');
  const list = goStringSlice(values);
  const vals = values ?? [];
  switch (op) {
    case 'in':
    case 'notin':
      if (vals.length === 0)
        errs.push(invalidRendered(vp, list, vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1)
        errs.push(invalidRendered(vp, list, vals, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0)
        errs.push(invalidRendered(vp, list, vals, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1)
        errs.push(invalidRendered(vp, list, vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (int64(v) === null)
          errs.push(fieldErr.invalid(index(vp, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(fieldErr.notSupported(child(path, 'operator'), op, ALL_OPERATORS));
  }
  vals.forEach((v, i) => {
    const m = isValidLabelValue(v);
    if (m.length) errs.push(fieldErr.invalid(keyPath(index(vp, i), k), v, m.join('; ')));
  });
  return errs;
}

/**
 * labels.NewRequirement: a requirement after upstream's checks of the key, the operator's arity (Gt and Lt: one
 * integer) and every value. `null` values are Go's nil slice. Throws SelectorParseError with the aggregated
 * field errors, e.g. `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`.
 */
export function newRequirement(k: string, op: SelectorOperator, values: readonly string[] | null): Requirement {
  const errs = requirementErrors(k, op, values);
  if (errs.length) throw new SelectorParseError(aggregate(errs));
  return { key: k, operator: op, values: values ?? [] };
}

// ---- label selector lexer/parser (same token rules and messages as upstream) ----

type Tok = 'err' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
const TOKENS: Record<string, Tok> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};
const isSpecial = (c: string) => '=!(),><'.includes(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Array<[Tok, string]> {
  const out: Array<[Tok, string]> = [];
  let pos = 0;
  const at = () => (pos < s.length && s[pos] !== '\0' ? s[pos]! : '');
  for (;;) {
    while (at() && isSpace(at())) pos++;
    const c = at();
    if (!c) {
      out.push(['eos', '']);
      return out;
    }
    if (isSpecial(c)) {
      let buf = '';
      let last: [Tok, string] | null = null;
      while (at() && isSpecial(at())) {
        buf += at();
        const t = TOKENS[buf];
        if (t) {
          last = [t, buf];
          pos++;
        } else if (last) break;
        else pos++;
      }
      out.push(last ?? ['err', `error expected: keyword found '${buf}'`]);
    } else {
      let buf = '';
      while (at() && !isSpecial(at()) && !isSpace(at())) buf += s[pos++];
      out.push(buf === 'in' || buf === 'notin' ? [TOKENS[buf]!, buf] : ['id', buf]);
    }
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Array<[Tok, string]>) {}
  private get(ctxValues: boolean, advance: boolean): [Tok, string] {
    const [t, l] = this.items[this.pos]!;
    if (advance) this.pos++;
    return [ctxValues && (t === 'in' || t === 'notin') ? 'id' : t, l];
  }
  look(values = true) {
    return this.get(values, false);
  }
  take(values = true) {
    return this.get(values, true);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const [tok, lit] = this.look();
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!')
        throw new SelectorParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        throw new SelectorParseError(`unable to parse requirement: ${(e as Error).message}`);
      }
      const [t, l] = this.take();
      if (t === 'eos') return reqs;
      if (t !== ',') throw new SelectorParseError(`found '${l}', expected: ',' or 'end of string'`);
      const [t2, l2] = this.look();
      if (t2 !== 'id' && t2 !== '!') throw new SelectorParseError(`found '${l2}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let [tok, lit] = this.take();
    let op: SelectorOperator | '' = '';
    if (tok === '!') {
      op = '!';
      [tok, lit] = this.take();
    }
    if (tok !== 'id') throw new Error(`found '${lit}', expected: identifier`);
    const keyErr = labelKeyError(lit, '<nil>');
    if (keyErr) throw new Error(fieldErrorString(keyErr));
    const k = lit;
    const [next] = this.look();
    if ((next === 'eos' || next === ',') && op !== '!') op = 'exists';
    if (op === 'exists' || op === '!') return newRequirement(k, op, []);
    const [otok, olit] = this.take(false);
    const opMap: Partial<Record<Tok, SelectorOperator>> = {
      in: 'in',
      '=': '=',
      '==': '==',
      '>': 'gt',
      '<': 'lt',
      notin: 'notin',
      '!=': '!=',
    };
    const binOp = opMap[otok];
    if (!binOp) throw new Error(`found '${olit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = binOp === 'in' || binOp === 'notin' ? this.values() : this.exactValue();
    return newRequirement(k, binOp, [...values].sort());
  }

  private values(): Set<string> {
    const [tok, lit] = this.take();
    if (tok !== '(') throw new Error(`found '${lit}' expected: '('`);
    const [t2, l2] = this.look();
    if (t2 === ')') {
      this.take();
      return new Set(['']);
    }
    if (t2 !== 'id' && t2 !== ',') throw new Error(`found '${l2}', expected: ',', ')' or identifier`);
    const s = this.identifiers();
    if (this.take()[0] !== ')') throw new Error(`found '${l2}', expected: ')'`);
    return s;
  }

  private identifiers(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const [tok, lit] = this.take();
      if (tok === 'id') {
        s.add(lit);
        const [t2, l2] = this.look();
        if (t2 === ',') continue;
        if (t2 === ')') return s;
        throw new Error(`found '${l2}', expected: ',' or ')'`);
      } else if (tok === ',') {
        if (s.size === 0) s.add('');
        const [t2] = this.look();
        if (t2 === ')') {
          s.add('');
          return s;
        }
        if (t2 === ',') s.add('');
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const [t] = this.look();
    if (t === 'eos' || t === ',') return new Set(['']);
    const [tok, lit] = this.take();
    if (tok === 'id') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a `labelSelector` query value (`a=b,c!=d,e in (f,g),!h,i`). Whitespace around tokens is ignored;
 * an empty string gives the everything selector. Throws SelectorParseError with upstream's message.
 */
export function parseLabelSelector(s: string): LabelSelector {
  return LabelSelector.of(new Parser(lex(s)).parse());
}

// ---- metav1.LabelSelector (matchLabels / matchExpressions) ----

/** The JSON shape of a metav1.LabelSelectorRequirement (operators In, NotIn, Exists, DoesNotExist). */
export interface LabelSelectorRequirementObject {
  key?: string;
  operator?: string;
  values?: string[] | null;
}

/** The JSON shape of metav1.LabelSelector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

/** metav1.LabelSelectorOperator → the requirement operator (node selectors add `Gt: 'gt'`, `Lt: 'lt'`). */
export const LABEL_SELECTOR_OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** matchLabels and matchExpressions, each empty when absent (or not of its JSON type). */
function parts(sel: LabelSelectorObject): { ml: Record<string, string>; me: LabelSelectorRequirementObject[] } {
  return {
    ml: isObj(sel.matchLabels) ? sel.matchLabels : {},
    me: Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [],
  };
}

/** A present selector with no matchLabels and no matchExpressions: `{}`, which selects everything. */
export function isEmptyLabelSelector(sel: LabelSelectorObject | undefined | null): boolean {
  if (sel == null) return false;
  const { ml, me } = parts(sel);
  return Object.keys(ml).length + me.length === 0;
}

/**
 * metav1.LabelSelectorAsSelector: nil → nothing, `{}` → everything, otherwise the AND of matchLabels
 * (as `=`) and matchExpressions. Throws SelectorParseError (upstream's text) for invalid content; use
 * `validateLabelSelector` to get field errors instead.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined | null): LabelSelector {
  if (sel == null) return LabelSelector.nothing();
  if (isEmptyLabelSelector(sel)) return LabelSelector.everything();
  const { ml, me } = parts(sel);
  const reqs: Requirement[] = [];
  for (const k of Object.keys(ml).sort()) reqs.push(newRequirement(k, '=', [String(ml[k] ?? '')]));
  for (const e of me) {
    const op = LABEL_SELECTOR_OPERATORS[e.operator ?? ''];
    if (!op) throw new SelectorParseError(`${JSON.stringify(e.operator ?? '')} is not a valid label selector operator`);
    // Upstream passes append([]string(nil), values...): nil when there are none.
    reqs.push(newRequirement(e.key ?? '', op, e.values?.length ? [...e.values] : null));
  }
  return LabelSelector.of(reqs);
}

/**
 * metav1.FormatLabelSelector, as `kubectl get` and the Table printers show a selector: the requirements sorted
 * by key and joined with `,` (matchLabels as `k=v`, expressions as `k in (a,b)`, `k notin (a)`, `k`, `!k`,
 * values sorted); `<none>` when it is empty or nil, `<error>` when invalid.
 */
export function formatLabelSelector(sel: LabelSelectorObject | undefined | null): string {
  try {
    return labelSelectorFromObject(sel).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

/** labels.FormatLabels: `k=v` pairs sorted by key and joined with `,`; `<none>` for a missing or empty map. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** Validation of label keys and values in a map (metav1 ValidateLabels): errors at `path` itself. */
export function validateLabels(labels: Record<string, unknown> | undefined | null, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(labels)) return errs;
  const keys = Object.keys(labels);
  const text = (k: string) => (typeof labels[k] === 'string' ? (labels[k] as string) : String(labels[k] ?? ''));
  // Errors come in the keys' order: the keys are sorted only when there is one (every write checks its labels).
  if (keys.every((k) => isQualifiedNameValid(k) && isLabelValueValid(text(k)))) return errs;
  for (const k of keys.sort()) {
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(path, k, m));
    const v = text(k);
    for (const m of isValidLabelValue(v)) errs.push(fieldErr.invalid(path, v, m));
  }
  return errs;
}

/**
 * metav1 ValidateLabelSelector: matchLabels as labels, each matchExpressions entry's operator/values/key.
 * `allowInvalidLabelValueInSelector` skips value checks (upstream's compatibility option).
 */
export function validateLabelSelector(
  sel: LabelSelectorObject | undefined | null,
  path: string,
  opts: { allowInvalidLabelValueInSelector?: boolean } = {},
): FieldError[] {
  if (sel == null) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  (Array.isArray(sel.matchExpressions) ? sel.matchExpressions : []).forEach((e, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const vals = e.values ?? [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (vals.length === 0)
          errs.push(fieldErr.required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (vals.length > 0)
          errs.push(
            fieldErr.forbidden(
              child(p, 'values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        break;
      default:
        errs.push(fieldErr.invalid(child(p, 'operator'), e.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(fieldErr.invalid(child(p, 'key'), e.key ?? '', m));
    if (!opts.allowInvalidLabelValueInSelector) {
      vals.forEach((v, vi) => {
        for (const m of isValidLabelValue(v)) errs.push(fieldErr.invalid(index(child(p, 'values'), vi), v, m));
      });
    }
  });
  return errs;
}
