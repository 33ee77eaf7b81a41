/** Go's time.Duration text (`300ms`, `1m30s`, `-1.5h`), as query parameters and protobuf Durations carry it. */

const UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** The largest time.Duration (int64 nanoseconds, about 292 years). */
const MAX_NANOS = 2 ** 63 - 1;

/** Go's time.ParseDuration, in nanoseconds; undefined where Go returns an error (including overflow). */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  if (text.length > 100) return undefined;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]!]!;
  }
  if (!(total <= MAX_NANOS)) return undefined;
  return Math.round(m[1] === '-' ? -total : total);
}

/** The error Go's time.ParseDuration gives for a text it refuses. */
export function goDurationError(text: string): string {
  const quoted = JSON.stringify(text);
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return `time: missing unit in duration ${quoted}`;
  const unit = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)([^\d.]+)/.exec(text);
  if (unit && !(unit[1]! in UNITS)) return `time: unknown unit ${JSON.stringify(unit[1])} in duration ${quoted}`;
  return `time: invalid duration ${quoted}`;
}
