/**
 * Stable identifiers and addresses of the simulated nodes: hex digests for container and machine IDs,
 * per-node InternalIPs (10.128.0.0/16, then 192.168.0.0/16) and pod CIDRs (10.244.N.0/24 first), and pod IPs within
 * a node's CIDR.
 * Everything derived from names and uids is deterministic, so a restarted kubelet reports the same values.
 */
import { createHash } from 'node:crypto';

/** The SHA-256 of `seed` as 64 lower-case hex digits. */
export function hexDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** A UUID-shaped id derived from `seed` (systemUUID, bootID). */
export function uuidFrom(seed: string): string {
  const h = hexDigest(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The /16s node IPs come from, in order. */
const NODE_IP_BLOCKS: readonly string[] = ['10.128', '192.168'];

/**
 * The n-th node InternalIP (0 ≤ n < NODE_IP_COUNT): 10.128.0.2, 10.128.0.3 … 10.128.0.254, 10.128.1.2 … then the
 * same in 192.168.0.0/16.
 */
export function nodeIPAt(n: number): string {
  const perBlock = 253;
  const block = Math.floor(n / perBlock);
  return `${NODE_IP_BLOCKS[block >> 8]}.${block & 255}.${(n % perBlock) + 2}`;
}

/** How many distinct node IPs there are (253 hosts in each of 256 blocks of each /16). */
export const NODE_IP_COUNT = 253 * 256 * NODE_IP_BLOCKS.length;
/**
 * The /16s the pod CIDRs are cut from, in the order they are handed out: 10.244 … 10.255 first (the flannel-style
 * range small clusters show), then the rest of 10/8 but for 10.128 (the node IPs) and 10.96 … 10.111 (the default
 * Service range, 10.96.0.0/12, which pods must not share), then 172.16 … 172.31, so that tens of thousands of nodes
 * each get a /24.
 */
const POD_CIDR_BLOCKS: readonly string[] = [
  ...Array.from({ length: 12 }, (_, i) => `10.${244 + i}`),
  ...Array.from({ length: 96 }, (_, i) => `10.${i}`),
  ...Array.from({ length: 16 }, (_, i) => `10.${112 + i}`),
  ...Array.from({ length: 115 }, (_, i) => `10.${129 + i}`),
  ...Array.from({ length: 16 }, (_, i) => `172.${16 + i}`),
];
/** How many /24 pod CIDRs there are (255 × 256). */
const POD_CIDR_24_COUNT = POD_CIDR_BLOCKS.length * 256;
/**
 * How many distinct pod CIDRs there are: the /24s, then /26s from 100.64.0.0/10 (RFC 6598's shared address space,
 * 64 × 1,024 of them), which the largest simulated clusters need (a cluster CIDR of /24s per node holds no more than
 * 65,536 nodes; big real clusters give each node a smaller range and fewer pods, as these do: see {@link maxPodsIn}).
 */
export const POD_CIDR_COUNT = POD_CIDR_24_COUNT + 64 * 1024;

/**
 * The n-th node pod CIDR (0 ≤ n < POD_CIDR_COUNT): 10.244.0.0/24 … 10.255.255.0/24, then 10.0.0.0/24 …
 * 10.95.255.0/24, 10.112.0.0/24 … 10.127.255.0/24, 10.129.0.0/24 … 10.243.255.0/24 and 172.16.0.0/24 …
 * 172.31.255.0/24; then 100.64.0.0/26, 100.64.0.64/26 … 100.127.255.192/26.
 */
export function podCIDRAt(n: number): string {
  if (n < POD_CIDR_24_COUNT) return `${POD_CIDR_BLOCKS[Math.floor(n / 256)]}.${n % 256}.0/24`;
  const m = n - POD_CIDR_24_COUNT;
  return `100.${64 + (m >> 10)}.${(m >> 2) & 255}.${(m & 3) * 64}/26`;
}

/** How many simulated nodes one controller manager can give distinct node IPs and pod CIDRs. */
export const MAX_SIMULATED_NODES = Math.min(NODE_IP_COUNT, POD_CIDR_COUNT);

/** Why `--nodes N` asks for too many simulated nodes, or undefined when it does not. */
export function tooManyNodes(n: number): string | undefined {
  return n > MAX_SIMULATED_NODES
    ? `invalid --nodes ${n}: at most ${MAX_SIMULATED_NODES} simulated nodes (node IPs and pod CIDRs run out)`
    : undefined;
}

/** The pods a simulated node runs at most: 110 (the kubelet's default), fewer when its pod CIDR has fewer IPs. */
export const MAX_PODS = 110;

/** How many pods a node with pod CIDR `cidr` can run: {@link MAX_PODS}, or its usable pod IPs when fewer. */
export function maxPodsIn(cidr: string): number {
  const parsed = parseCIDR(cidr);
  if (!parsed) return MAX_PODS;
  // hosts .2 up to the last but one (see allocatePodIP)
  return Math.max(0, Math.min(MAX_PODS, 2 ** (32 - parsed.bits) - 3));
}

/** The address part and prefix length of an IPv4 CIDR, or undefined for anything else. */
export function parseCIDR(cidr: string): { base: number[]; bits: number } | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) return undefined;
  const base = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (base.some((b) => b > 255) || bits > 32) return undefined;
  return { base, bits };
}

/**
 * The lowest free pod IP of an IPv4 CIDR, from host .2 upward (.1 is the node's bridge), skipping `used`.
 * Undefined when the CIDR is not IPv4 or is full.
 */
export function allocatePodIP(cidr: string, used: ReadonlySet<string>): string | undefined {
  const parsed = parseCIDR(cidr);
  if (!parsed) return undefined;
  const start = ((parsed.base[0]! << 24) | (parsed.base[1]! << 16) | (parsed.base[2]! << 8) | parsed.base[3]!) >>> 0;
  const size = 2 ** (32 - parsed.bits);
  const mask = (size - 1) >>> 0;
  const network = (start & ~mask) >>> 0;
  for (let host = 2; host < size - 1; host++) {
    const v = (network + host) >>> 0;
    const ip = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/**
 * Hands out unique values (node IPs, pod CIDRs) to owners by index: an owner keeps its value; a value already
 * claimed by another owner (seen in the cluster) is never handed out again.
 */
export class IndexAllocator {
  private readonly byOwner = new Map<string, string>();
  private readonly owners = new Map<string, string>();
  /** No value below this index is free (allocations scan from here; a release resets it). */
  private lowestFree = 0;

  constructor(
    private readonly valueAt: (n: number) => string,
    private readonly limit: number,
  ) {}

  /** Records that `owner` uses `value` (found on the object); false when another owner holds it. */
  claim(owner: string, value: string): boolean {
    const holder = this.owners.get(value);
    if (holder !== undefined && holder !== owner) return false;
    const previous = this.byOwner.get(owner);
    if (previous !== undefined && previous !== value) {
      this.owners.delete(previous);
      this.lowestFree = 0;
    }
    this.byOwner.set(owner, value);
    this.owners.set(value, owner);
    return true;
  }

  /** The owner's value, allocating the lowest free one if it has none; throws once `limit` values are taken. */
  allocate(owner: string): string {
    const existing = this.byOwner.get(owner);
    if (existing !== undefined) return existing;
    for (let n = this.lowestFree; n < this.limit; n++) {
      const v = this.valueAt(n);
      if (!this.owners.has(v)) {
        this.claim(owner, v);
        this.lowestFree = n + 1;
        return v;
      }
    }
    throw new Error(`no free value left for ${owner} (${this.limit} in use)`);
  }

  /** The value of an owner, if it has one. */
  get(owner: string): string | undefined {
    return this.byOwner.get(owner);
  }

  /** Frees the owner's value. */
  release(owner: string): void {
    const v = this.byOwner.get(owner);
    if (v === undefined) return;
    this.byOwner.delete(owner);
    if (this.owners.get(v) === owner) this.owners.delete(v);
    this.lowestFree = 0;
  }
}
