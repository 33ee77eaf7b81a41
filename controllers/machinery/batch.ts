/**
 * How controllers issue many creations (controller_utils.go): slow-start batches, and the one create error that
 * is not worth reporting (the namespace is going away).
 */

/**
 * Runs `fn` for `count` items in batches of 1, 2, 4, ... (slowStartBatch), all calls of a batch concurrently,
 * stopping after the first batch with a failure. `fn` reports success. Returns the number of calls made.
 */
export async function slowStartBatch(
  count: number,
  initial: number,
  fn: (i: number) => Promise<boolean>,
): Promise<{ attempted: number; failed: boolean }> {
  let pos = 0;
  let batch = Math.min(count, initial);
  while (pos < count) {
    const results = await Promise.all(Array.from({ length: batch }, (_, k) => fn(pos + k)));
    pos += batch;
    if (results.some((ok) => !ok)) return { attempted: pos, failed: true };
    batch = Math.min(2 * batch, count - pos);
  }
  return { attempted: pos, failed: false };
}

/** Whether an API error says the namespace is being terminated (no point creating anything in it). */
export function isNamespaceTerminating(err: unknown): boolean {
  const causes =
    (err as { status?: { details?: { causes?: Array<{ reason?: string; type?: string }> } } })?.status?.details
      ?.causes ?? [];
  return causes.some((c) => c.reason === 'NamespaceTerminating' || c.type === 'NamespaceTerminating');
}
