/**
 * Age rendering as kube-apiserver does it (apimachinery `duration.HumanDuration` and the printers'
 * `translateTimestampSince`): about two significant figures, integer truncation at every step.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Go's `metav1.Time{}` zero value as JSON; upstream treats it like a missing timestamp. */
const GO_ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/**
 * Formats a duration in milliseconds like `HumanDuration`:
 * below -1 s `<invalid>` (clock skew of up to 2 s reads as `0s`), `<120s` → `Ns`, `<10m` → `Nm` or `NmSs`,
 * `<3h` → `Nm`, `<8h` → `Nh` or `NhMm`, `<48h` → `Nh`, `<8d` → `Nd` or `NdHh`, `<2y` → `Nd`,
 * `<8y` → `Ny` or `NyDd`, else `Ny` (a year is 365 days).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;

  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;

  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

/**
 * Parses an RFC 3339 timestamp; `undefined` when missing, unparseable or Go's zero time
 * (`0001-01-01T00:00:00Z`), all of which upstream prints as `<unknown>`.
 */
export function parseTimestamp(ts: string | null | undefined): number | undefined {
  if (ts === null || ts === undefined || ts === '') return undefined;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME_MS) return undefined;
  return ms;
}

/**
 * Age of a timestamp at `now`: `<unknown>` without a (valid) timestamp, `<invalid>` more than a second in
 * the future, `0s` for up to two seconds of skew, else {@link humanDuration} of `now - ts`.
 */
export function translateTimestampSince(ts: string | null | undefined, now: Date): string {
  const ms = parseTimestamp(ts);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}

/** Unit sizes in milliseconds used by {@link humanDuration} (a year is 365 days); handy for callers and tests. */
export const DURATION_UNITS = { SECOND, MINUTE, HOUR, DAY, YEAR } as const;
