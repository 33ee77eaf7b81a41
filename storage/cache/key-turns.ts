/**
 * Writes to one key, one at a time. Two updates of the same object that overlap in this process would both read
 * the same current state, both compute their change, and one would lose the comparison in the batch and do all
 * its work again (and wait for another batch). Under load that feeds on itself: the slower the writes, the more
 * overlap, the more work repeated. Taking turns per key gives the same results (the second sees the first's
 * outcome, as its retry would have) without the wasted round. Writes of other processes (several API servers on
 * etcd) still meet as conflicts, and are retried as before.
 */
export class KeyTurns {
  /** The end of the last queued turn of each key with a turn running or waiting. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every turn queued before on `key` has ended (however it ended); settles as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before ? before.then(fn) : fn();
    const tail = result.then(ignore, ignore);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a turn running or waiting (for tests). */
  get size(): number {
    return this.tails.size;
  }
}

function ignore(): void {}
