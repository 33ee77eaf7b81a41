/**
 * Timestamps as metav1 serializes them (k8s.io/apimachinery/pkg/apis/meta/v1 time.go, micro_time.go): always
 * UTC, `Z`-suffixed, truncated (never rounded) to the precision. Times are a Date or milliseconds since the epoch.
 */

function iso(t: Date | number): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString();
}

/** The second {@link rfc3339} formatted last, and its text: most writes of a second stamp the same time. */
let lastSecond = Number.NaN;
let lastText = '';

/** metav1.Time: RFC 3339 with second precision (`2024-01-02T03:04:05Z`). */
export function rfc3339(t: Date | number): string {
  // a number is a time value as Date takes it (truncated to whole milliseconds)
  const second = Math.floor((typeof t === 'number' ? Math.trunc(t) : t.getTime()) / 1000);
  if (second === lastSecond) return lastText;
  // toISOString always ends in `.sssZ` (and throws on an invalid time, which is never cached: NaN ≠ NaN).
  const text = `${iso(t).slice(0, -5)}Z`;
  lastSecond = second;
  lastText = text;
  return text;
}

/** metav1.MicroTime: RFC 3339 with microseconds (`2024-01-02T03:04:05.678000Z`). */
export function rfc3339Micro(t: Date | number): string {
  return `${iso(t).slice(0, -1)}000Z`;
}
