// Service account token claims and their authentication (server/serviceaccount/claims.ts), as kube-apiserver's
// pkg/serviceaccount claims.go and its JWT authenticator: what a token says, and when the server still accepts it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { authenticateServiceAccountToken, tokenClaims } from '../../../server/serviceaccount/claims.js';
import { TokenSigner } from '../../../server/serviceaccount/jwt.js';

const NOW = new Date('2025-03-01T12:00:00.700Z');
const T = Math.floor(NOW.getTime() / 1000);

const sa: KubeObject = { metadata: { name: 'build', namespace: 'ci', uid: 'sa-uid' } };
const pod: KubeObject = {
  metadata: { name: 'web', namespace: 'ci', uid: 'pod-uid' },
  spec: { serviceAccountName: 'build', nodeName: 'n1' },
};
const node: KubeObject = { metadata: { name: 'n1', uid: 'node-uid' } };
const secret: KubeObject = { metadata: { name: 's', namespace: 'ci', uid: 'secret-uid' } };

/** A reader over a fixed set of stored objects. */
function reader(objects: Record<string, KubeObject>) {
  return async (prefix: string, namespace: string | undefined, name: string) =>
    objects[namespace ? `${prefix}/${namespace}/${name}` : `${prefix}/${name}`];
}
const stored = { 'serviceaccounts/ci/build': sa, 'pods/ci/web': pod, 'nodes/n1': node, 'secrets/ci/s': secret };

describe('tokenClaims', () => {
  const signer = TokenSigner.ephemeral();
  const base = { issuer: signer.issuer, audiences: signer.audiences, now: NOW, expirationSeconds: 3600 };

  it('registered claims in seconds, the subject, a jti, and the kubernetes.io claim', () => {
    const c = tokenClaims({ ...base, serviceAccount: sa });
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...c, jti: 'j' },
      {
        aud: ['https://kubernetes.default.svc.cluster.local'],
        exp: T + 3600,
        iat: T,
        iss: 'https://kubernetes.default.svc.cluster.local',
        jti: 'j',
        'kubernetes.io': { namespace: 'ci', serviceaccount: { name: 'build', uid: 'sa-uid' } },
        nbf: T,
        sub: 'system:serviceaccount:ci:build',
      },
    );
  });

  it('a pod-bound token names the pod and its node; warnafter when extended', () => {
    const c = tokenClaims({
      ...base,
      serviceAccount: sa,
      pod,
      node,
      expirationSeconds: 31536000,
      warnAfterSeconds: 3607,
    });
    assert.deepEqual(c['kubernetes.io'], {
      namespace: 'ci',
      serviceaccount: { name: 'build', uid: 'sa-uid' },
      pod: { name: 'web', uid: 'pod-uid' },
      node: { name: 'n1', uid: 'node-uid' },
      warnafter: T + 3607,
    });
    assert.equal(c.exp, T + 31536000);
    // a node known only by name (the Node object is gone)
    const byName = tokenClaims({ ...base, serviceAccount: sa, pod, node: { metadata: { name: 'n1' } } });
    assert.deepEqual((byName['kubernetes.io'] as any).node, { name: 'n1' });
  });

  it('secret- and node-bound tokens name their object', () => {
    assert.deepEqual((tokenClaims({ ...base, serviceAccount: sa, secret })['kubernetes.io'] as any).secret, {
      name: 's',
      uid: 'secret-uid',
    });
    assert.deepEqual((tokenClaims({ ...base, serviceAccount: sa, node })['kubernetes.io'] as any).node, {
      name: 'n1',
      uid: 'node-uid',
    });
  });
});

describe('authenticateServiceAccountToken', () => {
  const signer = TokenSigner.ephemeral();
  const base = { issuer: signer.issuer, audiences: signer.audiences, now: NOW, expirationSeconds: 3600 };
  const auth = (token: string, objects: Record<string, KubeObject> = stored, now = NOW) =>
    authenticateServiceAccountToken(token, signer, reader(objects), now);

  it('a token of ours identifies its service account: name, uid, groups, credential id', async () => {
    const claims = tokenClaims({ ...base, serviceAccount: sa });
    const r = await auth(signer.sign(claims));
    assert.deepEqual(r, {
      kind: 'user',
      user: {
        username: 'system:serviceaccount:ci:build',
        uid: 'sa-uid',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
      },
    });
  });

  it('a pod-bound token adds the pod and node to the extra attributes, sorted', async () => {
    const r = await auth(signer.sign(tokenClaims({ ...base, serviceAccount: sa, pod, node })));
    assert.equal(r.kind, 'user');
    const extra = r.kind === 'user' ? r.user.extra : {};
    assert.deepEqual(Object.keys(extra), [
      'authentication.kubernetes.io/credential-id',
      'authentication.kubernetes.io/node-name',
      'authentication.kubernetes.io/node-uid',
      'authentication.kubernetes.io/pod-name',
      'authentication.kubernetes.io/pod-uid',
    ]);
    assert.deepEqual(extra['authentication.kubernetes.io/pod-name'], ['web']);
  });

  it('tokens of other issuers, and anything that is not a JWT, are not its business', async () => {
    assert.deepEqual(await auth('s3cret'), { kind: 'unknown' });
    assert.deepEqual(
      await auth(signer.sign({ ...tokenClaims({ ...base, serviceAccount: sa }), iss: 'https://elsewhere' })),
      { kind: 'unknown' },
    );
  });

  it('refuses a token of our issuer that another key signed, or that is malformed', async () => {
    const other = TokenSigner.ephemeral();
    const r = await auth(other.sign(tokenClaims({ ...base, serviceAccount: sa })));
    assert.deepEqual(r, { kind: 'invalid', reason: 'invalid signature' });
    const payload = signer.sign(tokenClaims({ ...base, serviceAccount: sa })).split('.')[1];
    assert.equal((await auth(`not-a-header.${payload}.x`)).kind, 'invalid');
  });

  it('is in date with a minute of leeway on exp, nbf and iat', async () => {
    const token = signer.sign(tokenClaims({ ...base, serviceAccount: sa }));
    const at = (s: number) => new Date((T + s) * 1000);
    assert.equal((await auth(token, stored, at(3600 + 60))).kind, 'user');
    assert.deepEqual(await auth(token, stored, at(3600 + 61)), {
      kind: 'invalid',
      reason: 'service account token has expired',
    });
    assert.equal((await auth(token, stored, at(-60))).kind, 'user');
    assert.deepEqual(await auth(token, stored, at(-61)), {
      kind: 'invalid',
      reason: 'service account token is not valid yet',
    });
  });

  it('needs one of the API server audiences', async () => {
    const r = await auth(signer.sign(tokenClaims({ ...base, audiences: ['vault'], serviceAccount: sa })));
    assert.equal(r.kind, 'invalid');
    assert.match(r.kind === 'invalid' ? r.reason : '', /token audiences \["vault"\] is invalid/);
    assert.equal(
      (await auth(signer.sign(tokenClaims({ ...base, audiences: ['vault', signer.issuer], serviceAccount: sa })))).kind,
      'user',
    );
  });

  it('the account must still exist with the same uid, and not be deleted more than a minute ago', async () => {
    const token = signer.sign(tokenClaims({ ...base, serviceAccount: sa }));
    assert.deepEqual(await auth(token, {}), { kind: 'invalid', reason: 'service account ci/build not found' });
    const recreated = { metadata: { ...sa.metadata, uid: 'new-uid' } };
    assert.deepEqual(await auth(token, { 'serviceaccounts/ci/build': recreated }), {
      kind: 'invalid',
      reason: 'service account UID (new-uid) does not match claim (sa-uid)',
    });
    const deleting = (ago: number) => ({
      'serviceaccounts/ci/build': {
        metadata: { ...sa.metadata, deletionTimestamp: new Date(NOW.getTime() - ago * 1000).toISOString() },
      },
    });
    assert.equal((await auth(token, deleting(30))).kind, 'user');
    assert.deepEqual(await auth(token, deleting(120)), {
      kind: 'invalid',
      reason: 'service account ci/build has been deleted',
    });
  });

  it('a bound pod, secret or node must still exist with its uid', async () => {
    const podToken = signer.sign(tokenClaims({ ...base, serviceAccount: sa, pod, node }));
    assert.deepEqual(await auth(podToken, { ...stored, 'pods/ci/web': undefined as never }), {
      kind: 'invalid',
      reason: 'pod ci/web not found',
    });
    // the node of a pod-bound token is only reported, not checked
    assert.equal((await auth(podToken, { ...stored, 'nodes/n1': undefined as never })).kind, 'user');
    const secretToken = signer.sign(tokenClaims({ ...base, serviceAccount: sa, secret }));
    assert.deepEqual(
      await auth(secretToken, { ...stored, 'secrets/ci/s': { metadata: { name: 's', uid: 'other' } } }),
      {
        kind: 'invalid',
        reason: 'secret UID (other) does not match claim (secret-uid)',
      },
    );
    const nodeToken = signer.sign(tokenClaims({ ...base, serviceAccount: sa, node }));
    assert.equal((await auth(nodeToken)).kind, 'user');
    assert.deepEqual(await auth(nodeToken, { ...stored, 'nodes/n1': undefined as never }), {
      kind: 'invalid',
      reason: 'node n1 not found',
    });
  });
});
