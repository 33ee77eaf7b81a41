import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childEnv, EXTRA_CA_CERTS, managerUsesDefaultTrust, serverUsesDefaultTrust } from '../../../cli/child-env.js';

describe('childEnv', () => {
  const base = { PATH: '/usr/bin', [EXTRA_CA_CERTS]: '/etc/ssl/certs/ca-certificates.crt' };
  it('leaves NODE_EXTRA_CA_CERTS out of a process that never verifies against the default trust', () => {
    assert.deepEqual(childEnv({ KUBE_EMULATOR_SUPERVISED: '1' }, false, base), {
      PATH: '/usr/bin',
      KUBE_EMULATOR_SUPERVISED: '1',
    });
  });
  it('keeps it for one that may', () => {
    assert.deepEqual(childEnv({ A: 'b' }, true, base), { ...base, A: 'b' });
  });
  it('never changes the environment it starts from', () => {
    childEnv({ A: 'b' }, false, base);
    assert.equal(base[EXTRA_CA_CERTS], '/etc/ssl/certs/ca-certificates.crt');
    assert.equal('A' in base, false);
  });
  it('starts from the process environment by default', () => {
    const env = childEnv({}, true);
    assert.equal(env.PATH, process.env.PATH);
  });
});

describe('which process may verify a TLS peer against the default trust', () => {
  it('the API server: only with an etcd over https', () => {
    assert.equal(serverUsesDefaultTrust({ storage: 'level' }), false);
    assert.equal(serverUsesDefaultTrust({ storage: 'etcd', etcdServers: ['http://127.0.0.1:2379'] }), false);
    assert.equal(
      serverUsesDefaultTrust({ storage: 'etcd', etcdServers: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'] }),
      true,
    );
  });
  it("the controller manager: only with a serving certificate of one's own (no CA in its kubeconfig)", () => {
    assert.equal(managerUsesDefaultTrust({}), false);
    assert.equal(managerUsesDefaultTrust({ tlsCertFile: '/etc/tls/server.crt' }), true);
  });
});
