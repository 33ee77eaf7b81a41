/** The API server's flags that tune its store: parsed and bounded (cli/cluster-size.ts: what the launcher gives). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, UsageError, usage } from '../../server/flags.js';

describe('--storage-write-buffer-mib', () => {
  it('takes an integer from 1 to 1024 (MiB), in either form, and is absent by default', () => {
    assert.equal(parseFlags([], 'server').storageWriteBufferMiB, undefined);
    assert.equal(parseFlags(['--storage-write-buffer-mib', '16'], 'server').storageWriteBufferMiB, 16);
    assert.equal(parseFlags(['--storage-write-buffer-mib=1024'], 'start').storageWriteBufferMiB, 1024);
    for (const bad of ['0', '1025', '-1', '4.5', 'x', ''])
      assert.throws(() => parseFlags([`--storage-write-buffer-mib=${bad}`], 'server'), UsageError, bad);
  });

  it('is in the usage', () => {
    assert.match(usage('server'), /--storage-write-buffer-mib N/);
  });
});
