// fieldValidation (Strict / Warn / Ignore) on create, update and every patch type, against an in-process server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer } from '../helpers/server.js';

type Any = Record<string, any>;
const PODS = '/api/v1/namespaces/default/pods';
const DS = '/apis/apps/v1/namespaces/default/daemonsets';

interface Reply {
  status: number;
  body: Any;
  /** The texts of the `Warning: 299 - "..."` headers, unescaped. */
  warnings: string[];
}

function warningTexts(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

describe('fieldValidation over HTTP', () => {
  const { server } = useInProcessServer();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Reply> => {
    const res = await fetch(server().url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Any) : {},
      warnings: warningTexts(res.headers.get('warning')),
    };
  };
  const podText = (name: string, extra = '') =>
    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{${extra}"containers":[{"name":"c","image":"nginx","foo":1}]}}`;

  describe('create (POST)', () => {
    it('Strict: 400 naming every unknown and duplicate field, nothing stored', async () => {
      const r = await call(
        'POST',
        `${PODS}?fieldValidation=Strict`,
        podText('strict', '"bar":true,"restartPolicy":"Always","restartPolicy":"Never",'),
      );
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(
        r.body.message,
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.bar", duplicate field "spec.restartPolicy", unknown field "spec.containers[0].foo"',
      );
      assert.equal((await call('GET', `${PODS}/strict`)).status, 404);
    });

    it('Warn (the default): created without the unknown fields, one Warning header each', async () => {
      const r = await call('POST', PODS, podText('warn', '"bar":true,'));
      assert.equal(r.status, 201);
      assert.deepEqual(r.warnings, ['unknown field "spec.bar"', 'unknown field "spec.containers[0].foo"']);
      assert.equal(r.body.spec.bar, undefined);
      assert.equal(r.body.spec.containers[0].foo, undefined);
      assert.equal(r.body.spec.containers[0].image, 'nginx');
      const explicit = await call('POST', `${PODS}?fieldValidation=Warn`, podText('warn2'));
      assert.deepEqual(explicit.warnings, ['unknown field "spec.containers[0].foo"']);
    });

    it('Ignore: dropped silently', async () => {
      const r = await call('POST', `${PODS}?fieldValidation=Ignore`, podText('ignore', '"bar":true,'));
      assert.equal(r.status, 201);
      assert.deepEqual(r.warnings, []);
      assert.equal(r.body.spec.bar, undefined);
    });

    it('the conformance case: a DaemonSet with an unknown field and a duplicated key', async () => {
      const body =
        '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"dup"},"spec":{"unknownField":"x","revisionHistoryLimit":1,"revisionHistoryLimit":2,' +
        '"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}';
      const r = await call('POST', `${DS}?fieldValidation=Strict&fieldManager=e2e`, body);
      assert.equal(r.status, 400);
      assert.match(
        r.body.message,
        /strict decoding error: unknown field "spec.unknownField", duplicate field "spec.revisionHistoryLimit"$/,
      );
      const meta = await call(
        'POST',
        `${DS}?fieldValidation=Strict`,
        '{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"m","unknownMeta":1}}',
      );
      assert.equal(
        meta.body.message,
        'DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "metadata.unknownMeta"',
      );
    });

    it('values of the wrong type are a 400 whatever the directive', async () => {
      for (const v of ['Strict', 'Warn', 'Ignore']) {
        const r = await call(
          'POST',
          `${PODS}?fieldValidation=${v}`,
          '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"},"spec":{"containers":"nginx"}}',
        );
        assert.equal(r.status, 400, v);
        assert.equal(
          r.body.message,
          'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
        );
      }
    });

    it('known free-form fields round-trip exactly: labels, annotations, ControllerRevision data', async () => {
      const data = { spec: { template: { anything: [1, { deep: true }], $patch: 'replace' } }, unknownHere: 'kept' };
      const r = await call('POST', '/apis/apps/v1/namespaces/default/controllerrevisions?fieldValidation=Strict', {
        apiVersion: 'apps/v1',
        kind: 'ControllerRevision',
        metadata: { name: 'cr', labels: { 'x/y': 'z' }, annotations: { 'any.thing/here': '{"json":true}' } },
        data,
        revision: 3,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.warnings, []);
      assert.deepEqual(r.body.data, data);
      assert.deepEqual(r.body.metadata.annotations, { 'any.thing/here': '{"json":true}' });
    });

    it('YAML bodies: repeated keys are reported with their line', async () => {
      const yaml =
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: y\n  name: y2\nspec:\n  containers:\n  - name: c\n    image: nginx\n';
      const strict = await call('POST', `${PODS}?fieldValidation=Strict`, yaml, 'application/yaml');
      assert.equal(strict.status, 400);
      assert.equal(
        strict.body.message,
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key "name" already set in map',
      );
      const warn = await call('POST', PODS, yaml, 'application/yaml');
      assert.equal(warn.status, 201);
      assert.equal(warn.body.metadata.name, 'y2');
      assert.deepEqual(warn.warnings, ['line 5: key "name" already set in map']);
    });

    it('an unknown fieldValidation value is refused', async () => {
      const r = await call('POST', `${PODS}?fieldValidation=Loose`, podText('bad'));
      assert.equal(r.status, 400);
    });
  });

  describe('update (PUT)', () => {
    it('Strict refuses, Warn drops and warns, Ignore drops', async () => {
      const live = (await call('GET', `${PODS}/warn`)).body;
      const withUnknown = {
        ...live,
        metadata: { ...live.metadata, labels: { a: 'b' } },
        spec: { ...live.spec, mystery: 1 },
      };
      const strict = await call('PUT', `${PODS}/warn?fieldValidation=Strict`, withUnknown);
      assert.equal(strict.status, 400);
      assert.equal(
        strict.body.message,
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.mystery"',
      );
      const warn = await call('PUT', `${PODS}/warn`, withUnknown);
      assert.equal(warn.status, 200, JSON.stringify(warn.body));
      assert.deepEqual(warn.warnings, ['unknown field "spec.mystery"']);
      assert.deepEqual(warn.body.metadata.labels, { a: 'b' });
      const again = { ...warn.body, spec: { ...warn.body.spec, mystery: 2 } };
      const ignore = await call('PUT', `${PODS}/warn?fieldValidation=Ignore`, again);
      assert.equal(ignore.status, 200);
      assert.deepEqual(ignore.warnings, []);
      assert.equal(ignore.body.spec.mystery, undefined);
    });
  });

  describe('patch', () => {
    it('merge patch: unknown fields of the patched object (422 under Strict, warnings under Warn)', async () => {
      const strict = await call(
        'PATCH',
        `${PODS}/warn?fieldValidation=Strict`,
        '{"spec":{"zzz":1}}',
        'application/merge-patch+json',
      );
      assert.equal(strict.status, 422);
      assert.equal(strict.body.reason, 'Invalid');
      assert.match(
        strict.body.message,
        /^ "" is invalid: patch: Invalid value: "\{.*\}": strict decoding error: unknown field "spec.zzz"$/,
      );
      assert.deepEqual(
        strict.body.details.causes.map((c: Any) => c.field),
        ['patch'],
      );
      const warn = await call(
        'PATCH',
        `${PODS}/warn`,
        '{"metadata":{"labels":{"p":"q"}},"spec":{"zzz":1}}',
        'application/merge-patch+json',
      );
      assert.equal(warn.status, 200);
      assert.deepEqual(warn.warnings, ['unknown field "spec.zzz"']);
      assert.equal(warn.body.spec.zzz, undefined);
      assert.equal(warn.body.metadata.labels.p, 'q');
    });

    it('merge patch: duplicated keys in the patch itself', async () => {
      const r = await call(
        'PATCH',
        `${PODS}/warn?fieldValidation=Strict`,
        '{"metadata":{"labels":{"d":"1","d":"2"}}}',
        'application/merge-patch+json',
      );
      assert.equal(r.status, 422);
      assert.match(r.body.message, /strict decoding error: duplicate field "metadata.labels.d"$/);
    });

    it('strategic merge patch: the patch map is shown as Go prints it', async () => {
      const r = await call(
        'PATCH',
        `${PODS}/warn?fieldValidation=Strict`,
        '{"spec":{"zzz":1}}',
        'application/strategic-merge-patch+json',
      );
      assert.equal(r.status, 422);
      assert.equal(
        r.body.message,
        ' "" is invalid: patch: Invalid value: "map[spec:map[zzz:1]]": strict decoding error: unknown field "spec.zzz"',
      );
      const ignore = await call(
        'PATCH',
        `${PODS}/warn?fieldValidation=Ignore`,
        '{"spec":{"zzz":1},"metadata":{"labels":{"s":"t"}}}',
        'application/strategic-merge-patch+json',
      );
      assert.equal(ignore.status, 200);
      assert.deepEqual(ignore.warnings, []);
      assert.equal(ignore.body.metadata.labels.s, 't');
    });

    it('JSON patch: unknown fields of operations and of the result', async () => {
      const body = '[{"op":"add","path":"/spec/zzz","value":1,"extra":true}]';
      const strict = await call('PATCH', `${PODS}/warn?fieldValidation=Strict`, body, 'application/json-patch+json');
      assert.equal(strict.status, 422);
      assert.match(
        strict.body.message,
        /strict decoding error: json patch unknown field "\[0\]\.extra", unknown field "spec.zzz"$/,
      );
      const warn = await call('PATCH', `${PODS}/warn`, body, 'application/json-patch+json');
      assert.equal(warn.status, 200);
      assert.deepEqual(warn.warnings, ['json patch unknown field "[0].extra"', 'unknown field "spec.zzz"']);
    });

    it('a patch making a field the wrong type is a 422 whatever the directive', async () => {
      const r = await call(
        'PATCH',
        `${PODS}/warn?fieldValidation=Ignore`,
        '{"spec":{"nodeName":5}}',
        'application/merge-patch+json',
      );
      assert.equal(r.status, 422);
      assert.match(
        r.body.message,
        /json: cannot unmarshal number into Go struct field PodSpec.spec.nodeName of type string$/,
      );
    });

    it('patching objects written by the server raises no warnings', async () => {
      const created = await call('POST', `${DS}`, {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'clean' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] },
          },
        },
      });
      assert.equal(created.status, 201);
      for (const [path, ct] of [
        [`${DS}/clean`, 'application/strategic-merge-patch+json'],
        ['/apis/extensions/v1beta1/namespaces/default/daemonsets/clean', 'application/merge-patch+json'],
        ['/api/v1/namespaces/default', 'application/merge-patch+json'],
      ] as const) {
        const r = await call(
          'PATCH',
          `${path}?fieldValidation=Strict`,
          '{"metadata":{"labels":{"touched":"yes"}}}',
          ct,
        );
        assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.warnings, []);
      }
    });
  });
});
