/**
 * Timestamps as metav1 serializes them (k8s.io/apimachinery/pkg/apis/meta/v1 time.go, micro_time.go): always
 * UTC, `Z`-suffixed, truncated (never rounded) to the precision. Times are a Date or milliseconds since the epoch.
 */

function iso(t: Date | number): string {
  return (typeof t === 'number' ? new Date(t) : t).toISOString();
}

/** metav1.Time: RFC 3339 with second precision (`2024-01-02T03:04:05Z`). */
export function rfc3339(t: Date | number): string {
  // toISOString always ends in `.sssZ`.
  return `${iso(t).slice(0, -5)}Z`;
}

/** metav1.MicroTime: RFC 3339 with microseconds (`2024-01-02T03:04:05.678000Z`). */
export function rfc3339Micro(t: Date | number): string {
  return `${iso(t).slice(0, -1)}000Z`;
}
