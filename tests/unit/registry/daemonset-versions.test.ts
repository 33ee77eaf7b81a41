// DaemonSet views: per-version defaulting (apps/v1, extensions/v1beta1) and conversion to and from storage.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from '../../../apimachinery/copy.js';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { StatusError } from '../../../server/registry/status.js';
import { TEMPLATE_GENERATION_ANNOTATION } from '../../../server/registry/validation/apps.js';
import { appsV1DaemonSetView, defaultAppsV1DaemonSet } from '../../../server/registry/resources/daemonsets/apps-v1.js';
import { normalizeDaemonSetStatus } from '../../../server/registry/resources/daemonsets/conversion.js';
import {
  defaultExtensionsV1beta1DaemonSet,
  extensionsDaemonSetFromStorage,
  extensionsDaemonSetToStorage,
  extensionsV1beta1DaemonSetView,
} from '../../../server/registry/resources/daemonsets/extensions-v1beta1.js';

type Any = Record<string, any>;
const ANN = TEMPLATE_GENERATION_ANNOTATION;
const ctx = (view = appsV1DaemonSetView) => ({ view, now: new Date(), dryRun: false, namespace: 'default' });
const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A body with template labels `app: x`; `mut` changes it before defaulting. */
function body(apiVersion: string, mut?: (b: Any) => void): Any {
  const b: Any = {
    apiVersion,
    kind: 'DaemonSet',
    metadata: { name: 'ds', namespace: 'default' },
    spec: {
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    },
  };
  mut?.(b);
  return b;
}

const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<any>((v, k) => (v == null ? undefined : v[k]), o);

describe('apps/v1 defaulting', () => {
  const rows: Array<[string, ((b: Any) => void) | undefined, string, unknown]> = [
    ['updateStrategy type RollingUpdate', undefined, 'spec.updateStrategy.type', 'RollingUpdate'],
    ['rollingUpdate maxUnavailable 1', undefined, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 1],
    ['rollingUpdate maxSurge 0', undefined, 'spec.updateStrategy.rollingUpdate.maxSurge', 0],
    ['revisionHistoryLimit 10', undefined, 'spec.revisionHistoryLimit', 10],
    ['selector not defaulted', undefined, 'spec.selector', undefined],
    ['metadata.labels not defaulted', undefined, 'metadata.labels', undefined],
    [
      'OnDelete gets no rollingUpdate',
      (b) => (b.spec.updateStrategy = { type: 'OnDelete' }),
      'spec.updateStrategy.rollingUpdate',
      undefined,
    ],
    [
      'explicit maxUnavailable kept',
      (b) => (b.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '20%' } }),
      'spec.updateStrategy.rollingUpdate.maxUnavailable',
      '20%',
    ],
    [
      'explicit maxSurge kept',
      (b) => (b.spec.updateStrategy = { rollingUpdate: { maxSurge: 2 } }),
      'spec.updateStrategy.rollingUpdate.maxSurge',
      2,
    ],
    ['explicit revisionHistoryLimit kept', (b) => (b.spec.revisionHistoryLimit = 0), 'spec.revisionHistoryLimit', 0],
    ['template restartPolicy Always', undefined, 'spec.template.spec.restartPolicy', 'Always'],
    ['template dnsPolicy ClusterFirst', undefined, 'spec.template.spec.dnsPolicy', 'ClusterFirst'],
    ['template schedulerName', undefined, 'spec.template.spec.schedulerName', 'default-scheduler'],
    ['template terminationGracePeriodSeconds', undefined, 'spec.template.spec.terminationGracePeriodSeconds', 30],
    [
      'container imagePullPolicy from tag',
      undefined,
      'spec.template.spec.containers.0.imagePullPolicy',
      'IfNotPresent',
    ],
    ['template creationTimestamp null', undefined, 'spec.template.metadata.creationTimestamp', null],
    ['missing spec gets a strategy', (b) => delete b.spec, 'spec.updateStrategy.type', 'RollingUpdate'],
  ];
  for (const [name, mut, path, want] of rows) {
    it(name, () => assert.deepEqual(get(defaultAppsV1DaemonSet(body('apps/v1', mut) as KubeObject), path), want));
  }
  it('spec keys follow the Go struct order', () => {
    const ds = defaultAppsV1DaemonSet(
      body(
        'apps/v1',
        (b) =>
          (b.spec = { revisionHistoryLimit: 3, template: b.spec.template, selector: { matchLabels: { app: 'x' } } }),
      ) as KubeObject,
    );
    assert.deepEqual(Object.keys(ds.spec as Any), ['selector', 'template', 'updateStrategy', 'revisionHistoryLimit']);
  });
});

describe('extensions/v1beta1 defaulting', () => {
  const rows: Array<[string, ((b: Any) => void) | undefined, string, unknown]> = [
    ['selector from template labels', undefined, 'spec.selector', { matchLabels: { app: 'x' } }],
    ['metadata.labels from template labels', undefined, 'metadata.labels', { app: 'x' }],
    [
      'explicit selector kept',
      (b) => (b.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Exists' }] }),
      'spec.selector',
      { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    ],
    ['explicit labels kept', (b) => (b.metadata.labels = { own: 'y' }), 'metadata.labels', { own: 'y' }],
    ['empty labels replaced', (b) => (b.metadata.labels = {}), 'metadata.labels', { app: 'x' }],
    ['no template labels: no selector', (b) => delete b.spec.template.metadata.labels, 'spec.selector', undefined],
    ['updateStrategy type OnDelete', undefined, 'spec.updateStrategy', { type: 'OnDelete' }],
    [
      'RollingUpdate gets maxUnavailable 1 only',
      (b) => (b.spec.updateStrategy = { type: 'RollingUpdate' }),
      'spec.updateStrategy.rollingUpdate',
      { maxUnavailable: 1 },
    ],
    ['revisionHistoryLimit 10', undefined, 'spec.revisionHistoryLimit', 10],
    ['templateGeneration not defaulted', undefined, 'spec.templateGeneration', undefined],
    ['template defaults applied', undefined, 'spec.template.spec.restartPolicy', 'Always'],
  ];
  for (const [name, mut, path, want] of rows) {
    it(name, () =>
      assert.deepEqual(
        get(defaultExtensionsV1beta1DaemonSet(body('extensions/v1beta1', mut) as KubeObject), path),
        want,
      ),
    );
  }
  it('the defaulted selector is a copy of the labels', () => {
    const ds = defaultExtensionsV1beta1DaemonSet(body('extensions/v1beta1') as KubeObject) as Any;
    ds.metadata.labels.extra = 'z';
    assert.deepEqual(ds.spec.selector.matchLabels, { app: 'x' });
  });
});

describe('extensions/v1beta1 → storage', () => {
  const toStorage = (mut?: (b: Any) => void): Any =>
    extensionsDaemonSetToStorage(defaultExtensionsV1beta1DaemonSet(body('extensions/v1beta1', mut) as KubeObject));
  const rows: Array<[string, ((b: Any) => void) | undefined, string, unknown]> = [
    ['apiVersion becomes apps/v1', undefined, 'apiVersion', 'apps/v1'],
    ['absent templateGeneration is annotation 0', undefined, 'metadata.annotations', { [ANN]: '0' }],
    [
      'templateGeneration moves to the annotation',
      (b) => (b.spec.templateGeneration = 999),
      'metadata.annotations',
      { [ANN]: '999' },
    ],
    ['templateGeneration leaves spec', (b) => (b.spec.templateGeneration = 999), 'spec.templateGeneration', undefined],
    [
      'client annotation is replaced',
      (b) => (b.metadata.annotations = { [ANN]: '42', keep: 'me' }),
      'metadata.annotations',
      { [ANN]: '0', keep: 'me' },
    ],
    ['other annotations kept', (b) => (b.metadata.annotations = { keep: 'me' }), 'metadata.annotations.keep', 'me'],
    [
      'maxSurge is not part of the version',
      (b) => (b.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }),
      'spec.updateStrategy.rollingUpdate',
      { maxUnavailable: 1 },
    ],
  ];
  for (const [name, mut, path, want] of rows) it(name, () => assert.deepEqual(get(toStorage(mut), path), want));
  it('a non-integer templateGeneration is a 400', () => {
    assert.throws(
      () => toStorage((b) => (b.spec.templateGeneration = 'x')),
      (e: unknown) => e instanceof StatusError && e.code === 400 && /cannot unmarshal string/.test(e.message),
    );
  });
});

describe('storage → extensions/v1beta1', () => {
  const stored = (mut?: (s: Any) => void): KubeObject => {
    const s = defaultAppsV1DaemonSet(
      body('apps/v1', (b) => (b.spec.selector = { matchLabels: { app: 'x' } })) as KubeObject,
    ) as Any;
    s.metadata.annotations = { [ANN]: '3' };
    mut?.(s);
    return deepFreeze(s as KubeObject);
  };
  const rows: Array<[string, ((s: Any) => void) | undefined, string, unknown]> = [
    ['annotation becomes templateGeneration', undefined, 'spec.templateGeneration', 3],
    ['annotation-only annotations disappear', undefined, 'metadata.annotations', undefined],
    ['other annotations stay', (s) => (s.metadata.annotations.keep = 'me'), 'metadata.annotations', { keep: 'me' }],
    [
      'templateGeneration 0 is omitted',
      (s) => (s.metadata.annotations[ANN] = '0'),
      'spec.templateGeneration',
      undefined,
    ],
    ['maxSurge hidden', undefined, 'spec.updateStrategy.rollingUpdate', { maxUnavailable: 1 }],
    [
      'OnDelete unchanged',
      (s) => (s.spec.updateStrategy = { type: 'OnDelete' }),
      'spec.updateStrategy',
      { type: 'OnDelete' },
    ],
  ];
  for (const [name, mut, path, want] of rows)
    it(name, () => assert.deepEqual(get(extensionsDaemonSetFromStorage(stored(mut)), path), want));
  it('does not mutate the frozen stored object', () => {
    const s = stored();
    const before = JSON.stringify(s);
    extensionsDaemonSetFromStorage(s);
    assert.equal(JSON.stringify(s), before);
  });
  it('spec keys follow the Go struct order', () => {
    assert.deepEqual(Object.keys(extensionsDaemonSetFromStorage(stored()).spec as Any), [
      'selector',
      'template',
      'updateStrategy',
      'templateGeneration',
      'revisionHistoryLimit',
    ]);
  });
  it('apps/v1 reads the stored form unchanged', () => {
    const s = stored();
    assert.equal(appsV1DaemonSetView.fromStorage(s), s);
  });
});

describe('round trips', () => {
  it('extensions body → storage → extensions is the defaulted body (templateGeneration kept)', () => {
    const ext = defaultExtensionsV1beta1DaemonSet(
      body('extensions/v1beta1', (b) => (b.spec.templateGeneration = 7)) as KubeObject,
    );
    const want = copy(ext);
    const back = extensionsDaemonSetFromStorage(deepFreeze(extensionsDaemonSetToStorage(copy(ext))));
    assert.deepEqual({ ...back, apiVersion: want.apiVersion }, want);
  });
  it('storage → extensions → storage is the stored object (OnDelete, no maxSurge)', () => {
    const s = defaultAppsV1DaemonSet(
      body(
        'apps/v1',
        (b) => ((b.spec.selector = { matchLabels: { app: 'x' } }), (b.spec.updateStrategy = { type: 'OnDelete' })),
      ) as KubeObject,
    ) as Any;
    s.metadata.annotations = { [ANN]: '5', other: 'o' };
    const want = copy(s);
    const back = extensionsDaemonSetToStorage(
      copy(extensionsDaemonSetFromStorage(deepFreeze(s as KubeObject)) as KubeObject),
    );
    assert.deepEqual(back, want);
  });
  it('storage → extensions → storage loses only maxSurge (the strategy restores it)', () => {
    const s = defaultAppsV1DaemonSet(
      body('apps/v1', (b) => (b.spec.selector = { matchLabels: { app: 'x' } })) as KubeObject,
    ) as Any;
    s.metadata.annotations = { [ANN]: '1' };
    const back = extensionsDaemonSetToStorage(
      copy(extensionsDaemonSetFromStorage(deepFreeze(copy(s) as KubeObject)) as KubeObject),
    ) as Any;
    delete s.spec.updateStrategy.rollingUpdate.maxSurge;
    assert.deepEqual(back, s);
  });
});

describe('apps/v1 → storage', () => {
  const rows: Array<[string, string, string]> = [
    ['plain integer', '4', '4'],
    ['explicit plus sign normalized', '+4', '4'],
  ];
  for (const [name, value, want] of rows) {
    it(name, () => {
      const b = body('apps/v1', (x) => (x.metadata.annotations = { [ANN]: value })) as KubeObject;
      assert.equal(appsV1DaemonSetView.toStorage(b, ctx()).metadata.annotations?.[ANN], want);
    });
  }
  const bad: Array<[string, string, string]> = [
    ['not a number', 'abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    [
      'out of int64 range',
      '99999999999999999999',
      'strconv.ParseInt: parsing "99999999999999999999": value out of range',
    ],
  ];
  for (const [name, value, msg] of bad) {
    it(`400 for ${name}`, () => {
      const b = body('apps/v1', (x) => (x.metadata.annotations = { [ANN]: value })) as KubeObject;
      assert.throws(
        () => appsV1DaemonSetView.toStorage(b, ctx()),
        (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === msg,
      );
    });
  }
  it('spec.templateGeneration is not an apps/v1 field', () => {
    const b = body('apps/v1', (x) => (x.spec.templateGeneration = 5)) as KubeObject;
    assert.equal((appsV1DaemonSetView.toStorage(b, ctx()).spec as Any).templateGeneration, undefined);
  });
  it('an absent annotation stays absent (the strategy sets it)', () => {
    assert.equal(appsV1DaemonSetView.toStorage(body('apps/v1') as KubeObject, ctx()).metadata.annotations, undefined);
  });
});

describe('views', () => {
  const rows: Array<[string, unknown, unknown]> = [
    ['apps/v1 short names', appsV1DaemonSetView.shortNames, ['ds']],
    ['apps/v1 categories', appsV1DaemonSetView.categories, ['all']],
    ['apps/v1 propagation', appsV1DaemonSetView.defaultPropagationPolicy, 'Background'],
    ['extensions short names', extensionsV1beta1DaemonSetView.shortNames, []],
    ['extensions categories', extensionsV1beta1DaemonSetView.categories, []],
    ['extensions propagation', extensionsV1beta1DaemonSetView.defaultPropagationPolicy, 'Orphan'],
    ['extensions allows selector changes', extensionsV1beta1DaemonSetView.validateUpdate, undefined],
  ];
  for (const [name, got, want] of rows) it(name, () => assert.deepEqual(got, want));
});

describe('normalizeDaemonSetStatus', () => {
  const rows: Array<[string, unknown, unknown]> = [
    [
      'absent status gets the four counters',
      undefined,
      { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    ],
    [
      'omitempty zeros dropped',
      { numberReady: 2, numberUnavailable: 0, observedGeneration: 0 },
      { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 2 },
    ],
    [
      'collisionCount 0 kept',
      { collisionCount: 0 },
      {
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
        collisionCount: 0,
      },
    ],
    [
      'empty conditions dropped',
      { conditions: [] },
      { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    ],
  ];
  for (const [name, input, want] of rows) it(name, () => assert.deepEqual(normalizeDaemonSetStatus(input), want));
  it('fields in Go struct order', () => {
    assert.deepEqual(
      Object.keys(normalizeDaemonSetStatus({ conditions: [{ type: 'A' }], numberAvailable: 1, observedGeneration: 2 })),
      [
        'currentNumberScheduled',
        'numberMisscheduled',
        'desiredNumberScheduled',
        'numberReady',
        'observedGeneration',
        'numberAvailable',
        'conditions',
      ],
    );
  });
});

describe('extensions view through the store interface', () => {
  it('toStorage of the view equals extensionsDaemonSetToStorage', () => {
    const a = defaultExtensionsV1beta1DaemonSet(body('extensions/v1beta1') as KubeObject);
    assert.deepEqual(
      extensionsV1beta1DaemonSetView.toStorage(copy(a), ctx(extensionsV1beta1DaemonSetView)),
      extensionsDaemonSetToStorage(copy(a)),
    );
  });
});
