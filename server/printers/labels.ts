/**
 * Label and label-selector rendering for Table cells, following apimachinery's `labels.FormatLabels`
 * and `metav1.FormatLabelSelector` output rules.
 */

/** A `metav1.LabelSelectorRequirement` as stored. */
export interface LabelSelectorRequirementLike {
  key?: string;
  operator?: string;
  values?: string[] | null;
}

/** A `metav1.LabelSelector` as stored. */
export interface LabelSelectorLike {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementLike[] | null;
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
    name = parts[1];
  } else {
    return false;
  }
  return name.length > 0 && name.length <= 63 && NAME_PART.test(name);
}

function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && (value === '' || NAME_PART.test(value));
}

/** Compares by UTF-16 code units, which equals Go's byte order for the ASCII that label keys allow. */
function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `k=v` pairs sorted by key and joined with `,`; `<none>` for a missing or empty map. */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(byString);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

interface Requirement {
  key: string;
  text: string;
}

/** Builds one requirement's text, or `undefined` when upstream would reject it. */
function requirement(key: string, operator: string, values: string[]): Requirement | undefined {
  if (!isQualifiedName(key)) return undefined;
  if (!values.every(isValidLabelValue)) return undefined;
  const sorted = [...values].sort(byString).join(',');
  switch (operator) {
    case '=':
      return values.length === 1 ? { key, text: `${key}=${values[0]}` } : undefined;
    case 'In':
      return values.length > 0 ? { key, text: `${key} in (${sorted})` } : undefined;
    case 'NotIn':
      return values.length > 0 ? { key, text: `${key} notin (${sorted})` } : undefined;
    case 'Exists':
      return values.length === 0 ? { key, text: key } : undefined;
    case 'DoesNotExist':
      return values.length === 0 ? { key, text: `!${key}` } : undefined;
    default:
      return undefined;
  }
}

/**
 * Renders a label selector like `metav1.FormatLabelSelector`: requirements sorted by key and joined with
 * `,` — matchLabels as `k=v`, expressions as `k in (a,b)`, `k notin (a)`, `k`, `!k` (values sorted);
 * `<none>` for a missing or empty selector, `<error>` when a requirement is invalid.
 */
export function formatLabelSelector(selector: LabelSelectorLike | null | undefined): string {
  if (!selector) return '<none>';
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  const reqs: Requirement[] = [];
  for (const key of Object.keys(matchLabels)) {
    const r = requirement(key, '=', [matchLabels[key]]);
    if (!r) return '<error>';
    reqs.push(r);
  }
  for (const expr of expressions) {
    const r = requirement(expr.key ?? '', expr.operator ?? '', expr.values ?? []);
    if (!r) return '<error>';
    reqs.push(r);
  }
  if (reqs.length === 0) return '<none>';
  // Array.prototype.sort is stable, so equal keys keep matchLabels-then-expressions order.
  reqs.sort((a, b) => byString(a.key, b.key));
  return reqs.map((r) => r.text).join(',');
}
