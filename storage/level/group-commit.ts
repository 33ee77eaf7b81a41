/**
 * The single in-process writer of a store. Operations are committed in batches, one at a time: while a batch is
 * being synced, newly submitted operations accumulate and go together into the next batch (group commit), so
 * each fsync serves every writer that arrived meanwhile.
 */

/** The result of one operation of a batch. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Commits a batch of operations (in submission order) and returns one outcome per operation. A throw fails
 * every operation of the batch with that error.
 */
export type CommitFn<Op, R> = (ops: readonly Op[]) => Promise<Outcome<R>[]>;

interface Pending<Op, R> {
  op: Op;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** Serializes writes into batches; `submit` is safe to call from any number of concurrent callers. */
export class GroupCommitQueue<Op, R> {
  private queue: Pending<Op, R>[] = [];
  private running: Promise<void> | undefined;

  /**
   * @param commit   called with each batch, never concurrently with itself;
   * @param maxBatch most operations per batch (bounds the size of one synced write).
   */
  constructor(
    private readonly commit: CommitFn<Op, R>,
    private readonly maxBatch = 1000,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be >= 1, got ${maxBatch}`);
  }

  /** Operations submitted and not yet settled. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues `op`; the promise settles with its outcome once its whole batch is committed. */
  submit(op: Op): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      // Start on a microtask, so operations submitted in the same tick share the first batch.
      this.running ??= Promise.resolve().then(() => this.run());
    });
  }

  /** Resolves once every operation submitted so far has settled. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
        let outcomes: Outcome<R>[];
        try {
          outcomes = await this.commit(batch.map((p) => p.op));
        } catch (error) {
          outcomes = batch.map(() => ({ ok: false, error }));
        }
        batch.forEach((p, i) => {
          const outcome = outcomes[i] ?? { ok: false, error: new Error('no outcome for a committed operation') };
          if (outcome.ok) p.resolve(outcome.value);
          else p.reject(outcome.error);
        });
      }
    } finally {
      this.running = undefined;
    }
  }
}
