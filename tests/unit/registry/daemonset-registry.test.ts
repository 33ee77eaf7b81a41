// DaemonSet and ControllerRevision registry rules: strategy (generation, templateGeneration, status) and
// validation with upstream's messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import { fieldLabelsOf } from '../../../server/registry/definition.js';
import { controllerRevisions } from '../../../server/registry/resources/controllerrevisions/index.js';
import {
  daemonSets,
  daemonSetStatusStrategy,
  daemonSetStrategy,
} from '../../../server/registry/resources/daemonsets/index.js';
import {
  goLabelSelector,
  goRawExtension,
  TEMPLATE_GENERATION_ANNOTATION,
  templateGenerationOf,
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDaemonSetSelectorUpdate,
  validateDaemonSetSpec,
  validateDaemonSetSpecUpdate,
  validateDaemonSetStatusUpdate,
} from '../../../server/registry/validation/apps.js';
import { appsV1DaemonSetView, defaultAppsV1DaemonSet } from '../../../server/registry/resources/daemonsets/apps-v1.js';
import { extensionsV1beta1DaemonSetView } from '../../../server/registry/resources/daemonsets/extensions-v1beta1.js';

type Any = Record<string, any>;
const ANN = TEMPLATE_GENERATION_ANNOTATION;
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const ctx = (view = appsV1DaemonSetView) => ({ view, now: new Date(), dryRun: false, namespace: 'default' });
const msgs = (errs: Parameters<typeof fieldErrorString>[0][]) => errs.map(fieldErrorString);

/** A valid storage-form DaemonSet (apps/v1 defaults, generation 1, templateGeneration 1), changed by `mut`. */
function stored(mut?: (ds: Any) => void): KubeObject {
  const ds: Any = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'ds', namespace: 'default', generation: 1, annotations: { [ANN]: '1' } },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    },
  };
  defaultAppsV1DaemonSet(ds as KubeObject);
  ds.status = {
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    desiredNumberScheduled: 1,
    numberReady: 1,
    observedGeneration: 1,
  };
  mut?.(ds);
  return ds as KubeObject;
}

describe('DaemonSet strategy: create', () => {
  const rows: Array<[string, ((ds: Any) => void) | undefined, number]> = [
    ['no annotation gives templateGeneration 1', (ds) => delete ds.metadata.annotations, 1],
    ['templateGeneration 0 becomes 1', (ds) => (ds.metadata.annotations[ANN] = '0'), 1],
    ['negative becomes 1', (ds) => (ds.metadata.annotations[ANN] = '-5'), 1],
    ['templateGeneration 999 is kept', (ds) => (ds.metadata.annotations[ANN] = '999'), 999],
  ];
  for (const [name, mut, tg] of rows) {
    it(name, () => {
      const ds = stored(mut);
      daemonSetStrategy.prepareForCreate(ds, ctx());
      assert.equal(ds.metadata.annotations?.[ANN], String(tg));
    });
  }
  it('status is cleared to the zero status', () => {
    const ds = stored();
    daemonSetStrategy.prepareForCreate(ds, ctx());
    assert.deepEqual(ds.status, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });
  it('generation is 1', () => {
    const ds = stored((d) => (d.metadata.generation = 7));
    daemonSetStrategy.prepareForCreate(ds, ctx());
    assert.equal(ds.metadata.generation, 1);
  });
  it('a RollingUpdate without maxSurge (extensions request) gets 0', () => {
    const ds = stored((d) => delete d.spec.updateStrategy.rollingUpdate.maxSurge);
    daemonSetStrategy.prepareForCreate(ds, ctx(extensionsV1beta1DaemonSetView));
    assert.deepEqual(ds.spec && (ds.spec as Any).updateStrategy.rollingUpdate, { maxUnavailable: 1, maxSurge: 0 });
  });
});

describe('DaemonSet strategy: update', () => {
  // [name, change to the new object, view, expected generation, expected templateGeneration]
  const rows: Array<[string, (ds: Any) => void, typeof appsV1DaemonSetView, number, number]> = [
    ['no change', () => {}, appsV1DaemonSetView, 1, 1],
    ['metadata-only change', (ds) => (ds.metadata.labels = { a: 'b' }), appsV1DaemonSetView, 1, 1],
    [
      'template change bumps both',
      (ds) => (ds.spec.template.spec.containers[0].image = 'nginx:2'),
      appsV1DaemonSetView,
      2,
      2,
    ],
    [
      'template label change bumps both',
      (ds) => (ds.spec.template.metadata.labels.extra = 'y'),
      appsV1DaemonSetView,
      2,
      2,
    ],
    ['other spec change bumps generation only', (ds) => (ds.spec.minReadySeconds = 5), appsV1DaemonSetView, 2, 1],
    [
      'strategy change bumps generation only',
      (ds) => (ds.spec.updateStrategy = { type: 'OnDelete' }),
      appsV1DaemonSetView,
      2,
      1,
    ],
    ['client templateGeneration is ignored', (ds) => (ds.metadata.annotations[ANN] = '50'), appsV1DaemonSetView, 1, 1],
    ['removed annotation is restored', (ds) => delete ds.metadata.annotations, appsV1DaemonSetView, 1, 1],
    ['client generation is ignored', (ds) => (ds.metadata.generation = 9), appsV1DaemonSetView, 1, 1],
    ['status change is ignored', (ds) => (ds.status.numberReady = 0), appsV1DaemonSetView, 1, 1],
    [
      'extensions request without maxSurge keeps it',
      (ds) => delete ds.spec.updateStrategy.rollingUpdate.maxSurge,
      extensionsV1beta1DaemonSetView,
      1,
      1,
    ],
  ];
  for (const [name, change, view, generation, tg] of rows) {
    it(name, () => {
      const old = stored();
      const ds = copy(old) as Any;
      change(ds);
      ds.metadata.generation = old.metadata.generation; // what the store's BeforeUpdate does
      daemonSetStrategy.prepareForUpdate(ds as KubeObject, old, ctx(view));
      assert.equal(ds.metadata.generation, generation, 'generation');
      assert.equal(templateGenerationOf(ds), tg, 'templateGeneration');
      assert.deepEqual(ds.status, old.status, 'status kept');
      assert.deepEqual(msgs(daemonSetStrategy.validateUpdate(ds as KubeObject, old, ctx(view))), []);
    });
  }
  it('the stored maxSurge survives an extensions update', () => {
    const old = stored((d) => (d.spec.updateStrategy.rollingUpdate = { maxUnavailable: 0, maxSurge: 2 }));
    const ds = copy(old) as Any;
    delete ds.spec.updateStrategy.rollingUpdate.maxSurge;
    daemonSetStrategy.prepareForUpdate(ds as KubeObject, old, ctx(extensionsV1beta1DaemonSetView));
    assert.equal(ds.spec.updateStrategy.rollingUpdate.maxSurge, 2);
  });
  it('a successive template change keeps counting', () => {
    const old = stored((d) => ((d.metadata.annotations[ANN] = '5'), (d.metadata.generation = 8)));
    const ds = copy(old) as Any;
    ds.spec.template.spec.containers[0].image = 'nginx:3';
    daemonSetStrategy.prepareForUpdate(ds as KubeObject, old, ctx());
    assert.deepEqual([ds.metadata.generation, ds.metadata.annotations[ANN]], [9, '6']);
  });
});

describe('DaemonSet status strategy', () => {
  it('keeps spec, templateGeneration and generation; takes status', () => {
    const old = stored((d) => (d.metadata.annotations[ANN] = '4'));
    const ds = copy(old) as Any;
    ds.spec.minReadySeconds = 30;
    ds.spec.selector = null;
    ds.metadata.annotations[ANN] = '1';
    ds.metadata.generation = 5;
    ds.status = { numberReady: 3, conditions: [{ type: 'StatusPatched', status: 'True' }], numberUnavailable: 0 };
    daemonSetStatusStrategy.prepareForUpdate(ds as KubeObject, old, ctx());
    assert.deepEqual(ds.spec, old.spec);
    assert.equal(ds.metadata.annotations[ANN], '4');
    assert.equal(ds.metadata.generation, 1);
    assert.deepEqual(ds.status, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 3,
      conditions: [{ type: 'StatusPatched', status: 'True' }],
    });
  });
});

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';
const NEG = 'must be greater than or equal to 0';
const PERCENT =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

describe('ValidateDaemonSetSpec messages', () => {
  const ru = (r: Any) => (ds: Any) => (ds.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: r });
  const rows: Array<[string, (ds: Any) => void, string[]]> = [
    ['valid', () => {}, []],
    [
      'selector does not match',
      (ds) => (ds.spec.template.metadata.labels = { app: 'y' }),
      [`spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: ${SELECTOR_MISMATCH}`],
    ],
    [
      'nil selector matches nothing',
      (ds) => delete ds.spec.selector,
      [`spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: ${SELECTOR_MISMATCH}`],
    ],
    [
      'no template labels',
      (ds) => delete ds.spec.template.metadata.labels,
      [`spec.template.metadata.labels: Invalid value: map[string]string(nil): ${SELECTOR_MISMATCH}`],
    ],
    [
      'empty selector',
      (ds) => (ds.spec.selector = {}),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for daemonset',
      ],
    ],
    [
      'invalid selector operator',
      (ds) => (ds.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Foo', values: ['x'] }] }),
      ['spec.selector.matchExpressions[0].operator: Invalid value: "Foo": not a valid selector operator'],
    ],
    [
      'restartPolicy OnFailure',
      (ds) => (ds.spec.template.spec.restartPolicy = 'OnFailure'),
      ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'activeDeadlineSeconds',
      (ds) => (ds.spec.template.spec.activeDeadlineSeconds = 10),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported'],
    ],
    [
      'no containers',
      (ds) => (ds.spec.template.spec.containers = []),
      ['spec.template.spec.containers: Required value'],
    ],
    [
      'ephemeral containers',
      (ds) => (ds.spec.template.spec.ephemeralContainers = [{ name: 'e', image: 'busybox' }]),
      ['spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template'],
    ],
    [
      'read-write GCE PD',
      (ds) => (ds.spec.template.spec.volumes = [{ name: 'pd', gcePersistentDisk: { pdName: 'd' } }]),
      [
        'spec.template.spec.volumes[0].gcePersistentDisk.readOnly: Invalid value: false: must be true for replicated pods > 1; GCE PD can only be mounted on multiple machines if it is read-only',
      ],
    ],
    [
      'negative minReadySeconds',
      (ds) => (ds.spec.minReadySeconds = -1),
      [`spec.minReadySeconds: Invalid value: -1: ${NEG}`],
    ],
    [
      'negative revisionHistoryLimit',
      (ds) => (ds.spec.revisionHistoryLimit = -1),
      [`spec.revisionHistoryLimit: Invalid value: -1: ${NEG}`],
    ],
    ['zero revisionHistoryLimit', (ds) => (ds.spec.revisionHistoryLimit = 0), []],
    [
      'negative templateGeneration',
      (ds) => (ds.metadata.annotations[ANN] = '-1'),
      [`spec.templateGeneration: Invalid value: -1: ${NEG}`],
    ],
    [
      'unknown strategy type',
      (ds) => (ds.spec.updateStrategy = { type: 'Foo' }),
      [
        'spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:"Foo", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"',
      ],
    ],
    [
      'RollingUpdate without rollingUpdate',
      (ds) => (ds.spec.updateStrategy = { type: 'RollingUpdate' }),
      ['spec.updateStrategy.rollingUpdate: Required value'],
    ],
    ['OnDelete', (ds) => (ds.spec.updateStrategy = { type: 'OnDelete' }), []],
    [
      'both limits 0',
      ru({ maxUnavailable: 0, maxSurge: 0 }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    ['surge only', ru({ maxUnavailable: 0, maxSurge: '20%' }), []],
    [
      'both limits set',
      ru({ maxUnavailable: 1, maxSurge: 1 }),
      ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
    ],
    [
      'percent over 100',
      ru({ maxUnavailable: '150%', maxSurge: 0 }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 150%: must not be greater than 100%'],
    ],
    [
      '0% is zero',
      ru({ maxUnavailable: '0%', maxSurge: 0 }),
      ['spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0'],
    ],
    [
      'not a percent',
      ru({ maxUnavailable: 'abc', maxSurge: 0 }),
      [
        `spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: abc: ${PERCENT}`,
        'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
      ],
    ],
    [
      'negative maxUnavailable',
      ru({ maxUnavailable: -1, maxSurge: 0 }),
      [`spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: ${NEG}`],
    ],
    [
      'negative maxSurge',
      ru({ maxUnavailable: 0, maxSurge: -2 }),
      [`spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: -2: ${NEG}`],
    ],
  ];
  for (const [name, mut, want] of rows)
    it(name, () => assert.deepEqual(msgs(validateDaemonSetSpec(stored(mut))), want));
});

describe('ValidateDaemonSetSpecUpdate (templateGeneration)', () => {
  const rows: Array<[string, string, boolean, string[]]> = [
    ['same, template unchanged', '1', false, []],
    ['incremented with template change', '2', true, []],
    ['decremented', '0', false, ['spec.templateGeneration: Invalid value: 0: must not be decremented']],
    [
      'same with template change',
      '1',
      true,
      ['spec.templateGeneration: Invalid value: 1: must be incremented upon template update'],
    ],
    [
      'incremented without template change',
      '2',
      false,
      ['spec.templateGeneration: Invalid value: 2: must not be incremented without template update'],
    ],
  ];
  for (const [name, tg, templateChanged, want] of rows) {
    it(name, () => {
      const ds = stored((d) => {
        d.metadata.annotations[ANN] = tg;
        if (templateChanged) d.spec.template.spec.containers[0].image = 'other:1';
      });
      assert.deepEqual(msgs(validateDaemonSetSpecUpdate(ds, stored())), want);
    });
  }
});

describe('selector immutability (apps/v1 view)', () => {
  const rows: Array<[string, (ds: Any) => void, string[]]> = [
    ['unchanged', () => {}, []],
    [
      'matchLabels changed',
      (ds) => (ds.spec.selector = { matchLabels: { app: 'y' } }),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ],
    ],
    [
      'expression added',
      (ds) => (ds.spec.selector.matchExpressions = [{ key: 'tier', operator: 'In', values: ['a', 'b'] }]),
      [
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"a", "b"}}}}: field is immutable',
      ],
    ],
    ['removed', (ds) => delete ds.spec.selector, ['spec.selector: Invalid value: "null": field is immutable']],
    ['empty expressions equal absent ones', (ds) => (ds.spec.selector.matchExpressions = []), []],
  ];
  for (const [name, mut, want] of rows) {
    it(name, () => {
      const old = stored();
      assert.deepEqual(msgs(validateDaemonSetSelectorUpdate(stored(mut), old)), want);
      assert.deepEqual(msgs(appsV1DaemonSetView.validateUpdate!(stored(mut), old)), want);
    });
  }
});

describe('ValidateDaemonSetStatusUpdate', () => {
  const rows: Array<[string, Any, Any, string[]]> = [
    ['valid', {}, { numberReady: 2 }, []],
    ['negative counter', {}, { numberReady: -1 }, [`status.numberReady: Invalid value: -1: ${NEG}`]],
    [
      'negative observedGeneration',
      {},
      { observedGeneration: -3 },
      [`status.observedGeneration: Invalid value: -3: ${NEG}`],
    ],
    ['negative collisionCount', {}, { collisionCount: -1 }, [`status.collisionCount: Invalid value: -1: ${NEG}`]],
    [
      'collisionCount decremented',
      { collisionCount: 2 },
      { collisionCount: 1 },
      ['status.collisionCount: Invalid value: 1: cannot be decremented'],
    ],
    [
      'collisionCount removed',
      { collisionCount: 2 },
      {},
      ['status.collisionCount: Invalid value: 0: cannot be decremented'],
    ],
    ['collisionCount incremented', { collisionCount: 2 }, { collisionCount: 3 }, []],
  ];
  for (const [name, oldStatus, newStatus, want] of rows) {
    it(name, () =>
      assert.deepEqual(msgs(validateDaemonSetStatusUpdate({ status: newStatus }, { status: oldStatus })), want),
    );
  }
});

describe('ControllerRevision validation', () => {
  const data = { spec: { template: { $patch: 'replace' } } };
  const create: Array<[string, Any, string[]]> = [
    ['valid', { data, revision: 1 }, []],
    ['no data', { revision: 1 }, ['data: Required value: data is mandatory']],
    ['null data', { data: null, revision: 1 }, ['data: Required value: data is mandatory']],
    ['negative revision', { data, revision: -1 }, [`revision: Invalid value: -1: ${NEG}`]],
    ['absent revision is 0', { data }, []],
  ];
  for (const [name, cr, want] of create)
    it(`create: ${name}`, () => assert.deepEqual(msgs(validateControllerRevision(cr)), want));
  const update: Array<[string, Any, string[]]> = [
    ['revision changed', { data: copy(data), revision: 5 }, []],
    ['data changed', { data: {}, revision: 1 }, [`data: Invalid value: ${goRawExtension({})}: field is immutable`]],
    [
      'data removed',
      { revision: 1 },
      ['data: Required value: data is mandatory', 'data: Invalid value: "null": field is immutable'],
    ],
  ];
  for (const [name, cr, want] of update)
    it(`update: ${name}`, () =>
      assert.deepEqual(msgs(validateControllerRevisionUpdate(cr, { data, revision: 1 })), want));
  it('renders data like runtime.Unknown', () => {
    assert.equal(
      goRawExtension({}),
      'runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:"", Kind:""}, Raw:[]uint8{0x7b, 0x7d}, ContentEncoding:"", ContentType:"application/json"}',
    );
  });
});

describe('definitions', () => {
  const rows: Array<[string, unknown, unknown]> = [
    ['daemonsets group', daemonSets.group, 'apps'],
    ['daemonsets etcd prefix', daemonSets.etcdPrefix, 'daemonsets'],
    ['daemonsets views in order', daemonSets.versions.map((v) => v.groupVersion), ['apps/v1', 'extensions/v1beta1']],
    ['daemonsets field labels', fieldLabelsOf(daemonSets), ['metadata.name', 'metadata.namespace']],
    ['daemonsets has /status', !!daemonSets.statusStrategy, true],
    ['daemonsets name rule', daemonSets.nameValidator('Bad_Name', false).length > 0, true],
    ['controllerrevisions views', controllerRevisions.versions.map((v) => v.groupVersion), ['apps/v1']],
    ['controllerrevisions etcd prefix', controllerRevisions.etcdPrefix, 'controllerrevisions'],
    ['controllerrevisions has no /status', controllerRevisions.statusStrategy, undefined],
    ['controllerrevisions propagation', controllerRevisions.versions[0]!.defaultPropagationPolicy, 'Background'],
    [
      'label selector rendering',
      goLabelSelector({ matchLabels: {} }),
      'v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}',
    ],
  ];
  for (const [name, got, want] of rows) it(name, () => assert.deepEqual(got, want));
});
