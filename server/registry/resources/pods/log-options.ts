/**
 * The query of `GET .../pods/<name>/log` decoded and validated as kube-apiserver does it: the parameter codec turns
 * the query into a v1 PodLogOptions (Go's conversions: the first value of a repeated parameter; booleans false only
 * for `0`, `f`, `false`; integers by strconv.ParseInt; `sinceTime` by time.Parse(RFC3339)), a value it cannot convert
 * is a 400 with the conversion's error, and ValidatePodLogOptions' errors are a 422 Invalid PodLogOptions.
 */
import type { FieldError } from '../../../../apimachinery/field-errors.js';
import { fieldErr } from '../../../../apimachinery/field-errors.js';
import { errors } from '../../status.js';
import type { QueryParameterDoc } from '../../../../openapi/document.js';
import { goQuote, parseInt64 as parseInt64Bounded } from '../../../../apimachinery/strconv.js';

/** A query string as Fastify parses it. */
type Query = Record<string, string | string[] | undefined>;

/** v1 PodLogOptions, as decoded. Integers keep their decimal text too (validation prints it exactly). */
export interface PodLogOptions {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  insecureSkipTLSVerifyBackend: boolean;
  sinceSeconds?: bigint;
  /** Unix ms (second precision is what reaches the kubelet); Go's zero time for an empty value. */
  sinceTime?: number;
  tailLines?: bigint;
  limitBytes?: bigint;
  stream?: string;
}

/**
 * The query parameters of pods/log as the OpenAPI documents list them: those kube-apiserver documents. `sinceTime`
 * is decoded too but, a metav1.Time rather than a scalar, upstream's documents leave it out, and so do ours;
 * `stream` is refused while its feature gate is off (see validatePodLogOptions), and is not documented either.
 */
export const POD_LOG_QUERY: readonly QueryParameterDoc[] = [
  {
    name: 'container',
    type: 'string',
    description: 'The container to read. May be left out when the pod has exactly one container.',
  },
  { name: 'follow', type: 'boolean', description: 'Keep the response open and stream new lines as they come.' },
  {
    name: 'insecureSkipTLSVerifyBackend',
    type: 'boolean',
    description: "Do not verify the kubelet's serving certificate when reading the log from the node.",
  },
  {
    name: 'limitBytes',
    type: 'integer',
    description: 'Stop after about this many bytes; the last line may be cut short.',
  },
  {
    name: 'previous',
    type: 'boolean',
    description: 'Read the log of the instance of the container that ran before its last restart.',
  },
  {
    name: 'sinceSeconds',
    type: 'integer',
    description: 'Only lines written in the last this many seconds (not together with sinceTime).',
  },
  { name: 'tailLines', type: 'integer', description: 'Only the last this many lines of the log.' },
  { name: 'timestamps', type: 'boolean', description: 'Start every line with its RFC3339 time, to the nanosecond.' },
];

/** Go's zero time.Time in Unix ms (0001-01-01T00:00:00Z). */
export const GO_ZERO_TIME_MS = -62135596800000;

function firstValue(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

/** runtime.Convert_Slice_string_To_bool. */
export function goQueryBool(v: string | undefined): boolean {
  if (v === undefined) return false;
  const l = v.toLowerCase();
  return !(v === '0' || l === 'f' || l === 'false');
}

/** strconv.ParseInt(s, 10, 64), with Go's error texts. */
export function parseInt64(s: string): bigint {
  return parseInt64Bounded(s);
}

export { goQuote };

const RFC3339 = '2006-01-02T15:04:05Z07:00';

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Go's getnum: one or two digits (exactly two when `fixed`). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) {
    if (fixed) return undefined;
    return [s.charCodeAt(0) - 48, s.slice(1)];
  }
  return [(s.charCodeAt(0) - 48) * 10 + (s.charCodeAt(1) - 48), s.slice(2)];
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Go's time.Parse(time.RFC3339, value) — the layout walked element by element so that a bad value gets Go's error
 * text (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`, `...: month out of range`,
 * `...: extra text: "..."`). Returns Unix ms.
 */
export function parseRFC3339(value: string): number {
  const fail = (elem: string, rest: string, message = ''): Error =>
    new Error(
      message
        ? `parsing time ${goQuote(value)}${message}`
        : `parsing time ${goQuote(value)} as ${goQuote(RFC3339)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`,
    );
  let v = value;
  const skip = (prefix: string) => {
    for (const ch of prefix) {
      if (v.length === 0 || v[0] !== ch) throw fail(prefix, v);
      v = v.slice(1);
    }
  };
  // 2006
  if (v.length < 4 || !/^\d{4}/.test(v)) throw fail('2006', v);
  const year = Number(v.slice(0, 4));
  v = v.slice(4);
  const two = (prefix: string, elem: string, fixed: boolean, range: string, max: number, min = 0): number => {
    skip(prefix);
    const hold = v;
    const got = getnum(v, fixed);
    if (!got) throw fail(elem, hold);
    const [n, rest] = got;
    v = rest;
    if (n < min || n > max) throw fail(elem, v, `: ${range} out of range`);
    return n;
  };
  const month = two('-', '01', true, 'month', 12, 1);
  // Any two digits for the day here; the day of that month is checked once the whole value is read.
  const day = two('-', '02', true, 'day', 99, 0);
  const hour = two('T', '15', false, 'hour', 23);
  const minute = two(':', '04', true, 'minute', 59);
  const second = two(':', '05', true, 'second', 59);
  let nanos = 0;
  if (v.length >= 2 && (v[0] === '.' || v[0] === ',') && isDigit(v, 1)) {
    let n = 2;
    while (n < v.length && isDigit(v, n)) n++;
    nanos = Number(v.slice(1, Math.min(n, 10)).padEnd(9, '0'));
    v = v.slice(n);
  }
  // Z07:00
  let offsetMin = 0;
  const hold = v;
  if (v.length >= 1 && v[0] === 'Z') {
    v = v.slice(1);
  } else {
    if (v.length < 6 || v[3] !== ':') throw fail('Z07:00', hold);
    const sign = v[0];
    const hh = getnum(v.slice(1, 3), true);
    const mm = hh ? getnum(v.slice(4, 6), true) : undefined;
    v = v.slice(6);
    // Go checks the ranges before the sign and the digits (the later range error wins).
    if (mm && mm[0] > 60) throw fail('Z07:00', v, ': time zone offset minute out of range');
    if (hh && hh[0] > 24) throw fail('Z07:00', v, ': time zone offset hour out of range');
    if (!hh || !mm || (sign !== '+' && sign !== '-')) throw fail('Z07:00', hold);
    offsetMin = (hh[0] * 60 + mm[0]) * (sign === '-' ? -1 : 1);
  }
  if (v.length > 0) throw fail('', v, `: extra text: ${goQuote(v)}`);
  if (day < 1 || day > daysIn(month, year)) throw fail('', v, ': day out of range');
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(nanos / 1e6) - offsetMin * 60_000;
  // Date.UTC maps years 0-99 to 1900-1999; Go does not.
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(d.getUTCFullYear() - 1900);
    return d.getTime();
  }
  return ms;
}

/** Decodes the query into PodLogOptions; a value that does not convert is a 400 with Go's conversion error. */
export function decodePodLogOptions(q: Query): PodLogOptions {
  const str = (name: string) => firstValue(q, name);
  const int = (name: string): bigint | undefined => {
    const v = str(name);
    if (v === undefined) return undefined;
    try {
      return parseInt64(v);
    } catch (err) {
      throw errors.badRequest((err as Error).message);
    }
  };
  const opts: PodLogOptions = {
    container: str('container') ?? '',
    follow: goQueryBool(str('follow')),
    previous: goQueryBool(str('previous')),
    timestamps: goQueryBool(str('timestamps')),
    insecureSkipTLSVerifyBackend: goQueryBool(str('insecureSkipTLSVerifyBackend')),
  };
  const sinceSeconds = int('sinceSeconds');
  const tailLines = int('tailLines');
  const limitBytes = int('limitBytes');
  if (sinceSeconds !== undefined) opts.sinceSeconds = sinceSeconds;
  if (tailLines !== undefined) opts.tailLines = tailLines;
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  const since = str('sinceTime');
  if (since !== undefined) {
    if (since === '' || since === 'null') opts.sinceTime = GO_ZERO_TIME_MS;
    else {
      try {
        opts.sinceTime = parseRFC3339(since);
      } catch (err) {
        throw errors.badRequest((err as Error).message);
      }
    }
  }
  const stream = str('stream');
  if (stream !== undefined) opts.stream = stream;
  return opts;
}

/**
 * ValidatePodLogOptions of Kubernetes 1.32 (the PodLogsQuerySplitStreams gate off, so `stream` may not be given).
 * Integers are printed as Go prints them.
 */
export function validatePodLogOptions(o: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0n)
    errs.push(fieldErr.invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1n)
    errs.push(fieldErr.invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push({
      type: 'FieldValueForbidden',
      field: '',
      detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1n) {
    errs.push(fieldErr.invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  }
  if (o.stream !== undefined)
    errs.push({ type: 'FieldValueForbidden', field: 'stream', detail: 'may not be specified' });
  return errs;
}

/** The Invalid Status for options that fail validation (kind PodLogOptions, in the core group). */
export function invalidPodLogOptions(name: string, errs: FieldError[]) {
  const err = errors.invalid('', 'PodLogOptions', name, errs);
  // A cause without a field leaves it out (Go's omitempty), as the sinceTime/sinceSeconds one has none.
  for (const c of err.status.details?.causes ?? []) if (c.field === '') delete c.field;
  return err;
}
