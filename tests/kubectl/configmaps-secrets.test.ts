/**
 * Real kubectl with ConfigMaps and Secrets against the server as a process: `create configmap` from literals and
 * files (text and binary), `create secret generic|tls|docker-registry`, get and describe (keys and byte counts),
 * edit and patch, `get secrets --field-selector type=...`, the immutability and type refusals, and helm's release
 * Secrets found with `-l owner=helm`. kubectl 1.32 and 1.33 send these creates as protobuf and read protobuf
 * answers; older versions speak JSON. Every version of KUBECTL_VERSIONS creates, gets and describes; the versions of
 * FULL_SCENARIO_KUBECTL_VERSIONS go on to patch, edit, the refusals and helm's Secrets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Api } from '../helpers/http.js';
import {
  eventually,
  itInFullScenario,
  Kubectl,
  KUBECTL_VERSIONS,
  MAIN_KUBECTL_VERSION,
  speaksProtobuf,
} from '../helpers/kubectl.js';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const PB = 'application/vnd.kubernetes.protobuf';

// A self-signed certificate (CN=web.example.test, P-256, valid until 2126) and its key, made for these tests.
const TLS_CRT = `-----BEGIN CERTIFICATE-----
MIIBjDCCATOgAwIBAgIUWwwlszp4bj6RODhlBwv2y0IWdh8wCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQd2ViLmV4YW1wbGUudGVzdDAgFw0yNjEyMDUwNjU0MjJaGA8y
MTI2MTExMTA2NTQyMlowGzEZMBcGA1UEAwwQd2ViLmV4YW1wbGUudGVzdDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABAaXJ1+y6YdNnwxS6hD1erC8ZBEZJn5LbQTE
StrzS26/6LnGcJ/1AHtkQOq8U8uXK5YGiytNeExy84vVUKW1oZajUzBRMB0GA1Ud
DgQWBBSRrctUZ9Q2wUBtdnRUtFb/BOCYfTAfBgNVHSMEGDAWgBSRrctUZ9Q2wUBt
dnRUtFb/BOCYfTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICO2
pdMw43rzY74RGkwKSwvI/mO/Wlwe/0iQUUIyZrHdAiBqmNAUQWKHV61Cua0YWqtX
OfdVmT9lKelTca3ILew8pg==
-----END CERTIFICATE-----
`;
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFhYpEco1Wh6VAOuQ
0rYoapzMgbkPW8+0t4huPJxdr7qhRANCAAQGlydfsumHTZ8MUuoQ9XqwvGQRGSZ+
S20ExEra80tuv+i5xnCf9QB7ZEDqvFPLlyuWBosrTXhMcvOL1VCltaGW
-----END PRIVATE KEY-----
`;

const IMMUTABLE = 'field is immutable when `immutable` is set';

/** The request lines and Content-Type headers of a `-v=8` log, in order. */
function contentTypes(log: string, method: string, path: string): { sent: string[]; received: string[] } {
  const sent: string[] = [];
  const received: string[] = [];
  let inRequest = false;
  let section: 'request' | 'response' = 'request';
  for (const raw of log.split('\n')) {
    const line = raw.replace(/^[IWE]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, '');
    const req =
      /^"Request" verb="(\w+)" url="([^"]+)"/.exec(line) ?? /^(GET|POST|PUT|PATCH|DELETE) (http\S+)$/.exec(line);
    if (req) {
      inRequest = req[1] === method && req[2]!.includes(path);
      section = 'request';
    } else if (/^"Response"|^Response (Status|Headers)/.test(line)) {
      section = 'response';
    } else if (inRequest) {
      const m = /^\s*Content-Type: (.*)$/.exec(line);
      if (m) (section === 'request' ? sent : received).push(m[1]!.trim());
    }
  }
  return { sent, received };
}

/** The rows of a `kubectl get` table whose first column is `name`, split into cells. */
const rowFor = (out: string, name: string) =>
  out
    .split('\n')
    .find((l) => l.split(/\s+/)[0] === name)
    ?.split(/\s{2,}/);

describe('kubectl with configmaps and secrets', () => {
  let server: ServerProcess;
  let api: Api;
  const files = tempDir('kubectl-cfg-');
  const blob = randomBytes(300);
  const release = gzipSync(
    Buffer.concat([
      Buffer.from('{"name":"web","info":{"status":"deployed"},"manifest":"'),
      randomBytes(200 * 1024),
      Buffer.from('"}'),
    ]),
    { level: 0 },
  );

  before(async () => {
    server = await startServerProcess();
    api = new Api(server.url);
    writeFileSync(join(files.path, 'app.properties'), 'color=blue\nsize=10\n');
    writeFileSync(join(files.path, 'blob.bin'), blob);
    writeFileSync(join(files.path, 'tls.crt'), TLS_CRT);
    writeFileSync(join(files.path, 'tls.key'), TLS_KEY);
    writeFileSync(join(files.path, 'id_rsa'), 'not really a key\n');
  });
  after(async () => {
    if (server) {
      await server.stop();
      server.cleanup();
    }
    files.remove();
  });

  for (const version of KUBECTL_VERSIONS) {
    describe(`kubectl ${version}`, () => {
      let kubectl: Kubectl;
      const tag = version.replace('.', '');
      const protobuf = speaksProtobuf(version);
      // What only the main version checks (edit, -o yaml, the helm release bytes).
      const main = version === MAIN_KUBECTL_VERSION;
      const itFull = itInFullScenario(version);
      const run = (args: string[]) => kubectl.run(args, { cwd: files.path });
      before(() => {
        kubectl = new Kubectl(server.kubeconfig, version);
      });
      after(() => kubectl?.dispose());

      it('create configmap --from-literal --from-file: text in data, binary in binaryData, byte for byte', async () => {
        const name = `game-${tag}`;
        const r = await run([
          'create',
          'configmap',
          name,
          '--from-literal=mode=easy',
          '--from-file=app.properties',
          '--from-file=blob.bin',
          '-v=8',
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `configmap/${name} created`);
        if (version !== '1.20') {
          const { sent, received } = contentTypes(r.stderr, 'POST', '/configmaps');
          assert.deepEqual(sent, [protobuf ? PB : 'application/json'], r.stderr.slice(-3000));
          assert.ok(received[0]?.startsWith(protobuf ? PB : 'application/json'), received.join(' | '));
        }
        const cm = await api.expect(200, 'GET', `/api/v1/namespaces/default/configmaps/${name}`);
        assert.deepEqual(cm.data, { 'app.properties': 'color=blue\nsize=10\n', mode: 'easy' });
        assert.ok(Buffer.from(cm.binaryData['blob.bin'], 'base64').equals(blob));

        const table = await kubectl.ok(['get', 'configmaps']);
        assert.match(table.split('\n')[0]!, /^NAME\s+DATA\s+AGE$/);
        assert.deepEqual(rowFor(table, name)?.slice(0, 2), [name, '3']);
        if (protobuf) {
          const yaml = await kubectl.ok(['get', 'cm', name, '-o', 'yaml']);
          assert.match(yaml, /^ {2}mode: easy$/m);
          assert.match(yaml, /^binaryData:\n {2}blob\.bin: \S+$/m);
        }
      });

      it('apply --server-side leaves labels it does not apply to their managers, named like valueOf or constructor too', async () => {
        const name = `applied-${tag}`;
        const file = join(files.path, `${name}.yaml`);
        const manifest = (value: string) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {app: x}\ndata: {a: "${value}"}\n`;
        writeFileSync(file, manifest('1'));
        assert.equal((await run(['apply', '--server-side', '-f', file])).code, 0);
        await kubectl.ok(['label', 'configmap', name, 'valueOf=kept', 'constructor=kept', 'toString=kept']);
        writeFileSync(file, manifest('2'));
        // (a map key read through Object.prototype made these conflicts, and a forced apply dropped the labels)
        const r = await run(['apply', '--server-side', '-f', file]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `configmap/${name} serverside-applied`);
        const cm = await api.expect(200, 'GET', `/api/v1/namespaces/default/configmaps/${name}`);
        assert.deepEqual(cm.data, { a: '2' });
        assert.deepEqual(cm.metadata.labels, { app: 'x', constructor: 'kept', toString: 'kept', valueOf: 'kept' });
        await kubectl.ok(['label', 'configmap', name, 'valueOf-']);
        const after = await api.expect(200, 'GET', `/api/v1/namespaces/default/configmaps/${name}`);
        const labeler = (after.metadata.managedFields as { manager: string; fieldsV1: any }[]).find(
          (e) => e.manager === 'kubectl-label',
        );
        assert.deepEqual(labeler?.fieldsV1, {
          'f:metadata': { 'f:labels': { 'f:constructor': {}, 'f:toString': {} } },
        });
      });

      it('describe configmap shows each value, and binary keys with their byte counts', async () => {
        const out = await kubectl.ok(['describe', 'configmap', `game-${tag}`]);
        assert.match(out, new RegExp(`^Name:\\s+game-${tag}$`, 'm'));
        assert.match(out, /^Data\n====\n/m);
        assert.match(out, /^app\.properties:\n----\ncolor=blue\nsize=10\n/m);
        assert.match(out, /^mode:\n----\neasy$/m);
        // (kubectl 1.20's describer does not show binaryData)
        if (version !== '1.20') assert.match(out, /^BinaryData\n====\nblob\.bin: 300 bytes$/m);
      });

      it('create secret generic, tls and docker-registry; get, describe, --field-selector type=', async () => {
        const generic = await run([
          'create',
          'secret',
          'generic',
          `db-${tag}`,
          '--from-literal=password=s3cr=t!',
          '--from-file=ssh-privatekey=id_rsa',
          '-v=8',
        ]);
        assert.equal(generic.code, 0, generic.stderr);
        assert.equal(generic.stdout.trim(), `secret/db-${tag} created`);
        if (protobuf) assert.deepEqual(contentTypes(generic.stderr, 'POST', '/secrets').sent, [PB]);
        assert.equal(
          (await run(['create', 'secret', 'tls', `web-${tag}`, '--cert=tls.crt', '--key=tls.key'])).stdout.trim(),
          `secret/web-${tag} created`,
        );
        const reg = await run([
          'create',
          'secret',
          'docker-registry',
          `reg-${tag}`,
          '--docker-server=registry.example',
          '--docker-username=bob',
          '--docker-password=pw',
          '--docker-email=bob@example.com',
        ]);
        assert.equal(reg.code, 0, reg.stderr);
        assert.equal(reg.stdout.trim(), `secret/reg-${tag} created`);

        const db = await api.expect(200, 'GET', `/api/v1/namespaces/default/secrets/db-${tag}`);
        assert.equal(db.type, 'Opaque');
        assert.equal(Buffer.from(db.data.password, 'base64').toString(), 's3cr=t!');
        const web = await api.expect(200, 'GET', `/api/v1/namespaces/default/secrets/web-${tag}`);
        assert.equal(web.type, 'kubernetes.io/tls');
        assert.equal(Buffer.from(web.data['tls.crt'], 'base64').toString(), TLS_CRT);
        assert.equal(Buffer.from(web.data['tls.key'], 'base64').toString(), TLS_KEY);
        const regSecret = await api.expect(200, 'GET', `/api/v1/namespaces/default/secrets/reg-${tag}`);
        assert.equal(regSecret.type, 'kubernetes.io/dockerconfigjson');
        const config = JSON.parse(Buffer.from(regSecret.data['.dockerconfigjson'], 'base64').toString());
        assert.equal(config.auths['registry.example'].username, 'bob');

        const all = await kubectl.ok(['get', 'secrets']);
        assert.match(all.split('\n')[0]!, /^NAME\s+TYPE\s+DATA\s+AGE$/);
        assert.deepEqual(rowFor(all, `db-${tag}`)?.slice(0, 3), [`db-${tag}`, 'Opaque', '2']);
        assert.deepEqual(rowFor(all, `reg-${tag}`)?.slice(0, 3), [`reg-${tag}`, 'kubernetes.io/dockerconfigjson', '1']);
        const tls = await kubectl.ok(['get', 'secrets', '--field-selector', 'type=kubernetes.io/tls']);
        const names = tls
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s+/)[0]);
        assert.ok(names.includes(`web-${tag}`), tls);
        assert.ok(
          names.every((n) => n!.startsWith('web-')),
          tls,
        );
        assert.deepEqual(rowFor(tls, `web-${tag}`)?.slice(0, 3), [`web-${tag}`, 'kubernetes.io/tls', '2']);

        const described = await kubectl.ok(['describe', 'secret', `web-${tag}`]);
        assert.match(described, /^Type:\s+kubernetes\.io\/tls$/m);
        assert.match(described, new RegExp(`^tls\\.crt:\\s+${Buffer.byteLength(TLS_CRT)} bytes$`, 'm'));
        assert.match(described, new RegExp(`^tls\\.key:\\s+${Buffer.byteLength(TLS_KEY)} bytes$`, 'm'));
        const dbDescribed = await kubectl.ok(['describe', 'secret', `db-${tag}`]);
        assert.match(dbDescribed, /^password:\s+7 bytes$/m);
        assert.match(dbDescribed, /^ssh-privatekey:\s+17 bytes$/m);
        assert.doesNotMatch(dbDescribed, /s3cr=t!/, 'describe never prints secret values');
      });

      itFull('patch and edit change data; stringData is written through data', async () => {
        const name = `game-${tag}`;
        assert.equal(
          (await kubectl.ok(['patch', 'configmap', name, '-p', '{"data":{"mode":"hard"}}'])).trim(),
          `configmap/${name} patched`,
        );
        assert.equal((await api.expect(200, 'GET', `/api/v1/namespaces/default/configmaps/${name}`)).data.mode, 'hard');
        if (main) {
          const edited = await runWithEditor(kubectl, ['edit', 'configmap', name], 'sed -i s/color=blue/color=green/');
          assert.equal(edited.code, 0, edited.stderr);
          assert.equal(edited.stdout.trim(), `configmap/${name} edited`);
          assert.equal(
            (await api.expect(200, 'GET', `/api/v1/namespaces/default/configmaps/${name}`)).data['app.properties'],
            'color=green\nsize=10\n',
          );
        }
        await kubectl.ok(['patch', 'secret', `db-${tag}`, '--type=merge', '-p', '{"stringData":{"password":"n3w"}}']);
        const db = await api.expect(200, 'GET', `/api/v1/namespaces/default/secrets/db-${tag}`);
        assert.equal(Buffer.from(db.data.password, 'base64').toString(), 'n3w');
        assert.equal(db.stringData, undefined);
      });

      itFull('immutable objects and secret types refuse changes with the upstream message', async () => {
        const name = `frozen-${tag}`;
        await kubectl.ok(['create', 'configmap', name, '--from-literal=a=1']);
        await kubectl.ok(['patch', 'configmap', name, '-p', '{"immutable":true}']);
        const refused = await kubectl.run(['patch', 'configmap', name, '-p', '{"data":{"a":"2"}}']);
        assert.equal(refused.code, 1);
        assert.equal(refused.stderr.trim(), `The ConfigMap "${name}" is invalid: data: Forbidden: ${IMMUTABLE}`);
        if (main) {
          const unset = await kubectl.run([
            'patch',
            'configmap',
            name,
            '--type=json',
            '-p',
            '[{"op":"remove","path":"/immutable"}]',
          ]);
          assert.equal(unset.code, 1);
          assert.equal(unset.stderr.trim(), `The ConfigMap "${name}" is invalid: immutable: Forbidden: ${IMMUTABLE}`);
        }
        assert.equal(
          (await kubectl.ok(['label', 'configmap', name, 'still=labelable'])).trim(),
          `configmap/${name} labeled`,
        );

        const retyped = await kubectl.run(['patch', 'secret', `web-${tag}`, '-p', '{"type":"Opaque"}']);
        assert.equal(retyped.code, 1);
        assert.equal(
          retyped.stderr.trim(),
          `The Secret "web-${tag}" is invalid: type: Invalid value: "Opaque": field is immutable`,
        );
        const missingKey = await kubectl.run(['create', '-f', '-'], {
          input: `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"half-${tag}"},"type":"kubernetes.io/tls","stringData":{"tls.crt":"x"}}`,
        });
        assert.equal(missingKey.code, 1);
        assert.match(
          missingKey.stderr,
          new RegExp(`The Secret "half-${tag}" is invalid: data\\[tls\\.key\\]: Required value`),
        );
      });

      itFull('helm release secrets: get secrets -l owner=helm lists them, their data unchanged', async () => {
        const rel = `web${tag}`;
        for (const v of [1, 2]) {
          await api.expect(201, 'POST', '/api/v1/namespaces/default/secrets', {
            body: {
              metadata: {
                name: `sh.helm.release.v1.${rel}.v${v}`,
                labels: { owner: 'helm', name: rel, version: String(v), status: v === 2 ? 'deployed' : 'superseded' },
              },
              type: 'helm.sh/release.v1',
              data: { release: Buffer.from(release.toString('base64')).toString('base64') },
            },
          });
        }
        const out = await kubectl.ok(['get', 'secrets', '-l', `owner=helm,name=${rel}`]);
        const rows = out.trim().split('\n');
        assert.match(rows[0]!, /^NAME\s+TYPE\s+DATA\s+AGE$/);
        assert.deepEqual(
          rows.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
          [
            [`sh.helm.release.v1.${rel}.v1`, 'helm.sh/release.v1', '1'],
            [`sh.helm.release.v1.${rel}.v2`, 'helm.sh/release.v1', '1'],
          ],
        );
        if (!main) {
          await api.expect(
            200,
            'DELETE',
            `/api/v1/namespaces/default/secrets?labelSelector=owner%3Dhelm,name%3D${rel}`,
          );
          return;
        }
        const deployed = await kubectl.ok([
          'get',
          'secrets',
          '-l',
          `owner=helm,name=${rel},status=deployed`,
          '-o',
          'jsonpath={.items[*].data.release}',
        ]);
        assert.ok(
          Buffer.from(Buffer.from(deployed, 'base64').toString(), 'base64').equals(release),
          'release bytes unchanged',
        );
        const json = JSON.parse(await kubectl.ok(['get', 'secret', `sh.helm.release.v1.${rel}.v1`, '-o', 'json']));
        assert.ok(Buffer.from(Buffer.from(json.data.release, 'base64').toString(), 'base64').equals(release));
        assert.equal(
          (await kubectl.ok(['delete', 'secrets', '-l', `owner=helm,name=${rel}`])).trim().split('\n').length,
          2,
        );
      });
    });
  }

  it('kubectl 1.32 get secrets -l owner=helm -w sees a new release revision', async () => {
    const kubectl = new Kubectl(server.kubeconfig, '1.32');
    try {
      const watcher = kubectl.start(['get', 'secrets', '-l', 'owner=helm', '-w']);
      try {
        // created before or after the watch starts, the revision shows up (initial list or watch event)
        await api.expect(201, 'POST', '/api/v1/namespaces/default/secrets', {
          body: {
            metadata: { name: 'sh.helm.release.v1.w.v1', labels: { owner: 'helm', name: 'w', version: '1' } },
            type: 'helm.sh/release.v1',
            data: { release: 'SDRzSQ==' },
          },
        });
        await api.expect(201, 'POST', '/api/v1/namespaces/default/secrets', {
          body: { metadata: { name: 'not-helm' }, stringData: { a: 'b' } },
        });
        await eventually(() => /^sh\.helm\.release\.v1\.w\.v1\s+helm\.sh\/release\.v1\s+1\s+/m.test(watcher.output()), {
          what: 'the new revision row',
          timeoutMs: 20000,
        });
        assert.doesNotMatch(watcher.output(), /not-helm/);
      } finally {
        watcher.stop();
      }
    } finally {
      kubectl.dispose();
    }
  });
});

/** Runs `kubectl edit` with KUBE_EDITOR set to a non-interactive command that rewrites the file. */
async function runWithEditor(kubectl: Kubectl, args: string[], editor: string) {
  const saved = process.env['KUBE_EDITOR'];
  process.env['KUBE_EDITOR'] = editor;
  try {
    return await kubectl.run(args);
  } finally {
    if (saved === undefined) delete process.env['KUBE_EDITOR'];
    else process.env['KUBE_EDITOR'] = saved;
  }
}
