/**
 * The environment of the processes the launcher starts (and the bench, which starts them as the launcher does).
 *
 * Node 20 reads and parses the certificates NODE_EXTRA_CA_CERTS names while a process starts, whether or not it
 * ever makes a TLS connection (nodejs/node#40524; later Node versions load them when TLS is first used). Where
 * the variable names a system's whole CA bundle, as on the machines this project is measured on (Debian's
 * /etc/ssl/certs/ca-certificates.crt), that is ~40 ms of CPU at every start: 12 interleaved starts of the API
 * server, empty, took a median of 287 ms with it and 243 ms without. Node uses the extra certificates only to
 * verify a peer against its default trust; a TLS connection that names its CA uses neither Node's bundled roots
 * nor them. So a process whose connections all name their CA, or that makes none, is started without the
 * variable, and one that may verify a peer against the default trust keeps it:
 * - the API server dials no TLS of its own (kubelets over plain HTTP) except etcd over https, whose client
 *   verifies against Node's default trust;
 * - the controller manager verifies the server with its kubeconfig's CA, which the launcher's server writes there
 *   (the cluster CA); with a serving certificate of one's own (`--tls-cert-file`) the kubeconfig names no CA
 *   and the system's trust verifies it.
 */
import type { ServerFlags } from '../server/flags.js';

/** The variable Node 20 loads at every start. */
export const EXTRA_CA_CERTS = 'NODE_EXTRA_CA_CERTS';

/**
 * `base` with `extra`, without NODE_EXTRA_CA_CERTS unless `defaultTrust` (the process may verify a TLS peer
 * against Node's default trust).
 */
export function childEnv(
  extra: NodeJS.ProcessEnv,
  defaultTrust: boolean,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env = { ...base, ...extra };
  if (!defaultTrust) delete env[EXTRA_CA_CERTS];
  return env;
}

/** Whether the API server may verify a TLS peer against Node's default trust: an etcd over https. */
export function serverUsesDefaultTrust(f: Pick<ServerFlags, 'storage' | 'etcdServers'>): boolean {
  return f.storage === 'etcd' && (f.etcdServers ?? []).some((u) => u.startsWith('https:'));
}

/**
 * Whether the controller manager the launcher starts may verify its server against Node's default trust: when
 * the server has a serving certificate of one's own (its kubeconfig then names no CA).
 */
export function managerUsesDefaultTrust(f: Pick<ServerFlags, 'tlsCertFile'>): boolean {
  return Boolean(f.tlsCertFile);
}
