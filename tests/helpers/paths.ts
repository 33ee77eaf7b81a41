import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this compiled file (dist/tests/helpers/ → ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `../shared` beside the repository: the chapter, the notes and the upstream OpenAPI documents. */
export const SHARED_DIR = resolve(REPO_ROOT, '..', 'shared');

export function sharedFile(...parts: string[]): string | undefined {
  const p = join(SHARED_DIR, ...parts);
  return existsSync(p) ? p : undefined;
}

/** The compiled entry points tests start as processes. */
export const SERVER_MAIN = join(REPO_ROOT, 'dist', 'server', 'main.js');
