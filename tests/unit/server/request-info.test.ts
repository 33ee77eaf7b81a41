import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoutePattern } from '../../../server/plugins/request-info.js';

describe('route patterns → request info', () => {
  const cases: Array<[string, ReturnType<typeof parseRoutePattern>]> = [
    [
      '/api/v1/namespaces/:namespace/pods',
      { group: '', version: 'v1', resource: 'pods', subresource: '', named: false },
    ],
    ['/api/v1/pods', { group: '', version: 'v1', resource: 'pods', subresource: '', named: false }],
    [
      '/api/v1/namespaces/:namespace/pods/:name/log',
      { group: '', version: 'v1', resource: 'pods', subresource: 'log', named: true },
    ],
    ['/api/v1/namespaces/:name', { group: '', version: 'v1', resource: 'namespaces', subresource: '', named: true }],
    [
      '/api/v1/namespaces/:name/finalize',
      { group: '', version: 'v1', resource: 'namespaces', subresource: 'finalize', named: true },
    ],
    [
      '/apis/apps/v1/namespaces/:namespace/daemonsets/:name/status',
      { group: 'apps', version: 'v1', resource: 'daemonsets', subresource: 'status', named: true },
    ],
    ['/apis/apps/v1', { group: '', version: '', resource: '', subresource: '', named: false }],
    ['/readyz', { group: '', version: '', resource: '', subresource: '', named: false }],
  ];
  for (const [pattern, want] of cases) it(pattern, () => assert.deepEqual(parseRoutePattern(pattern), want));
});
