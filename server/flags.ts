import { parseGoDuration } from '../apimachinery/duration.js';
import { NODE_ADDRESS_TYPES } from './api/kubelet-client.js';
import { isLoopback } from './plugins/auth.js';
import { parsePortRange, parseServiceCIDR } from './registry/resources/services/allocator.js';

/** Command-line flags shared by `npm start` (both processes) and the API server alone. */
export interface ServerFlags {
  port: number;
  host: string;
  dataDir: string;
  nodes: number;
  logLevel: string;
  token?: string;
  /** The node address types tried in order to reach a node's kubelet (pods/log). */
  kubeletPreferredAddressTypes?: string[];
  /** Admission plugins turned off (kube-apiserver's --disable-admission-plugins). */
  disableAdmissionPlugins: string[];
  /** kube-apiserver's --service-cluster-ip-range (IPv4 CIDR; default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** kube-apiserver's --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** Serve HTTPS: `--tls`/`--tls=false`; unset means on beyond loopback or with one's own certificate (see tlsEnabled). */
  tls?: boolean;
  /** One's own serving certificate (PEM, chain allowed) and key, as kube-apiserver's --tls-cert-file/--tls-private-key-file. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Most MiB of serialized recent events the watch cache keeps in memory (default 64). */
  watchCacheMiB?: number;
  /** LevelDB's write buffer of the store's current objects (`--storage-write-buffer-mib`), MiB. */
  storageWriteBufferMiB?: number;
  /** The store: LevelDB in the data directory (default), or etcd (`--storage etcd --etcd-servers ...`). */
  storage: 'level' | 'etcd';
  /** kube-apiserver's --etcd-servers: client URLs of one etcd cluster. */
  etcdServers?: string[];
  /** kube-apiserver's --etcd-prefix (default /registry). */
  etcdPrefix?: string;
  /**
   * kube-apiserver's --max-requests-inflight and --max-mutating-requests-inflight (0: no limit), --request-timeout;
   * the watch caps. Absent: the defaults (DEFAULT_LIMITS).
   */
  limits: {
    maxRequestsInflight?: number;
    maxMutatingRequestsInflight?: number;
    requestTimeoutMs?: number;
    maxWatchesPerClient?: number;
    maxWatches?: number;
  };
  help: boolean;
}

/** Whether the server serves HTTPS: as asked, else when bound beyond loopback or given its own certificate. */
export function tlsEnabled(flags: Pick<ServerFlags, 'tls' | 'tlsCertFile' | 'host'>): boolean {
  return flags.tls ?? (flags.tlsCertFile !== undefined || !isLoopback(flags.host));
}

/** The admission plugins the server runs (and --disable-admission-plugins may turn off), as upstream names them. */
export const ADMISSION_PLUGINS: readonly string[] = ['ServiceAccount'];

/** The port the API server listens on when none is given (kube-apiserver's historical insecure port). */
export const DEFAULT_PORT = 8080;

export class UsageError extends Error {}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function usage(program: 'server' | 'start'): string {
  const name = program === 'server' ? 'node dist/server/main.js' : 'npm start --';
  return [
    `Usage: ${name} [flags]`,
    '',
    'Flags:',
    `  --port P        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)`,
    '  --host H        address to bind (default 127.0.0.1; any other address requires a bearer token and TLS)',
    '  --data-dir D    where the store and the kubeconfig live (default ./data)',
    '  --nodes N       make sure at least N simulated nodes exist (default 0)',
    '  --token T       require "Authorization: Bearer T" (generated and saved to D/token when binding a non-loopback address)',
    '  --kubelet-preferred-address-types T',
    '                  node address types tried in order to reach a kubelet (default InternalDNS,Hostname,InternalIP,ExternalDNS,ExternalIP)',
    '  --log-level L   fatal, error, warn, info, debug, trace or silent (default info)',
    `  --disable-admission-plugins P   comma-separated admission plugins to turn off (${ADMISSION_PLUGINS.join(', ')})`,
    '  --service-cluster-ip-range CIDR   IPv4 range of Service cluster IPs (default 10.96.0.0/12)',
    '  --service-node-port-range A-B     range of Service node ports (default 30000-32767)',
    '  --tls[=false]   serve HTTPS with a certificate from D/pki (made on first start; default: on beyond loopback)',
    '  --tls-cert-file F, --tls-private-key-file K   serve HTTPS with this PEM certificate (chain) and key instead',
    '  --watch-cache-mib N   most MiB of recent events the watch cache keeps in memory (default 64)',
    '  --storage-write-buffer-mib N   LevelDB write buffer of the current objects in D/store (default 4; npm start: 16 from 25,000 nodes)',
    '  --storage S     level (LevelDB in D/store, the default) or etcd (several API servers may share one etcd)',
    '  --etcd-servers URLS   with --storage etcd: comma-separated etcd client URLs (http://127.0.0.1:2379,...)',
    '  --etcd-prefix P       with --storage etcd: the prefix of every key in etcd (default /registry)',
    '  --max-requests-inflight N           read requests served at once, beyond: 429 (default 800; 0: no limit)',
    '  --max-mutating-requests-inflight N  mutating requests served at once, beyond: 429 (default 400; 0: no limit)',
    '  --request-timeout D                 time limit of a request that is not a watch or a log stream (default 1m0s)',
    '  --max-watches-per-client N          open watches per user (or address when anonymous) (default 1000)',
    '  --max-watches N                     open watches in all (default 10000)',
    '  -h, --help      show this help',
    '',
  ].join('\n');
}

/** The limit flags again, for a launcher that passes them on to the API server. */
export function limitFlagArgs(l: ServerFlags['limits']): string[] {
  const args: string[] = [];
  if (l.maxRequestsInflight !== undefined) args.push('--max-requests-inflight', String(l.maxRequestsInflight));
  if (l.maxMutatingRequestsInflight !== undefined)
    args.push('--max-mutating-requests-inflight', String(l.maxMutatingRequestsInflight));
  if (l.requestTimeoutMs !== undefined) args.push('--request-timeout', `${l.requestTimeoutMs}ms`);
  if (l.maxWatchesPerClient !== undefined) args.push('--max-watches-per-client', String(l.maxWatchesPerClient));
  if (l.maxWatches !== undefined) args.push('--max-watches', String(l.maxWatches));
  return args;
}

/** The storage flags again, for a launcher that passes them on to the API server. */
export function storageFlagArgs(f: Pick<ServerFlags, 'storage' | 'etcdServers' | 'etcdPrefix'>): string[] {
  if (f.storage !== 'etcd') return [];
  const args = ['--storage', 'etcd', '--etcd-servers', (f.etcdServers ?? []).join(',')];
  if (f.etcdPrefix !== undefined) args.push('--etcd-prefix', f.etcdPrefix);
  return args;
}

/** Parses `--flag value` and `--flag=value`; an unknown flag or a bad value is a UsageError. */
export function parseFlags(argv: string[], _program: 'server' | 'start'): ServerFlags {
  const flags: ServerFlags = {
    port: DEFAULT_PORT,
    host: '127.0.0.1',
    dataDir: './data',
    nodes: 0,
    logLevel: 'info',
    disableAdmissionPlugins: [],
    storage: 'level',
    limits: {},
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      flags.help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = m[1]!;
    const takeValue = (): string => {
      if (m[2] !== undefined) return m[2];
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`flag --${name} needs a value`);
      return v;
    };
    switch (name) {
      case 'port': {
        const v = takeValue();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535)
          throw new UsageError(`invalid --port ${JSON.stringify(v)}: must be an integer from 0 to 65535`);
        flags.port = n;
        break;
      }
      case 'host':
        flags.host = takeValue();
        if (!flags.host) throw new UsageError('--host must not be empty');
        break;
      case 'data-dir':
        flags.dataDir = takeValue();
        if (!flags.dataDir) throw new UsageError('--data-dir must not be empty');
        break;
      case 'nodes': {
        const v = takeValue();
        if (!/^\d+$/.test(v))
          throw new UsageError(`invalid --nodes ${JSON.stringify(v)}: must be a non-negative integer`);
        flags.nodes = Number(v);
        break;
      }
      case 'token':
        flags.token = takeValue();
        if (!flags.token) throw new UsageError('--token must not be empty');
        break;
      case 'kubelet-preferred-address-types': {
        const types = takeValue()
          .split(',')
          .map((t) => t.trim());
        const bad = types.filter((t) => !NODE_ADDRESS_TYPES.includes(t));
        if (bad.length || types.length === 0) {
          throw new UsageError(
            `invalid --kubelet-preferred-address-types: ${JSON.stringify(bad[0] ?? '')} is not one of ${NODE_ADDRESS_TYPES.join(', ')}`,
          );
        }
        flags.kubeletPreferredAddressTypes = types;
        break;
      }
      case 'log-level': {
        const v = takeValue();
        if (!LOG_LEVELS.includes(v))
          throw new UsageError(`invalid --log-level ${JSON.stringify(v)}: one of ${LOG_LEVELS.join(', ')}`);
        flags.logLevel = v;
        break;
      }
      case 'disable-admission-plugins': {
        const names = takeValue()
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== '');
        for (const n of names) {
          if (!ADMISSION_PLUGINS.includes(n))
            throw new UsageError(
              `unknown admission plugin ${JSON.stringify(n)} in --disable-admission-plugins: one of ${ADMISSION_PLUGINS.join(', ')}`,
            );
          if (!flags.disableAdmissionPlugins.includes(n)) flags.disableAdmissionPlugins.push(n);
        }
        break;
      }
      case 'service-cluster-ip-range': {
        const v = takeValue();
        try {
          parseServiceCIDR(v);
        } catch (err) {
          throw new UsageError(`invalid --service-cluster-ip-range: ${(err as Error).message}`);
        }
        flags.serviceClusterIPRange = v;
        break;
      }
      case 'service-node-port-range': {
        const v = takeValue();
        try {
          parsePortRange(v);
        } catch (err) {
          throw new UsageError(`invalid --service-node-port-range: ${(err as Error).message}`);
        }
        flags.serviceNodePortRange = v;
        break;
      }
      case 'tls': {
        const v = m[2] ?? 'true';
        if (v !== 'true' && v !== 'false')
          throw new UsageError(`invalid --tls ${JSON.stringify(v)}: --tls, --tls=true or --tls=false`);
        flags.tls = v === 'true';
        break;
      }
      case 'tls-cert-file':
        flags.tlsCertFile = takeValue();
        if (!flags.tlsCertFile) throw new UsageError('--tls-cert-file must not be empty');
        break;
      case 'tls-private-key-file':
        flags.tlsPrivateKeyFile = takeValue();
        if (!flags.tlsPrivateKeyFile) throw new UsageError('--tls-private-key-file must not be empty');
        break;
      case 'watch-cache-mib': {
        const v = takeValue();
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024 * 1024)
          throw new UsageError(`invalid --watch-cache-mib ${JSON.stringify(v)}: must be an integer from 1 to 1048576`);
        flags.watchCacheMiB = Number(v);
        break;
      }
      case 'storage-write-buffer-mib': {
        const v = takeValue();
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1024)
          throw new UsageError(
            `invalid --storage-write-buffer-mib ${JSON.stringify(v)}: must be an integer from 1 to 1024`,
          );
        flags.storageWriteBufferMiB = Number(v);
        break;
      }
      case 'storage': {
        const v = takeValue();
        if (v !== 'level' && v !== 'etcd')
          throw new UsageError(`invalid --storage ${JSON.stringify(v)}: level or etcd`);
        flags.storage = v;
        break;
      }
      case 'etcd-servers': {
        const servers = takeValue()
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (servers.length === 0) throw new UsageError('--etcd-servers must not be empty');
        for (const s of servers) {
          if (!/^https?:\/\/[^/\s]+\/?$/.test(s))
            throw new UsageError(`invalid --etcd-servers URL ${JSON.stringify(s)}: like http://127.0.0.1:2379`);
        }
        flags.etcdServers = servers;
        break;
      }
      case 'etcd-prefix': {
        const v = takeValue();
        if (!/^\/[\x21-\x7e]*$/.test(v))
          throw new UsageError(`invalid --etcd-prefix ${JSON.stringify(v)}: a path starting with /`);
        flags.etcdPrefix = v;
        break;
      }
      case 'max-requests-inflight':
      case 'max-mutating-requests-inflight':
      case 'max-watches-per-client':
      case 'max-watches': {
        const v = takeValue();
        if (!/^\d{1,9}$/.test(v))
          throw new UsageError(`invalid --${name} ${JSON.stringify(v)}: must be a non-negative integer`);
        const n = Number(v);
        if (name === 'max-requests-inflight') flags.limits.maxRequestsInflight = n;
        else if (name === 'max-mutating-requests-inflight') flags.limits.maxMutatingRequestsInflight = n;
        else if (name === 'max-watches-per-client') flags.limits.maxWatchesPerClient = n;
        else flags.limits.maxWatches = n;
        break;
      }
      case 'request-timeout': {
        const v = takeValue();
        const ns = parseGoDuration(v);
        if (ns === undefined || ns <= 0)
          throw new UsageError(
            `invalid --request-timeout ${JSON.stringify(v)}: a positive duration such as 1m0s or 30s`,
          );
        flags.limits.requestTimeoutMs = Math.max(1, Math.round(ns / 1e6));
        break;
      }
      default:
        throw new UsageError(`unknown flag --${name}`);
    }
  }
  if (flags.storage === 'etcd' && !flags.etcdServers) throw new UsageError('--storage etcd needs --etcd-servers');
  if (flags.storage !== 'etcd' && (flags.etcdServers || flags.etcdPrefix !== undefined))
    throw new UsageError('--etcd-servers and --etcd-prefix go with --storage etcd');
  if ((flags.tlsCertFile === undefined) !== (flags.tlsPrivateKeyFile === undefined))
    throw new UsageError('--tls-cert-file and --tls-private-key-file go together');
  if (flags.tls === false && flags.tlsCertFile !== undefined)
    throw new UsageError('--tls=false contradicts --tls-cert-file');
  if (flags.tls === false && !isLoopback(flags.host))
    throw new UsageError(
      `--tls=false needs a loopback --host: beyond loopback the bearer token must not travel in plain HTTP (--host ${flags.host})`,
    );
  return flags;
}
