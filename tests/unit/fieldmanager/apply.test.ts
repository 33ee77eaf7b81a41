import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { conflictError, fieldManagerFor, LAST_APPLIED_ANNOTATION } from '../../../server/fieldmanager/index.js';
import { fieldPE, keyPE, pathString } from '../../../server/fieldmanager/fieldpath.js';
import { typeFor } from '../../../server/fieldmanager/typed.js';
import {
  apply,
  ConflictsError,
  update,
  type ManagedFieldSets,
  type UpdaterContext,
} from '../../../server/fieldmanager/updater.js';
import type { ResourceHandle } from '../../../server/registry/registry.js';
import { daemonSets } from '../../../server/registry/resources/daemonsets/index.js';
import { nodes } from '../../../server/registry/resources/nodes/index.js';
import { StatusError } from '../../../server/registry/status.js';

const NODE = typeFor('', 'v1', 'Node');
const ctx: UpdaterContext = { typeOf: () => NODE, convert: (o) => o, ignored: () => undefined };
const paths = (m: ManagedFieldSets, id: string) => m.get(id)?.set.paths().map(pathString) ?? [];
const node = (labels: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n', labels },
  spec,
});

describe('updater: updates', () => {
  it('the updater gains what it adds or changes; others lose what it changed or removed', () => {
    let m: ManagedFieldSets = new Map();
    m = update(ctx, {}, node({ a: '1', b: '2' }), 'v1', m, 'creator');
    m = update(ctx, node({ a: '1', b: '2' }), node({ a: '9', c: '3' }), 'v1', m, 'editor');
    // (No normalization or metadata stripping at this level: the FieldManager adds those.)
    assert.deepEqual(paths(m, 'creator'), [
      '.apiVersion',
      '.kind',
      '.metadata',
      '.spec',
      '.metadata.labels',
      '.metadata.name',
    ]);
    assert.deepEqual(paths(m, 'editor'), ['.metadata.labels.a', '.metadata.labels.c']);
  });

  it('an update that changes nothing records nothing', () => {
    const m = update(ctx, node({ a: '1' }), node({ a: '1' }), 'v1', new Map(), 'x');
    assert.equal(m.size, 0);
  });
});

describe('updater: apply', () => {
  const live = node({ a: '1' }, { podCIDR: '10.0.0.0/24' });
  const owned: ManagedFieldSets = new Map([
    [
      'updater',
      { set: update(ctx, {}, live, 'v1', new Map(), 'updater').get('updater')!.set, apiVersion: 'v1', applied: false },
    ],
  ]);

  it('changing a field another manager owns is a conflict', () => {
    assert.throws(
      () => apply(ctx, live, node({ a: '2' }), 'v1', owned, 'applier', false),
      (e: unknown) =>
        e instanceof ConflictsError &&
        e.conflicts.length === 1 &&
        pathString(e.conflicts[0]!.path) === '.metadata.labels.a' &&
        e.conflicts[0]!.manager === 'updater',
    );
  });

  it('force takes the field over', () => {
    const r = apply(ctx, live, node({ a: '2' }), 'v1', owned, 'applier', true);
    assert.equal((r.object as { metadata: { labels: Record<string, string> } }).metadata.labels.a, '2');
    assert.ok(!paths(r.managers, 'updater').includes('.metadata.labels.a'));
    assert.ok(paths(r.managers, 'applier').includes('.metadata.labels.a'));
  });

  it('applying the same value shares ownership without conflict; a no-op returns no object', () => {
    const r = apply(ctx, live, node({ a: '1' }), 'v1', owned, 'applier', false);
    assert.equal(r.object, undefined);
    assert.ok(paths(r.managers, 'updater').includes('.metadata.labels.a'));
    assert.ok(paths(r.managers, 'applier').includes('.metadata.labels.a'));
  });

  it('fields the applier stops applying are removed unless another manager owns them', () => {
    const first = apply(ctx, live, node({ x: '1', y: '2' }), 'v1', owned, 'applier', false);
    const obj1 = first.object as ReturnType<typeof node>;
    assert.deepEqual(obj1.metadata.labels, { a: '1', x: '1', y: '2' });
    const second = apply(ctx, obj1, node({ x: '1' }), 'v1', first.managers, 'applier', false);
    assert.deepEqual((second.object as ReturnType<typeof node>).metadata.labels, { a: '1', x: '1' });
    // 'a' is owned by the updater: applying without it never removes it.
    const third = apply(ctx, obj1, node({}), 'v1', first.managers, 'applier', false);
    assert.deepEqual((third.object as ReturnType<typeof node>).metadata.labels, { a: '1' });
  });

  it('keyed list items are pruned item by item', () => {
    const withTaints = {
      ...node({}),
      status: {
        addresses: [
          { type: 'InternalIP', address: '1.1.1.1' },
          { type: 'Hostname', address: 'n' },
        ],
      },
    };
    const r1 = apply(ctx, node({}), withTaints, 'v1', new Map(), 'applier', false);
    const next = { ...node({}), status: { addresses: [{ type: 'Hostname', address: 'n' }] } };
    const r2 = apply(ctx, r1.object, next, 'v1', r1.managers, 'applier', false);
    assert.deepEqual((r2.object as { status: unknown }).status, { addresses: [{ type: 'Hostname', address: 'n' }] });
  });
});

describe('conflict errors', () => {
  it('one conflict: upstream message and cause', () => {
    const err = conflictError([
      {
        manager: '{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1"}',
        path: [
          fieldPE('spec'),
          fieldPE('template'),
          fieldPE('spec'),
          fieldPE('containers'),
          keyPE([['name', 'fluentd']]),
          fieldPE('image'),
        ],
      },
    ]);
    assert.equal(err.code, 409);
    assert.equal(err.status.reason, 'Conflict');
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="fluentd"].image',
    );
    assert.deepEqual(err.status.details, {
      causes: [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl-client-side-apply" using apps/v1',
          field: '.spec.template.spec.containers[name="fluentd"].image',
        },
      ],
    });
  });

  it('several conflicts are grouped by manager; appliers and subresources are named as upstream', () => {
    const err = conflictError([
      { manager: '{"manager":"b","operation":"Apply"}', path: [fieldPE('x')] },
      {
        manager: '{"manager":"a","operation":"Update","apiVersion":"v1","subresource":"status"}',
        path: [fieldPE('y')],
      },
      {
        manager: '{"manager":"a","operation":"Update","apiVersion":"v1","subresource":"status"}',
        path: [fieldPE('z')],
      },
    ]);
    assert.equal(
      err.message,
      'Apply failed with 3 conflicts: conflicts with "a" with subresource "status" using v1:\n- .y\n- .z\nconflicts with "b":\n- .x',
    );
  });
});

const handle = (def: typeof nodes, version = 0): ResourceHandle => ({
  def,
  view: def.versions[version]!,
  store: undefined as never,
});
const NODES = handle(nodes);
type Entry = { manager: string; operation: string; apiVersion: string; subresource?: string; fieldsV1: unknown };
const entries = (o: KubeObject) =>
  ((o.metadata.managedFields ?? []) as Entry[]).map(
    (e) => `${e.manager}/${e.operation}/${e.apiVersion}${e.subresource ? '/' + e.subresource : ''}`,
  );

describe('FieldManager', () => {
  const fm = fieldManagerFor(NODES);
  const created = () =>
    fm.update(
      undefined,
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { a: '1' } } } as KubeObject,
      'creator',
    );

  it('create records an Update entry with time and FieldsV1', () => {
    const obj = created();
    const e = obj.metadata.managedFields![0] as Entry & { time: string; fieldsType: string };
    assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
    assert.deepEqual(e.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {}, '.': {} } } });
  });

  it('status writes are recorded with their subresource and keep the live managedFields', () => {
    const live = { ...created(), metadata: { ...created().metadata, uid: 'u' } } as KubeObject;
    const next = {
      ...live,
      metadata: { ...live.metadata, managedFields: [{}] },
      status: { phase: 'Running' },
    } as KubeObject;
    const out = fm.update(live, next, 'kubelet', 'status');
    assert.deepEqual(entries(out), ['creator/Update/v1', 'kubelet/Update/v1/status']);
  });

  it('a body may replace valid managedFields, reset them with [{}], and not break them when invalid', () => {
    const live = { ...created(), metadata: { ...created().metadata, uid: 'u' } } as KubeObject;
    const reset = fm.update(
      live,
      { ...live, metadata: { ...live.metadata, managedFields: [{}], labels: { a: '2' } } } as KubeObject,
      'x',
    );
    assert.equal(reset.metadata.managedFields, undefined);
    const invalid = fm.update(
      live,
      { ...live, metadata: { ...live.metadata, managedFields: [{ manager: 'x', operation: 'Bogus' }] } } as KubeObject,
      'x',
    );
    assert.deepEqual(entries(invalid), ['creator/Update/v1']);
    const given = [
      {
        manager: 'other',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } } },
      },
    ];
    const replaced = fm.update(
      live,
      { ...live, metadata: { ...live.metadata, managedFields: given } } as KubeObject,
      'x',
    );
    assert.deepEqual(entries(replaced), ['other/Update/v1']);
  });

  it('apply to an object without managedFields gives existing fields to before-first-apply', () => {
    const live = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n', uid: 'u', labels: { a: '1' } },
    } as KubeObject;
    const out = fm.apply(
      live,
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { b: '2' } } },
      'applier',
      false,
    );
    assert.deepEqual(entries(out), ['applier/Apply/v1', 'before-first-apply/Update/v1']);
    assert.deepEqual(out.metadata.labels, { a: '1', b: '2' });
  });

  it('apply refuses other kinds, managedFields in the config, and undeclared fields', () => {
    const base = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } };
    assert.throws(
      () => fm.apply(undefined, { ...base, kind: 'Pod' }, 'a', false),
      (e: unknown) => e instanceof StatusError && e.message === 'invalid object type: /v1, Kind=Pod',
    );
    assert.throws(
      () => fm.apply(undefined, { ...base, metadata: { name: 'n', managedFields: [] } }, 'a', false),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'metadata.managedFields must be nil',
    );
    assert.throws(
      () => fm.apply(undefined, { ...base, spec: { foo: 1 } }, 'a', false),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 500 &&
        e.message ===
          'failed to create typed patch object (/n; /v1, Kind=Node): .spec.foo: field not declared in schema',
    );
  });

  it('kubectl takes over fields its client-side last-applied configuration explains, and keeps the annotation in sync', () => {
    const lastApplied = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { annotations: {}, labels: { a: '1' }, name: 'n' },
    });
    const live = fm.update(
      undefined,
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n', labels: { a: '1' }, annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } },
      } as KubeObject,
      'kubectl-client-side-apply',
    );
    live.metadata.uid = 'u';
    const config = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { a: '2' } } };
    assert.throws(
      () => fm.apply(live, config, 'someone-else', false),
      (e: unknown) => e instanceof StatusError && e.code === 409,
    );
    const out = fm.apply(live, config, 'kubectl', false);
    assert.equal(out.metadata.labels!.a, '2');
    assert.equal(
      out.metadata.annotations![LAST_APPLIED_ANNOTATION],
      '{"apiVersion":"v1","kind":"Node","metadata":{"labels":{"a":"2"},"name":"n"}}\n',
    );
  });

  it('DaemonSets: managers of the other version are compared in their own version', () => {
    const ext = fieldManagerFor(handle(daemonSets, 1));
    const apps = fieldManagerFor(handle(daemonSets, 0));
    const tmpl = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
    const created = ext.update(
      undefined,
      {
        apiVersion: 'extensions/v1beta1',
        kind: 'DaemonSet',
        metadata: { name: 'd', namespace: 'ns' },
        spec: { template: tmpl },
      } as KubeObject,
      'kubectl-create',
    );
    created.metadata.uid = 'u';
    const storage = daemonSets.versions[1]!.toStorage(structuredClone(created), {
      view: daemonSets.versions[1]!,
      now: new Date(),
      dryRun: true,
    });
    const appsLive = daemonSets.versions[0]!.fromStorage(storage);
    const config = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'd', namespace: 'ns' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: { ...tmpl, spec: { containers: [{ name: 'c', image: 'i:2' }] } },
      },
    };
    assert.throws(
      () => apps.apply(appsLive, config, 'applier', false),
      (e: unknown) =>
        e instanceof StatusError &&
        e.message ===
          'Apply failed with 1 conflict: conflict with "kubectl-create" using extensions/v1beta1: .spec.template.spec.containers[name="c"].image',
    );
  });
});
