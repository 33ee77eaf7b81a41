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

/**
 * A manifest of the DaemonSets chapter: the book's own file, verbatim, from `../shared/seed/` when it is beside the
 * checkout, else the project's version of it in `examples/` (same objects, written for this repository), so that a
 * clone of this repository alone runs the chapter's tests too.
 */
export function chapterManifest(name: 'fluentd.yaml' | 'nginx-fast-storage.yaml'): string {
  return sharedFile('seed', name) ?? join(REPO_ROOT, 'examples', name);
}

/** The first container image a manifest names. */
export function manifestImage(text: string): string {
  const m = /^\s*image:\s*(\S+)/m.exec(text);
  if (!m) throw new Error('the manifest names no image');
  return m[1]!;
}

/** The compiled entry points tests start as processes. */
export const SERVER_MAIN = join(REPO_ROOT, 'dist', 'server', 'main.js');
