/** Shared clock and timestamp helpers for the printer tests. */

/** The fixed "now" every printer test renders against. */
export const NOW = new Date('2024-05-01T12:00:00Z');

/** RFC 3339 timestamp `ms` milliseconds before {@link NOW} (negative = in the future). */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString();
}

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
