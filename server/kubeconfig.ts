import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';

/** The context name written into kubeconfigs. */
export const CONTEXT_NAME = 'kube-emulator';

/**
 * Writes `<dataDir>/kubeconfig` for the server at `url`. Plain HTTP clusters are marked
 * `insecure-skip-tls-verify: true`, which @kubernetes/client-node 1.x requires to talk to http:// at all.
 */
export function writeKubeconfig(dataDir: string, url: string, token?: string): string {
  const path = resolve(dataDir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CONTEXT_NAME, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: CONTEXT_NAME, user: token ? { token } : {} }],
    contexts: [{ name: CONTEXT_NAME, context: { cluster: CONTEXT_NAME, user: CONTEXT_NAME, namespace: 'default' } }],
    'current-context': CONTEXT_NAME,
    preferences: {},
  };
  writeFileSync(path, YAML.stringify(config), { mode: 0o600 });
  return path;
}
