// The ServiceAccount admission of pods (server/registry/resources/serviceaccounts/admission.ts), as upstream's
// plugin/pkg/admission/serviceaccount: the default account, the projected token volume, image pull secrets, mirror
// pods, mountable secrets, and the Forbidden answers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/objects.js';
import type { AdmissionContext } from '../../../server/registry/definition.js';
import { StatusError } from '../../../server/registry/status.js';
import {
  DEFAULT_API_TOKEN_MOUNT_PATH,
  serviceAccountAdmission,
  tokenVolumeSource,
} from '../../../server/registry/resources/serviceaccounts/admission.js';

type Json = Record<string, any>;

function context(accounts: Record<string, Json>, reads: string[] = []): AdmissionContext {
  return {
    namespace: 'ns',
    view: {} as never,
    now: new Date(),
    dryRun: false,
    read: async (prefix, namespace, name) => {
      reads.push(`${prefix}/${namespace}/${name}`);
      return prefix === 'serviceaccounts' && namespace === 'ns'
        ? (accounts[name] as KubeObject | undefined)
        : undefined;
    },
  };
}

function account(name: string, extra: Json = {}): Json {
  const { metadata, ...rest } = extra;
  return { metadata: { name, namespace: 'ns', uid: `${name}-uid`, ...(metadata ?? {}) }, ...rest };
}

function pod(spec: Json = {}, metadata: Json = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ns', ...metadata },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  } as KubeObject;
}

async function admit(p: KubeObject, accounts: Record<string, Json> = { default: account('default') }) {
  await serviceAccountAdmission(p, context(accounts));
  return p as Json;
}

async function refusal(
  p: KubeObject,
  accounts: Record<string, Json> = { default: account('default') },
): Promise<StatusError> {
  try {
    await serviceAccountAdmission(p, context(accounts));
  } catch (err) {
    assert.ok(err instanceof StatusError);
    return err;
  }
  assert.fail('admitted');
}

describe('ServiceAccount admission', () => {
  it('a pod without an account runs as default; the token is projected into every container and init container', async () => {
    const p = await admit(
      pod({
        initContainers: [{ name: 'init', image: 'busybox' }],
        ephemeralContainers: [{ name: 'debug', image: 'busybox' }],
      }),
    );
    assert.equal(p.spec.serviceAccountName, 'default');
    assert.equal(p.spec.serviceAccount, 'default');
    const [volume] = p.spec.volumes;
    assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(volume, {
      name: volume.name,
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
        defaultMode: 420,
      },
    });
    const mount = { name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' };
    assert.deepEqual(p.spec.containers[0].volumeMounts, [mount]);
    assert.deepEqual(p.spec.initContainers[0].volumeMounts, [mount]);
    assert.equal(p.spec.ephemeralContainers[0].volumeMounts, undefined, 'ephemeral containers are left alone');
    assert.equal(p.spec.imagePullSecrets, undefined);
  });

  it('keeps a container that already mounts something at the token path; no volume when none needs it', async () => {
    const own = { name: 'mine', mountPath: DEFAULT_API_TOKEN_MOUNT_PATH };
    const p = await admit(
      pod({
        containers: [{ name: 'a', volumeMounts: [own] }, { name: 'b' }],
        volumes: [{ name: 'mine', emptyDir: {} }],
      }),
    );
    assert.deepEqual(p.spec.containers[0].volumeMounts, [own]);
    assert.equal(p.spec.containers[1].volumeMounts.length, 1);
    assert.equal(p.spec.volumes.length, 2);
    const none = await admit(
      pod({ containers: [{ name: 'a', volumeMounts: [own] }], volumes: [{ name: 'mine', emptyDir: {} }] }),
    );
    assert.deepEqual(none.spec.volumes, [{ name: 'mine', emptyDir: {} }]);
  });

  it('reuses a kube-api-access-* volume the pod already has', async () => {
    const existing = { name: 'kube-api-access-abcde', projected: tokenVolumeSource() };
    const p = await admit(pod({ volumes: [existing] }));
    assert.deepEqual(p.spec.volumes, [existing]);
    assert.equal(p.spec.containers[0].volumeMounts[0].name, 'kube-api-access-abcde');
  });

  it('automountServiceAccountToken: the pod decides first, then the account; mounted when neither says', async () => {
    const off = { default: account('default', { automountServiceAccountToken: false }) };
    assert.equal((await admit(pod({ automountServiceAccountToken: false }))).spec.volumes, undefined);
    assert.equal((await admit(pod(), off)).spec.volumes, undefined);
    assert.equal((await admit(pod({ automountServiceAccountToken: true }), off)).spec.volumes.length, 1);
    assert.equal(
      (await admit(pod({}), { default: account('default', { automountServiceAccountToken: true }) })).spec.volumes
        .length,
      1,
    );
  });

  it("copies the account's image pull secrets into a pod that names none", async () => {
    const sa = { default: account('default', { imagePullSecrets: [{ name: 'reg' }, { name: 'reg2' }] }) };
    assert.deepEqual((await admit(pod(), sa)).spec.imagePullSecrets, [{ name: 'reg' }, { name: 'reg2' }]);
    assert.deepEqual((await admit(pod({ imagePullSecrets: [{ name: 'own' }] }), sa)).spec.imagePullSecrets, [
      { name: 'own' },
    ]);
  });

  it('a named account must exist: 403 naming the pod (or its generateName)', async () => {
    const err = await refusal(pod({ serviceAccountName: 'builder' }));
    assert.equal(err.code, 403);
    assert.deepEqual(err.status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'pods "web" is forbidden: error looking up service account ns/builder: serviceaccount "builder" not found',
      reason: 'Forbidden',
      details: { name: 'web', kind: 'pods' },
      code: 403,
    });
    const generated = await refusal(pod({ serviceAccountName: 'builder' }, { name: undefined, generateName: 'web-' }));
    assert.equal(
      generated.message,
      'pods "web-" is forbidden: error looking up service account ns/builder: serviceaccount "builder" not found',
    );
    const named = await admit(pod({ serviceAccountName: 'builder' }), { builder: account('builder') });
    assert.equal(named.spec.serviceAccountName, 'builder');
  });

  it('looks for the default account ten times, 100 to 200 ms apart, before refusing', async () => {
    const reads: string[] = [];
    let calls = 0;
    const ctx = context({}, reads);
    const slow: AdmissionContext = {
      ...ctx,
      read: async (...args) => (++calls === 3 ? (account('default') as KubeObject) : ctx.read(...args)),
    };
    const started = Date.now();
    await serviceAccountAdmission(pod(), slow);
    const took = Date.now() - started;
    assert.equal(calls, 3);
    assert.ok(took >= 200 && took < 1000, `${took} ms`);
    const missing = await refusal(pod(), {});
    assert.equal(
      missing.message,
      'pods "web" is forbidden: error looking up service account ns/default: serviceaccount "default" not found',
    );
  });

  it('mirror pods are not changed, and may not reference accounts, secrets or token projections', async () => {
    const mirror = { 'kubernetes.io/config.mirror': 'hash' };
    const p = await admit(pod({}, { annotations: mirror }), {});
    assert.equal(p.spec.serviceAccountName, undefined);
    assert.equal(p.spec.volumes, undefined);
    const cases: Array<[Json, string]> = [
      [{ serviceAccountName: 'default' }, 'a mirror pod may not reference service accounts'],
      [{ volumes: [{ name: 'v', secret: { secretName: 's' } }] }, 'a mirror pod may not reference secrets'],
      [{ imagePullSecrets: [{ name: 'reg' }] }, 'a mirror pod may not reference secrets'],
      [
        {
          ephemeralContainers: [
            { name: 'd', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] },
          ],
        },
        'a mirror pod may not reference secrets',
      ],
      [
        { volumes: [{ name: 'v', csi: { driver: 'd', nodePublishSecretRef: { name: 's' } } }] },
        'a mirror pod may not reference secrets',
      ],
      [
        { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } }] },
        'a mirror pod may not use ServiceAccountToken volume projections',
      ],
    ];
    for (const [spec, why] of cases) {
      const err = await refusal(pod(spec, { annotations: mirror }), {});
      assert.equal(err.message, `pods "web" is forbidden: ${why}`, JSON.stringify(spec));
    }
    // an empty secret name references nothing
    await admit(pod({ imagePullSecrets: [{ name: '' }] }, { annotations: mirror }), {});
  });

  it('kubernetes.io/enforce-mountable-secrets: only the secrets the account lists', async () => {
    const enforcing = (extra: Json = {}) => ({
      default: account('default', {
        metadata: { annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } },
        secrets: [{ name: 'ok' }],
        ...extra,
      }),
    });
    await admit(pod({ volumes: [{ name: 'v', secret: { secretName: 'ok' } }] }), enforcing());
    const volume = await refusal(pod({ volumes: [{ name: 'v', secret: { secretName: 'nope' } }] }), enforcing());
    assert.equal(
      volume.message,
      'pods "web" is forbidden: volume with secret.secretName="nope" is not allowed because service account default does not reference that secret',
    );
    const init = await refusal(
      pod({
        initContainers: [{ name: 'i', env: [{ name: 'E', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }],
      }),
      enforcing(),
    );
    assert.equal(
      init.message,
      'pods "web" is forbidden: init container i with envVar E referencing secret.secretName="nope" is not allowed because service account default does not reference that secret',
    );
    const pull = await refusal(pod({ imagePullSecrets: [{ name: 'reg' }] }), enforcing());
    assert.equal(
      pull.message,
      'pods "web" is forbidden: imagePullSecrets[0].name="reg" is not allowed because service account default does not reference that imagePullSecret',
    );
    // copied from the account, its own pull secrets are allowed; "false" turns the check off
    await admit(pod(), enforcing({ imagePullSecrets: [{ name: 'reg' }] }));
    await admit(pod({ volumes: [{ name: 'v', secret: { secretName: 'nope' } }] }), {
      default: account('default', {
        metadata: { annotations: { 'kubernetes.io/enforce-mountable-secrets': 'false' } },
      }),
    });
  });
});
