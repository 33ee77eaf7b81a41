import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PatchError, SchemaResolver, strategicMergePatch } from '../../../server/patch/index.js';
import { notIn130, ref, resolver130, skip130 } from './reference.js';

const POD = 'io.k8s.api.core.v1.Pod';
const NODE = 'io.k8s.api.core.v1.Node';
const SERVICE = 'io.k8s.api.core.v1.Service';
const DAEMONSET = 'io.k8s.api.apps.v1.DaemonSet';
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';
const PDB = 'io.k8s.api.policy.v1.PodDisruptionBudget';

interface Row {
  name: string;
  /** Definition name of the object's kind; none = no schema. */
  kind?: string;
  original: Record<string, unknown>;
  patch: Record<string, unknown>;
  expected?: unknown;
  error?: { code: number; message: string };
}

function runRow(row: Row, resolver: SchemaResolver): void {
  const original = structuredClone(row.original);
  const patch = structuredClone(row.patch);
  const schema = row.kind ? ref(row.kind) : undefined;
  if (row.error) {
    const { code, message } = row.error;
    assert.throws(
      () => strategicMergePatch(original, patch, schema, resolver),
      (e: unknown) => e instanceof PatchError && e.code === code && e.message === message,
    );
  } else {
    assert.deepStrictEqual(strategicMergePatch(original, patch, schema, resolver), row.expected);
  }
  assert.deepStrictEqual(original, row.original, 'the original must not be modified');
  assert.deepStrictEqual(patch, row.patch, 'the patch must not be modified');
}

const podSpec = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec });
const app = {
  name: 'app',
  image: 'app:1',
  ports: [{ containerPort: 80, protocol: 'TCP' }],
  env: [{ name: 'A', value: '1' }],
};
const sidecar = { name: 'sidecar', image: 'side:1' };

const mergeKeyRows: Row[] = [
  {
    name: 'containers merge by name: an image change keeps the other fields and containers',
    kind: POD,
    original: podSpec({ containers: [app, sidecar] }),
    patch: { spec: { containers: [{ name: 'app', image: 'app:2' }] } },
    expected: podSpec({ containers: [{ ...app, image: 'app:2' }, sidecar] }),
  },
  {
    name: 'containers: without $setElementOrder a new container goes before the live ones',
    kind: POD,
    original: podSpec({ containers: [app] }),
    patch: { spec: { containers: [{ name: 'log', image: 'log:1' }] } },
    expected: podSpec({ containers: [{ name: 'log', image: 'log:1' }, app] }),
  },
  {
    name: 'initContainers merge by name',
    kind: POD,
    original: podSpec({ initContainers: [{ name: 'init', image: 'i:1', command: ['sh'] }], containers: [sidecar] }),
    patch: { spec: { initContainers: [{ name: 'init', image: 'i:2' }] } },
    expected: podSpec({ initContainers: [{ name: 'init', image: 'i:2', command: ['sh'] }], containers: [sidecar] }),
  },
  {
    name: 'volumes merge by name',
    kind: POD,
    original: podSpec({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'c1', defaultMode: 420 } },
      ],
    }),
    patch: { spec: { volumes: [{ name: 'cfg', configMap: { name: 'c2' } }] } },
    expected: podSpec({
      volumes: [
        { name: 'data', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'c2', defaultMode: 420 } },
      ],
    }),
  },
  {
    name: 'env merges by name inside a merged container',
    kind: POD,
    original: podSpec({
      containers: [
        {
          name: 'app',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
    }),
    patch: { spec: { containers: [{ name: 'app', env: [{ name: 'B', value: '3' }] }] } },
    expected: podSpec({
      containers: [
        {
          name: 'app',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '3' },
          ],
        },
      ],
    }),
  },
  {
    name: 'imagePullSecrets merge by name',
    kind: POD,
    original: podSpec({ imagePullSecrets: [{ name: 'reg1' }] }),
    patch: { spec: { imagePullSecrets: [{ name: 'reg2' }] } },
    expected: podSpec({ imagePullSecrets: [{ name: 'reg2' }, { name: 'reg1' }] }),
  },
  {
    name: 'ports merge by containerPort (an integer merge key)',
    kind: POD,
    original: podSpec({ containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }] }),
    patch: {
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] },
    },
    expected: podSpec({
      containers: [
        { name: 'app', ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }, { containerPort: 443 }] },
      ],
    }),
  },
  {
    name: 'volumeMounts merge by mountPath',
    kind: POD,
    original: podSpec({
      containers: [
        {
          name: 'app',
          volumeMounts: [
            { name: 'data', mountPath: '/data' },
            { name: 'cfg', mountPath: '/etc/cfg' },
          ],
        },
      ],
    }),
    patch: { spec: { containers: [{ name: 'app', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } },
    expected: podSpec({
      containers: [
        {
          name: 'app',
          volumeMounts: [
            { name: 'data', mountPath: '/data', readOnly: true },
            { name: 'cfg', mountPath: '/etc/cfg' },
          ],
        },
      ],
    }),
  },
  {
    name: 'tolerations have no merge key upstream: the list is replaced',
    kind: POD,
    original: podSpec({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] } },
    expected: podSpec({ tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] }),
  },
  {
    name: 'ownerReferences merge by uid',
    kind: POD,
    original: {
      metadata: {
        name: 'p',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u1', controller: true }],
      },
    },
    patch: { metadata: { ownerReferences: [{ uid: 'u1', blockOwnerDeletion: true }] } },
    expected: {
      metadata: {
        name: 'p',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'ds',
            uid: 'u1',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
    },
  },
  {
    name: 'pod status conditions merge by type',
    kind: POD,
    original: {
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    },
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    expected: {
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    },
  },
  {
    name: 'node addresses merge by type',
    kind: NODE,
    original: {
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'Hostname', address: 'n1' },
        ],
      },
    },
    patch: { status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
    expected: {
      status: {
        addresses: [
          { type: 'InternalIP', address: '10.0.0.2' },
          { type: 'Hostname', address: 'n1' },
        ],
      },
    },
  },
  {
    name: 'node conditions merge by type; a new condition goes first',
    kind: NODE,
    original: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] } },
    patch: { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } },
    expected: {
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False' },
          { type: 'Ready', status: 'True', reason: 'KubeletReady' },
        ],
      },
    },
  },
  {
    name: 'finalizers (strategy merge, no key) merge as a set',
    kind: POD,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    expected: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'service ports merge by port',
    kind: SERVICE,
    original: { spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    expected: { spec: { ports: [{ port: 80, targetPort: 9090, protocol: 'TCP' }] } },
  },
  {
    name: 'a list without strategy (args) is replaced',
    kind: POD,
    original: podSpec({ containers: [{ name: 'app', args: ['a', 'b'] }] }),
    patch: { spec: { containers: [{ name: 'app', args: ['c'] }] } },
    expected: podSpec({ containers: [{ name: 'app', args: ['c'] }] }),
  },
  {
    name: 'maps merge recursively and null deletes a label',
    kind: POD,
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { b: null, c: '3' } } },
    expected: { metadata: { name: 'p', labels: { a: '1', c: '3' } } },
  },
  {
    name: 'a field with strategy replace (PodDisruptionBudget selector) is replaced whole',
    kind: PDB,
    original: { spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } } },
    patch: { spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } },
    expected: { spec: { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } },
  },
];

const template = {
  metadata: { labels: { app: 'x' }, annotations: { note: 'v2' } },
  spec: { containers: [{ name: 'c', image: 'img:2' }], nodeSelector: { ssd: 'true' } },
};
const dsWith = (spec: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'ds' },
  spec,
});

const directiveRows: Row[] = [
  {
    name: '$patch: replace on a map takes the patch map',
    kind: DAEMONSET,
    original: dsWith({ selector: { matchLabels: { app: 'x' } }, template }),
    patch: {
      spec: {
        template: {
          $patch: 'replace',
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'c', image: 'img:1' }] },
        },
      },
    },
    expected: dsWith({
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
    }),
  },
  {
    name: '$patch: replace in a list makes the other patch elements the list',
    kind: POD,
    original: podSpec({ containers: [app, sidecar] }),
    patch: { spec: { containers: [{ name: 'only', image: 'o:1' }, { $patch: 'replace' }] } },
    expected: podSpec({ containers: [{ name: 'only', image: 'o:1' }] }),
  },
  {
    name: '$patch: delete on a map empties it',
    kind: POD,
    original: podSpec({ nodeSelector: { ssd: 'true' }, containers: [sidecar] }),
    patch: { spec: { nodeSelector: { $patch: 'delete' } } },
    expected: podSpec({ nodeSelector: {}, containers: [sidecar] }),
  },
  {
    name: '$patch: delete in a list removes the element with that merge key',
    kind: POD,
    original: podSpec({ containers: [app, sidecar] }),
    patch: { spec: { containers: [{ name: 'app', $patch: 'delete' }] } },
    expected: podSpec({ containers: [sidecar] }),
  },
  {
    name: '$patch: delete of an element the list lacks changes nothing',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { containers: [{ name: 'gone', $patch: 'delete' }] } },
    expected: podSpec({ containers: [sidecar] }),
  },
  {
    name: '$patch: merge on a map is rejected like upstream',
    kind: POD,
    original: podSpec({ nodeSelector: { ssd: 'true' } }),
    patch: { spec: { nodeSelector: { $patch: 'merge', ssd: 'false' } } },
    error: { code: 500, message: 'unknown patch type: merge in map: map[$patch:merge ssd:false]' },
  },
  {
    name: '$patch: merge in a list is rejected like upstream',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { containers: [{ name: 'sidecar', $patch: 'merge' }] } },
    error: { code: 500, message: 'merging lists cannot yet be specified in the patch' },
  },
  {
    name: 'an unknown $patch value on a map is an error',
    kind: POD,
    original: podSpec({ nodeSelector: { ssd: 'true' } }),
    patch: { spec: { nodeSelector: { $patch: 'remove' } } },
    error: { code: 500, message: 'unknown patch type: remove in map: map[$patch:remove]' },
  },
  {
    name: 'an unknown $patch value in a list is an error',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { containers: [{ name: 'sidecar', $patch: 'remove' }] } },
    error: { code: 500, message: 'unknown patch type: remove in map: map[$patch:remove name:sidecar]' },
  },
  {
    name: 'a non-string $patch value is an error',
    kind: POD,
    original: podSpec({ nodeSelector: { ssd: 'true' } }),
    patch: { spec: { nodeSelector: { $patch: 1 } } },
    error: { code: 500, message: 'unknown patch type: %!s(int64=1) in map: map[$patch:1]' },
  },
  {
    name: 'a map with $patch under a key the object lacks is dropped (upstream removeDirectives)',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { nodeSelector: { $patch: 'replace', ssd: 'true' } } },
    expected: podSpec({ containers: [sidecar] }),
  },
  {
    name: 'a new list drops its $patch elements',
    kind: POD,
    original: podSpec({}),
    patch: {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', $patch: 'delete' },
        ],
      },
    },
    expected: podSpec({ containers: [{ name: 'a', image: 'a:1' }] }),
  },
  {
    name: '$retainKeys drops the fields it does not list (Deployment strategy)',
    kind: DEPLOYMENT,
    original: {
      spec: {
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      },
    },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    expected: { spec: { replicas: 1, strategy: { type: 'Recreate' } } },
  },
  {
    name: '$retainKeys in a list element switches the volume source',
    kind: POD,
    original: podSpec({ volumes: [{ name: 'data', emptyDir: {} }] }),
    patch: { spec: { volumes: [{ $retainKeys: ['hostPath', 'name'], name: 'data', hostPath: { path: '/data' } }] } },
    expected: podSpec({ volumes: [{ name: 'data', hostPath: { path: '/data' } }] }),
  },
  {
    name: '$retainKeys not listing a patched field is a 400',
    kind: DEPLOYMENT,
    original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: '$retainKeys that is not a list is a 400',
    kind: DEPLOYMENT,
    original: { spec: { strategy: { type: 'RollingUpdate' } } },
    patch: { spec: { strategy: { $retainKeys: 'type', type: 'Recreate' } } },
    error: { code: 400, message: 'invalid patch format of retainKeys' },
  },
  {
    name: '$setElementOrder/containers orders the merged list',
    kind: POD,
    original: podSpec({ containers: [app, sidecar] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'app' }],
        containers: [{ name: 'app', image: 'app:2' }],
      },
    },
    expected: podSpec({ containers: [sidecar, { ...app, image: 'app:2' }] }),
  },
  {
    name: '$setElementOrder puts a new container where kubectl placed it',
    kind: POD,
    original: podSpec({ containers: [app, sidecar] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'log' }, { name: 'sidecar' }],
        containers: [{ name: 'log', image: 'log:1' }],
      },
    },
    expected: podSpec({ containers: [app, { name: 'log', image: 'log:1' }, sidecar] }),
  },
  {
    name: '$setElementOrder leaves live-only containers after the ordered ones',
    kind: POD,
    original: podSpec({ containers: [app, { name: 'injected' }] }),
    patch: {
      spec: { '$setElementOrder/containers': [{ name: 'log' }, { name: 'app' }], containers: [{ name: 'log' }] },
    },
    expected: podSpec({ containers: [{ name: 'log' }, app, { name: 'injected' }] }),
  },
  {
    name: '$setElementOrder with deletion orders live-only items by the shifted live list (upstream slice aliasing)',
    kind: POD,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b', image: 'b' }, { name: 'd', image: 'd' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }],
        containers: [{ name: 'c' }, { name: 'a', $patch: 'delete' }],
      },
    },
    expected: podSpec({ containers: [{ name: 'b', image: 'b' }, { name: 'd', image: 'd' }, { name: 'c' }] }),
  },
  {
    name: '$setElementOrder contradicting the patch list is an error',
    kind: POD,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [
          { name: 'b', image: 'x' },
          { name: 'a', image: 'y' },
        ],
      },
    },
    error: {
      code: 500,
      message:
        "The order in patch list:\n[map[image:x name:b] map[image:y name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    },
  },
  {
    name: '$setElementOrder/finalizers orders a list of scalars',
    kind: POD,
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } },
    expected: { metadata: { finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: '$setElementOrder that is not a list is an error',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { '$setElementOrder/containers': 'sidecar' } },
    error: { code: 500, message: 'expected a []interface {}, but received a string' },
  },
  {
    name: 'a $setElementOrder key without the list name is a 400',
    kind: POD,
    original: podSpec({ containers: [sidecar] }),
    patch: { spec: { $setElementOrder: [{ name: 'sidecar' }] } },
    error: { code: 400, message: 'invalid patch format of setElementOrder list' },
  },
  {
    name: '$deleteFromPrimitiveList/finalizers removes scalars',
    kind: POD,
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } },
    expected: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList with $setElementOrder, as kubectl apply sends them',
    kind: POD,
    original: { metadata: { finalizers: ['a', 'b', 'c', 'server'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    expected: { metadata: { finalizers: ['c', 'a', 'server'] } },
  },
  {
    name: '$deleteFromPrimitiveList of a list the object lacks adds nothing',
    kind: POD,
    original: { metadata: { name: 'p' } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    expected: { metadata: { name: 'p' } },
  },
  {
    name: 'a $deleteFromPrimitiveList key without the list name is a 400',
    kind: POD,
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
    error: { code: 400, message: 'invalid patch format of primitive list' },
  },
];

const otherRows: Row[] = [
  {
    name: 'null for a key the object lacks changes nothing',
    kind: POD,
    original: { metadata: { name: 'p', labels: { a: '1' } } },
    patch: { metadata: { labels: { zz: null }, annotations: null } },
    expected: { metadata: { name: 'p', labels: { a: '1' } } },
  },
  {
    name: 'nulls inside a value for a new key are discarded',
    kind: POD,
    original: { metadata: { name: 'p' } },
    patch: { metadata: { annotations: { a: '1', b: null } } },
    expected: { metadata: { name: 'p', annotations: { a: '1' } } },
  },
  {
    name: 'a value of another JSON type replaces the live one',
    kind: POD,
    original: podSpec({ nodeSelector: { ssd: 'true' } }),
    patch: { spec: { nodeSelector: 'x' } },
    expected: podSpec({ nodeSelector: 'x' }),
  },
  {
    name: 'merge key missing in a list element is an error',
    kind: POD,
    original: podSpec({ containers: [app] }),
    patch: { spec: { containers: [{ image: 'x' }] } },
    error: { code: 500, message: 'map: map[image:x] does not contain declared merge key: name' },
  },
  {
    name: '$patch: delete without the merge key is an error',
    kind: POD,
    original: podSpec({ containers: [app] }),
    patch: { spec: { containers: [{ $patch: 'delete' }] } },
    error: { code: 500, message: 'map: map[$patch:delete] does not contain declared merge key: name' },
  },
  {
    name: 'a list of lists in a merged list is a 422',
    kind: POD,
    original: { metadata: { finalizers: [] } },
    patch: { metadata: { finalizers: [['a']] } },
    error: { code: 422, message: 'the server rejected our request due to an error in our request' },
  },
  {
    name: 'mixed element types in a merged list are an error',
    kind: POD,
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { finalizers: [1] } },
    error: { code: 500, message: 'list element types are not identical: [[a] [1]]' },
  },
  {
    name: 'a field the schema does not know merges like a JSON merge patch',
    kind: DAEMONSET,
    original: dsWith({ extra: { a: 1, list: [1, 2] } }),
    patch: { spec: { extra: { b: 2, list: [3] } } },
    expected: dsWith({ extra: { a: 1, b: 2, list: [3] } }),
  },
  {
    name: 'without a schema maps merge and lists are replaced',
    original: podSpec({ containers: [app, sidecar] }),
    patch: { metadata: { labels: { l: 'v' } }, spec: { containers: [{ name: 'app', image: 'app:2' }] } },
    expected: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { l: 'v' } },
      spec: { containers: [{ name: 'app', image: 'app:2' }] },
    },
  },
  {
    name: 'without a schema directives still apply',
    original: podSpec({ nodeSelector: { a: 'b' }, containers: [sidecar] }),
    patch: { spec: { nodeSelector: { $patch: 'replace', c: 'd' } } },
    expected: podSpec({ nodeSelector: { c: 'd' }, containers: [sidecar] }),
  },
];

describe('strategicMergePatch: merge keys and strategies of the 1.30 schema', { skip: skip130 }, () => {
  for (const row of mergeKeyRows) it(row.name, { skip: notIn130(row.kind) }, () => runRow(row, resolver130()));
});

describe('strategicMergePatch: directives', { skip: skip130 }, () => {
  for (const row of directiveRows) it(row.name, () => runRow(row, resolver130()));
});

describe('strategicMergePatch: nulls, types and errors', { skip: skip130 }, () => {
  for (const row of otherRows) it(row.name, () => runRow(row, resolver130()));
});

describe('strategicMergePatch: inputs', () => {
  const none = new SchemaResolver({});
  it('a null patch returns a copy of the original', () => {
    const original = { a: { b: 1 } };
    const out = strategicMergePatch(original, null, undefined, none);
    assert.deepStrictEqual(out, original);
    assert.notStrictEqual(out, original);
  });
  it('a patch that is not an object is a 400 with the Go decoding message', () => {
    assert.throws(
      () => strategicMergePatch({}, ['x'], undefined, none),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 400 &&
        e.message === 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  });
  it('a top-level $patch: replace replaces the whole object', () => {
    assert.deepStrictEqual(strategicMergePatch({ a: 1, b: 2 }, { $patch: 'replace', c: 3 }, undefined, none), { c: 3 });
  });
  it('a key named __proto__ is an ordinary key', () => {
    const out = strategicMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}'), undefined, none) as Record<
      string,
      unknown
    >;
    assert.deepStrictEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
