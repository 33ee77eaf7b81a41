/**
 * Sizes of the reliability tests. Each has a default that keeps a test file well inside CI's budget on a loaded
 * two-core machine; an environment variable makes it bigger for a soak, e.g.
 * `RELIABILITY_ROUNDS=50 node scripts/run-tests.mjs tests/reliability`.
 */

/** The positive integer in `process.env[name]`, or `fallback` when unset; anything else is an error. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
