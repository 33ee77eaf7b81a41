/**
 * Field selectors as the apiserver parses, matches and checks them (k8s.io/apimachinery/pkg/fields/selector.go
 * and the field label conversions). Only the API server parses them; label selectors are apimachinery's
 * (apimachinery/labels.ts). Error texts are upstream's so a 400 built from `err.message` reads exactly like
 * kube-apiserver's.
 */

/** Thrown for an unparseable field selector or an unsupported field label; `message` is upstream's text. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

/** One field requirement (`==` is normalised to `=`, as upstream stores it). */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** Escapes `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
}

function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=')
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=')
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** A parsed field selector; a missing field compares as `''` like upstream's Fields.Get. */
export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  /** True when nothing is required. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  /** Whether every requirement holds for `fields`. */
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
  }
  /** The value `field` must equal (an `=` requirement), else undefined. */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }
  /** Upstream's String(): `f=v` / `f!=v` with escaped values, joined by ','. */
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses a `fieldSelector` query value: terms `f=v`, `f==v`, `f!=v` joined by ',' (values may escape
 * `\,` `\=` `\\`). Terms are sorted like upstream; an empty string selects everything.
 * Throws FieldSelectorError with upstream's message.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const terms: string[] = [];
  if (s.length > 0) {
    let start = 0;
    let inSlash = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (inSlash) inSlash = false;
      else if (c === '\\') inSlash = true;
      else if (c === ',') {
        terms.push(s.slice(start, i));
        start = i + 1;
      }
    }
    terms.push(s.slice(start));
  }
  terms.sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    let split: [string, string, string] | null = null;
    for (let i = 0; i < term.length && !split; i++) {
      for (const op of ['!=', '==', '=']) {
        if (term.startsWith(op, i)) {
          split = [term.slice(0, i), op, term.slice(i + op.length)];
          break;
        }
      }
    }
    if (!split) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${term}'`);
    const value = unescapeFieldValue(split[2]);
    if (split[0] === '' && value === '') continue; // upstream's Transform drops fully-empty terms
    reqs.push({ field: split[0], operator: split[1] === '!=' ? '!=' : '=', value });
  }
  return new FieldSelector(reqs);
}

/**
 * Kinds whose field labels upstream converts with a registered function (unknown labels give
 * `field label not supported: <label>`); other built-in kinds use the default conversion, whose message is
 * `"<label>" is not a known field selector: only "metadata.name", "metadata.namespace"`.
 */
export const FIELD_LABEL_CONVERSION_KINDS: ReadonlySet<string> = new Set([
  'Pod',
  'Node',
  'ReplicationController',
  'Event',
  'Namespace',
  'Secret',
  'Service',
  'ReplicaSet',
  'Job',
  'CertificateSigningRequest',
]);

/**
 * Checks every field label against the resource's supported list, in the selector's (sorted) order, and
 * throws FieldSelectorError with the apiserver's 400 message for the first unsupported one.
 * `kindForMessage` picks the wording: omitted/null (custom resources) or a kind in
 * FIELD_LABEL_CONVERSION_KINDS → `field label not supported: <label>`; any other kind → the default
 * metadata-only message.
 */
export function checkFieldSelectorFields(
  sel: FieldSelector,
  allowed: readonly string[],
  kindForMessage?: string | null,
): void {
  for (const r of sel.requirements) {
    if (allowed.includes(r.field)) continue;
    if (kindForMessage == null || FIELD_LABEL_CONVERSION_KINDS.has(kindForMessage)) {
      throw new FieldSelectorError(`field label not supported: ${r.field}`);
    }
    throw new FieldSelectorError(
      `${JSON.stringify(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
  }
}
