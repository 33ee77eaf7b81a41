import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';

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
  const https = url.startsWith('https:');
  const cluster: Record<string, unknown> = { server: url };
  if (!https) cluster['insecure-skip-tls-verify'] = true;
  else if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster }],
    users: [{ name: CONTEXT_NAME, user: token ? { token } : {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  };
  writeFileSync(path, YAML.stringify(config), { mode: 0o600 });
  return path;
}
