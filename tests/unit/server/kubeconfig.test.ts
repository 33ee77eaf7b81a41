/**
 * The kubeconfig a start writes by hand is byte for byte what the `yaml` package writes for the same object, and
 * strings it cannot write as plain scalars go through `yaml`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { CONTEXT_NAME, kubeconfigYAML } from '../../../server/kubeconfig.js';

function expected(url: string, token?: string, caData?: string): string {
  const cluster: Record<string, unknown> = { server: url };
  if (!url.startsWith('https:')) cluster['insecure-skip-tls-verify'] = true;
  else if (caData) cluster['certificate-authority-data'] = caData;
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: CONTEXT_NAME, user: token ? { token } : {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  });
}

describe('kubeconfigYAML', () => {
  const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB'.repeat(40)).toString('base64');
  const cases: Array<[string, string?, string?]> = [
    ['http://127.0.0.1:6443'],
    ['http://localhost:36789', 'abcDEF0123456789-_xyz'],
    ['https://127.0.0.1:6443', 'tok', ca],
    ['https://127.0.0.1:6443'],
    ['https://[::1]:6443', undefined, ca],
    ['http://127.0.0.1:6443', '12345'],
    ['http://127.0.0.1:6443', 'true'],
    ['http://127.0.0.1:6443', 'a token with spaces: and # marks'],
    ['http://127.0.0.1:6443', '0x1F'],
    ['http://127.0.0.1:6443', "it's"],
    ['http://127.0.0.1:6443', 'ends:'],
    ['http://127.0.0.1:6443', 'No'],
    ['http://127.0.0.1:6443', 'a=b+c/d.e_f-g'],
  ];
  for (const [url, token, caData] of cases)
    it(`${url} ${token ?? ''} ${caData ? 'with CA' : ''}`, () => {
      assert.equal(kubeconfigYAML(url, token, caData), expected(url, token, caData));
    });
});
