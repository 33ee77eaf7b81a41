/** Loggers for tests and embedding: one that drops everything, one that keeps every record in memory. */
import type { Logger } from './types.js';

/** Drops every record. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** A record kept by a memory logger: the level, message, bindings of its child loggers and the object. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg?: string;
  obj: Record<string, unknown>;
}

/** A logger that appends every record (children included) to `records`. */
export function memoryLogger(
  records: LogRecord[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { records: LogRecord[] } {
  const at =
    (level: LogRecord['level']) =>
    (obj: unknown, msg?: string): void => {
      const fields = obj && typeof obj === 'object' ? (obj as Record<string, unknown>) : { value: obj };
      records.push({ level, msg: msg ?? (typeof obj === 'string' ? obj : undefined), obj: { ...bindings, ...fields } });
    };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => memoryLogger(records, { ...bindings, ...more }),
  };
}
