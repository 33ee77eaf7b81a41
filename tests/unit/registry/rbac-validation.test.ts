// rbac.authorization.k8s.io validation and defaulting, message for message as kube-apiserver renders them
// (pkg/apis/rbac/validation/validation.go, pkg/apis/rbac/v1/defaults.go).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import {
  canonicalBinding,
  canonicalRole,
  defaultBinding,
  goRoleRef,
  validateClusterRole,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
  validateClusterRoleUpdate,
  validatePolicyRule,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from '../../../server/registry/validation/rbac.js';

type Any = Record<string, any>;
const G = 'rbac.authorization.k8s.io';
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const msgs = (errs: ReturnType<typeof validateRole>) => errs.map(fieldErrorString);

const role = (rules: unknown[], meta: Any = {}): Any => ({
  metadata: { name: 'r', namespace: 'default', ...meta },
  rules,
});
const clusterRole = (extra: Any = {}, meta: Any = {}): Any => ({
  metadata: { name: 'c', ...meta },
  rules: [],
  ...extra,
});
const binding = (roleRef: Any, subjects: unknown[] = [], namespace?: string): Any => ({
  metadata: { name: 'b', ...(namespace ? { namespace } : {}), resourceVersion: '1' },
  roleRef,
  subjects,
});

describe('policy rules', () => {
  const rows: Array<[string, Any, boolean, string[]]> = [
    ['resource rule', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, true, []],
    [
      'verbs required',
      { apiGroups: [''], resources: ['pods'] },
      true,
      ['r.verbs: Required value: verbs must contain at least one value'],
    ],
    [
      'api groups and resources required',
      { verbs: ['get'] },
      false,
      [
        'r.apiGroups: Required value: resource rules must supply at least one api group',
        'r.resources: Required value: resource rules must supply at least one resource',
      ],
    ],
    ['non-resource URLs in a cluster role', { verbs: ['get'], nonResourceURLs: ['/healthz', '/logs/*'] }, false, []],
    [
      'non-resource URLs in a namespace',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      true,
      ['r.nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs'],
    ],
    [
      'non-resource URLs with resources',
      { verbs: [], nonResourceURLs: ['/a', '/b'], resourceNames: ['x'] },
      false,
      [
        'r.verbs: Required value: verbs must contain at least one value',
        'r.nonResourceURLs: Invalid value: []string{"/a", "/b"}: rules cannot apply to both regular resources and non-resource URLs',
      ],
    ],
  ];
  for (const [name, rule, namespaced, want] of rows)
    it(name, () => assert.deepEqual(msgs(validatePolicyRule(rule, namespaced, 'r')), want));
});

describe('roles and cluster roles', () => {
  it('a valid role; names are path segments, not DNS names', () => {
    assert.deepEqual(
      msgs(validateRole(role([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], { name: 'system:Controller_1' }))),
      [],
    );
    assert.deepEqual(msgs(validateRole(role([], { name: 'a/b' }))), [
      'metadata.name: Invalid value: "a/b": may not contain \'/\'',
    ]);
    assert.deepEqual(msgs(validateRole(role([], { name: '..' }))), [
      'metadata.name: Invalid value: "..": may not be \'..\'',
    ]);
  });

  it('a role needs its namespace; rules are indexed', () => {
    assert.deepEqual(
      msgs(
        validateRole({
          metadata: { name: 'r' },
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'] }],
        }),
      ),
      [
        'metadata.namespace: Required value',
        'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[1].resources: Required value: resource rules must supply at least one resource',
      ],
    );
  });

  it('a cluster role takes non-resource URLs and has no namespace', () => {
    assert.deepEqual(
      msgs(validateClusterRole(clusterRole({ rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }] }))),
      [],
    );
    assert.deepEqual(msgs(validateClusterRole(clusterRole({}, { namespace: 'default' }))), [
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  it('an aggregation rule needs a valid selector', () => {
    assert.deepEqual(
      msgs(
        validateClusterRole(
          clusterRole({
            aggregationRule: {
              clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
            },
          }),
        ),
      ),
      [],
    );
    assert.deepEqual(msgs(validateClusterRole(clusterRole({ aggregationRule: {} }))), [
      'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
    ]);
    assert.deepEqual(
      msgs(
        validateClusterRole(
          clusterRole({
            aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Foo' }] }] },
          }),
        ),
      ),
      [
        'aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator: Invalid value: "Foo": not a valid selector operator',
        'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.',
      ],
    );
  });

  it('an update skips the label value checks when the old selectors had invalid values already', () => {
    const bad = {
      aggregationRule: {
        clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['not valid!'] }] }],
      },
    };
    const created = msgs(validateClusterRole(clusterRole(bad)));
    assert.equal(created.length, 2, created.join('\n'));
    assert.match(
      created[0]!,
      /^aggregationRule\.clusterRoleSelectors\[0\]\.matchExpressions\[0\]\.values\[0\]: Invalid value: "not valid!": a valid label must be/,
    );
    assert.equal(created[1], 'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.');
    // Upstream then still fails to convert the selector, so only the conversion error remains.
    const old = clusterRole(bad, { resourceVersion: '1' });
    assert.deepEqual(msgs(validateClusterRoleUpdate(clusterRole(bad, { resourceVersion: '1' }), old)), [
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.',
    ]);
  });

  it('canonical form: Go field order, empty lists dropped, absent rules are null', () => {
    const r: Any = {
      aggregationRule: { clusterRoleSelectors: [{}] },
      metadata: { name: 'c' },
      rules: [{ resources: ['pods'], apiGroups: [''], resourceNames: [], verbs: ['get'] }],
    };
    canonicalRole(r);
    assert.deepEqual(Object.keys(r), ['metadata', 'rules', 'aggregationRule']);
    assert.deepEqual(Object.keys(r.rules[0]), ['verbs', 'apiGroups', 'resources']);
    const empty: Any = { metadata: { name: 'r' }, aggregationRule: null };
    canonicalRole(empty);
    assert.deepEqual(empty, { metadata: { name: 'r' }, rules: null });
  });
});

describe('bindings', () => {
  it('defaulting: the roleRef group, users and groups of rbac, service accounts of the core group', () => {
    const b: Any = {
      metadata: { name: 'b' },
      subjects: [
        { kind: 'User', name: 'u' },
        { kind: 'Group', name: 'g' },
        { kind: 'ServiceAccount', name: 's', namespace: 'n' },
      ],
    };
    defaultBinding(b);
    assert.deepEqual(b.roleRef, { apiGroup: G });
    assert.deepEqual(
      b.subjects.map((s: Any) => s.apiGroup),
      [G, G, undefined],
    );
    canonicalBinding(b);
    assert.deepEqual(Object.keys(b), ['metadata', 'subjects', 'roleRef']);
    assert.deepEqual(b.roleRef, { apiGroup: G, kind: '', name: '' });
    assert.deepEqual(Object.keys(b.subjects[0]), ['kind', 'apiGroup', 'name']);
  });

  it('a role binding references a Role or ClusterRole of rbac.authorization.k8s.io', () => {
    const ok = binding(
      { apiGroup: G, kind: 'Role', name: 'pod-reader' },
      [{ kind: 'User', apiGroup: G, name: 'jane' }],
      'default',
    );
    assert.deepEqual(msgs(validateRoleBinding(ok)), []);
    assert.deepEqual(
      msgs(validateRoleBinding(binding({ apiGroup: 'rbac', kind: 'Deployment', name: '' }, [], 'default'))),
      [
        'roleRef.apiGroup: Unsupported value: "rbac": supported values: "rbac.authorization.k8s.io"',
        'roleRef.kind: Unsupported value: "Deployment": supported values: "Role", "ClusterRole"',
        'roleRef.name: Required value',
      ],
    );
    assert.deepEqual(msgs(validateRoleBinding(binding({ apiGroup: G, kind: 'Role', name: 'a%b' }, [], 'default'))), [
      'roleRef.name: Invalid value: "a%b": may not contain \'%\'',
    ]);
  });

  it('a cluster role binding references a ClusterRole only', () => {
    assert.deepEqual(msgs(validateClusterRoleBinding(binding({ apiGroup: G, kind: 'Role', name: 'x' }))), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
    ]);
  });

  it('subjects: kinds, groups, service account names and namespaces', () => {
    const subjects = [
      { kind: 'ServiceAccount', name: 'Bad_Name', apiGroup: G },
      { kind: 'User', name: 'u', apiGroup: '' },
      { kind: 'Group', name: '', apiGroup: G },
      { kind: 'Robot', name: 'r2' },
    ];
    const ref = { apiGroup: G, kind: 'ClusterRole', name: 'view' };
    assert.deepEqual(msgs(validateRoleBinding(binding(ref, subjects, 'default'))), [
      `subjects[0].name: Invalid value: "Bad_Name": ${SUBDOMAIN}`,
      'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
      'subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
      'subjects[2].name: Required value',
      'subjects[3].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
    // A service account needs its namespace in a cluster role binding, not in a role binding.
    const sa = [{ kind: 'ServiceAccount', name: 'fluentd' }];
    assert.deepEqual(msgs(validateRoleBinding(binding(ref, sa, 'default'))), []);
    assert.deepEqual(msgs(validateClusterRoleBinding(binding(ref, sa))), ['subjects[0].namespace: Required value']);
  });

  it('the roleRef cannot change', () => {
    const old = binding({ apiGroup: G, kind: 'ClusterRole', name: 'view' }, [], 'default');
    const changed = binding(
      { apiGroup: G, kind: 'ClusterRole', name: 'edit' },
      [{ kind: 'User', apiGroup: G, name: 'u' }],
      'default',
    );
    assert.deepEqual(msgs(validateRoleBindingUpdate(changed, old)), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef',
    ]);
    assert.deepEqual(
      msgs(
        validateRoleBindingUpdate(binding(old.roleRef, [{ kind: 'Group', apiGroup: G, name: 'g' }], 'default'), old),
      ),
      [],
    );
    const crbOld = binding({ apiGroup: G, kind: 'ClusterRole', name: 'view' });
    assert.deepEqual(
      msgs(validateClusterRoleBindingUpdate(binding({ apiGroup: G, kind: 'ClusterRole', name: 'admin' }), crbOld)),
      [
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef',
      ],
    );
    assert.equal(goRoleRef({ kind: 'Role' }), 'rbac.RoleRef{APIGroup:"", Kind:"Role", Name:""}');
  });
});
