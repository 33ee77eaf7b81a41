/**
 * The simulated cluster's node pool: `--nodes N` makes sure at least N Node objects exist, named as the
 * book's GKE cluster names them (`k0-default-pool-35609c18-z7tb`). The simulated kubelet fills their status.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/objects.js';
import { isAbortError } from './clock.js';
import { isAlreadyExists } from './client.js';
import { errorInfo } from './informer.js';
import { RESOURCES, type ApiClient, type Clock, type Logger, type NodeRegistration } from './types.js';

/** The prefix of every node the controller manager creates. */
export const NODE_POOL_PREFIX = 'k0-default-pool-';
/** The characters of the random suffix (apimachinery's rand.String alphabet: no vowels, no 0/1/3). */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

const POOL_NAME = /^k0-default-pool-([0-9a-f]{8})-[0-9a-z]+$/;

/** The 8 hex digits of the pool: those of an existing pool node, else a hash of `seed` (the server URL). */
export function poolId(existingNames: string[], seed: string): string {
  for (const name of [...existingNames].sort()) {
    const m = POOL_NAME.exec(name);
    if (m) return m[1]!;
  }
  return createHash('sha256').update(seed).digest('hex').slice(0, 8);
}

/** A random suffix of `length` characters from NAME_SUFFIX_ALPHABET. */
export function randomSuffix(random: () => number, length = 4): string {
  let s = '';
  for (let i = 0; i < length; i++)
    s += NAME_SUFFIX_ALPHABET[Math.floor(random() * NAME_SUFFIX_ALPHABET.length) % NAME_SUFFIX_ALPHABET.length];
  return s;
}

/** A Node as a kubelet registers it before its first status update. */
export function nodeManifest(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
      },
    },
  };
}

/** Node creates `ensureNodes` has in flight at once. */
export const NODE_CREATES_IN_FLIGHT = 32;

export interface EnsureNodesOptions {
  client: ApiClient;
  clock: Clock;
  log: Logger;
  /** The least number of Nodes that must exist. */
  count: number;
  /** Seeds the pool id when no pool node exists yet (the server URL). */
  seed: string;
  random?: () => number;
  signal: AbortSignal;
  /** How the nodes' kubelet registers a node (its status in the create); absent: a Node with labels alone. */
  registration?: NodeRegistration;
  /**
   * Called when the creates a list asks for are sent, and after every failed attempt (so it may be called more than
   * once): what the caller starts then queues behind the creates at the server instead of ahead of them.
   */
  onCreatesSent?: () => void;
}

/**
 * Creates Nodes until at least `count` exist (counting every Node, pool or not). Retries failures with backoff
 * (1 s doubling to 30 s) until it succeeds or the signal aborts (then it rejects with an AbortError).
 * Resolves with the names it created.
 */
export async function ensureNodes(opts: EnsureNodesOptions): Promise<string[]> {
  const random = opts.random ?? Math.random;
  const created: string[] = [];
  let backoff = 1000;
  for (;;) {
    try {
      const listed = (await opts.client.list(RESOURCES.nodes)).items;
      opts.registration?.existing(listed);
      const existing = listed.map((n) => n.metadata.name ?? '');
      const taken = new Set(existing);
      const pool = poolId(existing, opts.seed);
      // Up to NODE_CREATES_IN_FLIGHT creates at a time (every real kubelet registers on its own); a name taken
      // meanwhile (AlreadyExists) is replaced by another.
      const createOne = async (): Promise<void> => {
        let name: string;
        do name = `${NODE_POOL_PREFIX}${pool}-${randomSuffix(random)}`;
        while (taken.has(name));
        taken.add(name);
        const reg = opts.registration;
        try {
          const node = await opts.client.create(
            RESOURCES.nodes,
            undefined,
            reg ? reg.manifest(name) : nodeManifest(name),
          );
          created.push(name);
          reg?.created(node);
          opts.log.info({ node: name }, 'created node');
        } catch (err) {
          reg?.failed(name);
          if (!isAlreadyExists(err)) throw err;
          wanted++;
        }
      };
      let wanted = opts.count - taken.size;
      let failed = false;
      const lane = async (): Promise<void> => {
        while (wanted > 0 && !failed) {
          if (opts.signal.aborted) throw abortedError();
          wanted--;
          await createOne().catch((err) => {
            failed = true;
            throw err;
          });
        }
      };
      // Every lane ends before a retry lists the nodes again (none is left creating behind it).
      const settled = Promise.allSettled(
        Array.from({ length: Math.min(NODE_CREATES_IN_FLIGHT, Math.max(0, wanted)) }, lane),
      );
      opts.onCreatesSent?.();
      const lanes = await settled;
      const failure = lanes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      return created;
    } catch (err) {
      if (opts.signal.aborted || isAbortError(err)) throw abortedError();
      opts.onCreatesSent?.();
      opts.log.warn({ err: errorInfo(err), retryInMs: backoff }, 'could not ensure nodes');
      await opts.clock.sleep(backoff, opts.signal);
      backoff = Math.min(30_000, backoff * 2);
    }
  }
}

function abortedError(): Error {
  const err = new Error('ensureNodes aborted');
  err.name = 'AbortError';
  return err;
}
