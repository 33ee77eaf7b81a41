import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// The sources, from dist/tests/unit/apimachinery/ up to the repository root.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The repository folders a source file imports from (relative imports only). */
function importedFolders(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)].map(
    (m) => relative(ROOT, join(ROOT, file, '..', m[1]!)).split('/')[0]!,
  );
}

describe('module boundaries', () => {
  it('apimachinery/ imports nothing else of the project', () => {
    for (const file of sources('apimachinery'))
      assert.deepEqual(
        importedFolders(file).filter((f) => f !== 'apimachinery'),
        [],
        file,
      );
  });
  it('the controller process never imports server/, storage/ or openapi/', () => {
    for (const file of sources('controllers')) {
      assert.deepEqual(
        importedFolders(file).filter((f) => ['server', 'storage', 'openapi'].includes(f)),
        [],
        file,
      );
    }
  });
});
