// The controller manager alone against an HTTPS API server: `--server https://… --token T --certificate-authority F`
// verifies the server with F and publishes F as kube-root-ca.crt (kube-controller-manager's fallback when no
// --root-ca-file is given); with a CA that did not sign the server's certificate it gets nowhere.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../apimachinery/objects.js';
import { HttpApiClient } from '../../controllers/machinery/client.js';
import { createCA, ensureServingCertificate, servingNames } from '../../server/pki.js';
import { eventually } from '../helpers/kubectl.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startInProcess } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const MAIN = join(REPO_ROOT, 'dist', 'controllers', 'main.js');
const CONFIG_MAPS = { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true };

describe('controller manager over TLS (--server, --certificate-authority)', { timeout: 60_000 }, () => {
  it('verifies the server with the given CA and publishes it as kube-root-ca.crt; a wrong CA gets nowhere', async () => {
    const pki = tempDir();
    const tls = ensureServingCertificate(pki.path, servingNames('127.0.0.1'));
    const srv = await startInProcess({ bearerToken: 'cm-token', tls });
    const url = srv.url.replace(/^http:/, 'https:');
    const caFile = join(pki.path, 'pki', 'ca.crt');
    const wrongCA = join(pki.path, 'wrong-ca.crt');
    writeFileSync(wrongCA, createCA().cert);
    const run = (ca: string) => {
      const proc = spawn(
        process.execPath,
        [MAIN, '--server', url, '--token', 'cm-token', '--certificate-authority', ca, '--log-level', 'info'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      return { proc, output: () => out, exited: once(proc, 'exit') };
    };
    const client = new HttpApiClient({ server: url, token: 'cm-token', ca: tls.ca });
    const wrong = run(wrongCA);
    try {
      await eventually(() => /self-signed|unable to verify|UNABLE_TO|SELF_SIGNED/i.test(wrong.output()), {
        timeoutMs: 20_000,
        what: 'a certificate error in the log',
      });
      assert.equal(wrong.output().includes('cm-token'), false, 'the token is not logged');
      wrong.proc.kill('SIGTERM');
      await wrong.exited;

      const right = run(caFile);
      try {
        const cm = await eventually(
          async () => {
            const list = await client.list<KubeObject & { data?: Record<string, string> }>(CONFIG_MAPS, {
              namespace: 'kube-public',
            });
            return list.items.find((c) => c.metadata.name === 'kube-root-ca.crt');
          },
          { timeoutMs: 20_000, what: 'kube-root-ca.crt in kube-public' },
        );
        assert.equal(cm?.data?.['ca.crt'], tls.ca);
        assert.equal(right.output().includes('cm-token'), false, 'the token is not logged');
      } finally {
        right.proc.kill('SIGTERM');
        const [code] = await right.exited;
        assert.equal(code, 0, right.output().slice(-2000));
      }
    } finally {
      if (wrong.proc.exitCode === null) wrong.proc.kill('SIGKILL');
      client.close();
      await srv.close();
      pki.remove();
    }
  });
});
