/**
 * A function of a string remembered per argument, for the values every write asks for again (a quantity, a label
 * key, a timestamp, an Accept header, an image): at most `max` answers, all forgotten at once when that many are kept,
 * so a client that sends ever new strings costs a lookup and nothing more. `keep` says which answers are kept (by
 * default all): an error may be left to be computed again, and a long argument need not take room.
 */
export function boundedMemo<T>(
  fn: (key: string) => T,
  max: number,
  keep: (value: T, key: string) => boolean = () => true,
): (key: string) => T {
  const kept = new Map<string, T>();
  return (key) => {
    if (kept.has(key)) return kept.get(key) as T;
    const value = fn(key);
    if (keep(value, key)) {
      if (kept.size >= max) kept.clear();
      kept.set(key, value);
    }
    return value;
  };
}
