import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory (under `parent`, the OS temp dir by default); `remove()` deletes it. */
export function tempDir(prefix = 'kube-emu-', parent = tmpdir()): { path: string; remove(): void } {
  const path = mkdtempSync(join(parent, prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Runs `fn` with a fresh temporary directory's path, then removes the directory. */
export async function inTempDir(fn: (dir: string) => Promise<void>, prefix?: string): Promise<void> {
  const dir = tempDir(prefix);
  try {
    await fn(dir.path);
  } finally {
    dir.remove();
  }
}
