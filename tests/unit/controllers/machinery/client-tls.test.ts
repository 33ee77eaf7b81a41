// The controller manager's client over HTTPS: verified against the CA of the kubeconfig the server writes, with its
// token; a client that does not trust the CA fails the handshake with a transport error (retried like any network
// failure), not an API error.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, HttpApiClient, loadKubeconfig } from '../../../../controllers/machinery/client.js';
import { TransportError } from '../../../../controllers/machinery/transport.js';
import { RESOURCES } from '../../../../controllers/machinery/types.js';
import { writeKubeconfig } from '../../../../server/kubeconfig.js';
import { ensureServingCertificate, servingNames } from '../../../../server/pki.js';
import { startInProcess, type InProcessServer } from '../../../helpers/server.js';
import { tempDir } from '../../../helpers/tmp.js';

describe('HttpApiClient over TLS', () => {
  const pki = tempDir();
  let srv: InProcessServer;
  let url: string;
  let ca: string;

  before(async () => {
    const tls = ensureServingCertificate(pki.path, servingNames('127.0.0.1'));
    ca = tls.ca;
    srv = await startInProcess({ bearerToken: 'tok', tls });
    url = srv.url.replace(/^http:/, 'https:');
  });
  after(async () => {
    await srv?.close();
    pki.remove();
  });

  it('lists and watches through the written kubeconfig (CA and token)', async () => {
    const path = writeKubeconfig(srv.dataDir, url, 'tok', ca);
    const cfg = loadKubeconfig(path);
    assert.equal(cfg.ca, ca);
    assert.equal(cfg.insecureSkipTLSVerify, undefined);
    const client = HttpApiClient.fromKubeconfig(path);
    try {
      const list = await client.list(RESOURCES.namespaces);
      assert.ok(list.items.some((n) => n.metadata.name === 'default'));
      const abort = new AbortController();
      const seen: string[] = [];
      const watching = (async () => {
        for await (const ev of client.watch(RESOURCES.namespaces, {
          resourceVersion: list.metadata.resourceVersion!,
          signal: abort.signal,
        })) {
          seen.push(`${ev.type} ${ev.object.metadata.name}`);
          abort.abort();
        }
      })();
      await client.create(RESOURCES.namespaces, undefined, { metadata: { name: 'over-tls' } });
      await watching;
      assert.deepEqual(seen, ['ADDED over-tls']);
    } finally {
      client.close();
    }
  });

  it('without the token: 401; without the CA: the handshake fails (TransportError, a TypeError)', async () => {
    const anonymous = new HttpApiClient({ server: url, ca });
    const denied = await anonymous.list(RESOURCES.nodes).catch((e: unknown) => e);
    assert.ok(denied instanceof ApiError && denied.code === 401 && denied.reason === 'Unauthorized');
    anonymous.close();
    const untrusting = new HttpApiClient({ server: url, token: 'tok' });
    const err = await untrusting.list(RESOURCES.nodes).catch((e: unknown) => e);
    assert.ok(err instanceof TransportError && err instanceof TypeError, String(err));
    assert.match(
      String((err.cause as NodeJS.ErrnoException).code),
      /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/,
    );
    assert.equal(String(err.message).includes('tok'), false);
    untrusting.close();
  });
});
