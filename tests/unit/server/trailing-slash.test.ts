// The API's paths are routed without their trailing slashes (trimApiTrailingSlashes, Fastify's rewriteUrl), as
// kube-apiserver's router reads them; the query is kept, and paths outside the API are left as sent.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { trimApiTrailingSlashes } from '../../../server/api/resource-router.js';

describe('trimApiTrailingSlashes', () => {
  const cases: Array<[string, string]> = [
    ['/version/', '/version'],
    ['/api/', '/api'],
    ['/apis/', '/apis'],
    ['/apis//', '/apis'],
    ['/api/v1/', '/api/v1'],
    ['/apis/apps/v1/', '/apis/apps/v1'],
    ['/api/v1/namespaces/default/pods/', '/api/v1/namespaces/default/pods'],
    [
      '/api/v1/namespaces/default/pods/?watch=true&resourceVersion=5',
      '/api/v1/namespaces/default/pods?watch=true&resourceVersion=5',
    ],
    [
      '/apis/apps/v1/namespaces/default/daemonsets/?labelSelector=a/b',
      '/apis/apps/v1/namespaces/default/daemonsets?labelSelector=a/b',
    ],
    // left as sent: no trailing slash, or not an API path
    ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/default/pods'],
    ['/api/v1/pods?fieldSelector=x/', '/api/v1/pods?fieldSelector=x/'],
    ['/', '/'],
    ['/ui/', '/ui/'],
    ['/healthz/', '/healthz/'],
    ['/openapi/v3/', '/openapi/v3/'],
    ['/apisx/', '/apisx/'],
    ['/versions/', '/versions/'],
  ];
  for (const [url, want] of cases) {
    it(`${url} → ${want}`, () => assert.equal(trimApiTrailingSlashes({ url }), want));
  }
  it('a request without a URL is the root', () => assert.equal(trimApiTrailingSlashes({}), '/'));
});
