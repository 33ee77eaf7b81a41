/** What a Storage reports; the registry translates each code into the Status the real apiserver sends. */
export type StorageErrorCode =
  | 'KeyNotFound'
  | 'KeyExists'
  | 'Conflict'
  | 'Expired'
  | 'TooLargeResourceVersion'
  | 'TooSlow'
  | 'RequestTooLarge'
  | 'Internal';

export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For 'Expired' and 'TooLargeResourceVersion': the revision the store can serve now. */
  readonly currentRevision?: number;

  constructor(code: StorageErrorCode, key: string, message?: string, currentRevision?: number) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.currentRevision = currentRevision;
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
