import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { yaml } from '../apimachinery/yaml.js';

/** The context name written into kubeconfigs. */
export const CONTEXT_NAME = 'kube-emulator';

/**
 * Writes `<dataDir>/kubeconfig` for the server at `url`. An https:// cluster carries the CA that signed the server's
 * certificate (`certificate-authority-data`, when known; otherwise clients use their system's roots), so clients
 * verify the server. Plain HTTP clusters are marked `insecure-skip-tls-verify: true`, which
 * @kubernetes/client-node 1.x requires to talk to http:// at all.
 */
export function writeKubeconfig(dataDir: string, url: string, token?: string, caPem?: string): string {
  const path = resolve(dataDir, 'kubeconfig');
  const caData = url.startsWith('https:') && caPem ? Buffer.from(caPem).toString('base64') : undefined;
  writeFileSync(path, kubeconfigYAML(url, token, caData), { mode: 0o600 });
  return path;
}

/** The kubeconfig of the server at `url`, as an object. */
function kubeconfigObject(url: string, token?: string, caData?: string): object {
  const cluster: Record<string, unknown> = { server: url };
  if (!url.startsWith('https:')) cluster['insecure-skip-tls-verify'] = true;
  else if (caData) cluster['certificate-authority-data'] = caData;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: CONTEXT_NAME, user: token ? { token } : {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  };
}

/** A string that YAML.stringify writes as itself (a plain scalar): no quoting, escaping, folding or special value. */
const PLAIN = /^[A-Za-z][A-Za-z0-9._/+=-]*(?::[A-Za-z0-9._/+=-]+)*$/;
const SPECIAL = /^(?:true|false|null|yes|no|on|off|y|n)$/i;

/**
 * `YAML.stringify` of the kubeconfig, byte for byte: written by hand when every string in it is a plain scalar (as at every
 * start on the loopback address), so that a start does not load the `yaml` package; by `yaml` otherwise.
 */
export function kubeconfigYAML(url: string, token?: string, caData?: string): string {
  const values = [url, token, caData].filter((v): v is string => v !== undefined);
  if (!values.every((v) => PLAIN.test(v) && !SPECIAL.test(v)))
    return yaml().stringify(kubeconfigObject(url, token, caData));
  const https = url.startsWith('https:');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `  - name: ${CONTEXT_NAME}`,
    '    cluster:',
    `      server: ${url}`,
    ...(https
      ? caData
        ? [`      certificate-authority-data: ${caData}`]
        : []
      : ['      insecure-skip-tls-verify: true']),
    'users:',
    `  - name: ${CONTEXT_NAME}`,
    ...(token ? ['    user:', `      token: ${token}`] : ['    user: {}']),
    'contexts:',
    `  - name: ${CONTEXT_NAME}`,
    '    context:',
    `      cluster: ${CONTEXT_NAME}`,
    `      user: ${CONTEXT_NAME}`,
    '      namespace: default',
    `current-context: ${CONTEXT_NAME}`,
    'preferences: {}',
    '',
  ].join('\n');
}
