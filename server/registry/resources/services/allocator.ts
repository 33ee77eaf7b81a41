/**
 * The service IP and node port allocators (upstream pkg/registry/core/service/ipallocator and portallocator): which
 * cluster IPs of the service CIDR and which node ports are taken, and by which Service. Nothing of it is stored: it is
 * derived from the stored Services when first needed (so it survives restarts and never conflicts with what is
 * stored), then kept current by the Service store's hooks, the only writers of Services (create, update, delete,
 * namespace cleanup). When one server process owns the store, reservations made here are final once written; on a
 * store several API servers share (etcd), each value is also claimed in the store (SharedClaims, below).
 *
 * As upstream, addresses handed out without a request are picked at random from the upper part of the range; the
 * lower part (16 to 256 addresses, 16 to 128 ports) is left for explicit requests such as the `kubernetes` Service's
 * first address or a DNS service's `.10`.
 */
import { isStorageError } from '../../../../storage/errors.js';
import type { Storage } from '../../../../storage/interface.js';
import type { KubeObject } from '../../../../apimachinery/objects.js';

/** kube-apiserver's default `--service-cluster-ip-range`. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** kube-apiserver's default `--service-node-port-range`. */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export class AllocationError extends Error {}

/** An IPv4 CIDR: base address (as a number) and prefix length. */
export interface IPv4Range {
  cidr: string;
  base: number;
  bits: number;
}

/** Parses an IPv4 CIDR (the network is masked: `10.96.0.5/12` is `10.96.0.0/12`); throws with a readable reason. */
export function parseServiceCIDR(cidr: string): IPv4Range {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m)
    throw new Error(
      `${JSON.stringify(cidr)} is not an IPv4 CIDR (e.g. ${DEFAULT_SERVICE_CIDR}); only IPv4 service ranges are supported`,
    );
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 30 || bits < 8) {
    throw new Error(
      `${JSON.stringify(cidr)} is not a usable service range (an IPv4 CIDR with a prefix from /8 to /30)`,
    );
  }
  const raw = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  const base = raw - (raw % size);
  return { cidr: `${ipString(base)}/${bits}`, base, bits };
}

/** Parses a port range `A-B` (inclusive) or a single port; throws with a readable reason. */
export function parsePortRange(spec: string): { base: number; size: number; text: string } {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(spec.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 1 || hi > 65535 || hi < lo)
    throw new Error(`${JSON.stringify(spec)} is not a port range such as ${DEFAULT_NODE_PORT_RANGE}`);
  return { base: lo, size: hi - lo + 1, text: `${lo}-${hi}` };
}

export function ipString(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The IPv4 address as a number, or undefined when `ip` is not dotted-quad IPv4 (leading zeros tolerated). */
export function ipv4Number(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** The first usable address of a range: what the `kubernetes` Service gets. */
export function firstAddress(range: IPv4Range): string {
  return ipString(range.base + 1);
}

/** Upstream's reserved lower band of a range of `size` values: none below 16 values, else min(max(16, size/div), cap). */
function staticBand(size: number, div: number, cap: number): number {
  if (size < 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / div)), cap);
}

/**
 * A set of integers `[first, first+count)` with owners; dynamic picks come at random from `[first+band, end)`, then
 * from the whole set. Every search is bounded by the size of the set.
 */
class OwnedRange {
  private readonly owners = new Map<number, string>();

  constructor(
    readonly first: number,
    readonly count: number,
    private readonly band: number,
    private readonly random: () => number,
  ) {}

  contains(v: number): boolean {
    return v >= this.first && v < this.first + this.count;
  }

  ownerOf(v: number): string | undefined {
    return this.owners.get(v);
  }

  get used(): number {
    return this.owners.size;
  }

  take(v: number, owner: string): void {
    this.owners.set(v, owner);
  }

  release(v: number, owner?: string): void {
    if (owner === undefined || this.owners.get(v) === owner) this.owners.delete(v);
  }

  /** A free value, or undefined when every value is taken. */
  pickFree(): number | undefined {
    if (this.owners.size >= this.count) return undefined;
    const scan = (from: number, to: number): number | undefined => {
      const n = to - from;
      if (n <= 0) return undefined;
      const start = Math.floor(this.random() * n);
      for (let i = 0; i < n; i++) {
        const v = from + ((start + i) % n);
        if (!this.owners.has(v)) return v;
      }
      return undefined;
    };
    const end = this.first + this.count;
    return scan(this.first + this.band, end) ?? scan(this.first, this.first + this.band);
  }
}

/** What one stored Service holds: its cluster IPs (IPv4 in range) and node ports (health check port included). */
export function heldBy(svc: KubeObject): { ips: string[]; ports: number[] } {
  const spec = (svc.spec ?? {}) as {
    clusterIPs?: unknown;
    clusterIP?: unknown;
    ports?: unknown;
    healthCheckNodePort?: unknown;
    type?: unknown;
  };
  const ips = Array.isArray(spec.clusterIPs)
    ? spec.clusterIPs.filter((x): x is string => typeof x === 'string')
    : typeof spec.clusterIP === 'string' && spec.clusterIP
      ? [spec.clusterIP]
      : [];
  const ports: number[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    const n = (p as { nodePort?: unknown })?.nodePort;
    if (typeof n === 'number' && n > 0 && !ports.includes(n)) ports.push(n);
  }
  const hc = spec.healthCheckNodePort;
  if (typeof hc === 'number' && hc > 0 && !ports.includes(hc)) ports.push(hc);
  return { ips: ips.filter((ip) => ip !== 'None' && ip !== ''), ports };
}

export function ownerKey(svc: KubeObject): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

/** The cluster IP and node port allocators of one API server. */
export class ServiceAllocators {
  readonly range: IPv4Range;
  readonly portRange: { base: number; size: number; text: string };
  private readonly ips: OwnedRange;
  private readonly ports: OwnedRange;
  private loading: Promise<void> | undefined;

  constructor(opts: { serviceCIDR?: string; nodePortRange?: string; random?: () => number } = {}) {
    this.range = parseServiceCIDR(opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR);
    this.portRange = parsePortRange(opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    const random = opts.random ?? Math.random;
    const size = 2 ** (32 - this.range.bits);
    // usable addresses: the network and broadcast addresses are never handed out
    this.ips = new OwnedRange(this.range.base + 1, size - 2, staticBand(size, 16, 256), random);
    this.ports = new OwnedRange(
      this.portRange.base,
      this.portRange.size,
      staticBand(this.portRange.size, 32, 128),
      random,
    );
  }

  /** Reads what the stored Services hold, once; every allocation waits for it. */
  ensureLoaded(storage: Storage): Promise<void> {
    this.loading ??= (async () => {
      const listed = await storage.list('/registry/services/specs/');
      for (const svc of listed.items) this.record(svc);
    })().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** Marks what a stored Service holds as its own. */
  record(svc: KubeObject): void {
    const owner = ownerKey(svc);
    const held = heldBy(svc);
    for (const ip of held.ips) {
      const v = ipv4Number(ip);
      if (v !== undefined && this.ips.contains(v)) this.ips.take(v, owner);
    }
    for (const p of held.ports) if (this.ports.contains(p)) this.ports.take(p, owner);
  }

  /**
   * Frees what a removed Service held. Whatever a stored Service holds is its alone (allocations are exclusive), so
   * this does not look at owners: a Service created under a generated name that changed after allocation frees too.
   */
  releaseAll(svc: KubeObject): void {
    const held = heldBy(svc);
    for (const ip of held.ips) this.releaseIP(ip);
    for (const p of held.ports) this.releasePort(p);
  }

  /** The range as upstream's errors name it: `10.96.0.0/12`. */
  get cidr(): string {
    return this.range.cidr;
  }

  /** Reserves a requested IP for `owner`; AllocationError with upstream's text when taken or outside the range. */
  allocateIP(ip: string, owner: string, dryRun: boolean): void {
    const v = ipv4Number(ip);
    if (v === undefined || !this.ips.contains(v)) {
      throw new AllocationError(`provided IP is not in the valid range. The range of valid IPs is ${this.range.cidr}`);
    }
    const holder = this.ips.ownerOf(v);
    if (holder !== undefined) throw new AllocationError('provided IP is already allocated');
    if (!dryRun) this.ips.take(v, owner);
  }

  /** A free IP, reserved for `owner` (not on dry runs); AllocationError `range is full` when none is left. */
  allocateNextIP(owner: string, dryRun: boolean): string {
    const v = this.ips.pickFree();
    if (v === undefined) throw new AllocationError('range is full');
    if (!dryRun) this.ips.take(v, owner);
    return ipString(v);
  }

  releaseIP(ip: string, owner?: string): void {
    const v = ipv4Number(ip);
    if (v !== undefined) this.ips.release(v, owner);
  }

  /** Reserves a requested node port; AllocationError with upstream's text when taken or outside the range. */
  allocatePort(port: number, owner: string, dryRun: boolean): void {
    if (!this.ports.contains(port)) {
      throw new AllocationError(
        `provided port is not in the valid range. The range of valid ports is ${this.portRange.text}`,
      );
    }
    if (this.ports.ownerOf(port) !== undefined) throw new AllocationError('provided port is already allocated');
    if (!dryRun) this.ports.take(port, owner);
  }

  allocateNextPort(owner: string, dryRun: boolean): number {
    const v = this.ports.pickFree();
    if (v === undefined) throw new AllocationError('range is full');
    if (!dryRun) this.ports.take(v, owner);
    return v;
  }

  releasePort(port: number, owner?: string): void {
    this.ports.release(port, owner);
  }

  /** Records an IP held through another API server (see SharedClaims). */
  markTakenIP(ip: string, owner: string): void {
    const v = ipv4Number(ip);
    if (v !== undefined && this.ips.contains(v)) this.ips.take(v, owner);
  }

  /** Records a node port held through another API server (see SharedClaims). */
  markTakenPort(port: number, owner: string): void {
    if (this.ports.contains(port)) this.ports.take(port, owner);
  }

  /** Who holds an IP or a port (tests and the `kubernetes` Service bootstrap). */
  ipOwner(ip: string): string | undefined {
    const v = ipv4Number(ip);
    return v === undefined ? undefined : this.ips.ownerOf(v);
  }

  portOwner(port: number): string | undefined {
    return this.ports.ownerOf(port);
  }

  get usedIPs(): number {
    return this.ips.used;
  }
}

/** Where the cross-server claims of cluster IPs and node ports are stored (only on a shared store). */
const CLAIM_PREFIX = { ip: '/registry/ranges/serviceips/', port: '/registry/ranges/servicenodeports/' } as const;
/** A claim whose Service does not hold its value is stale (left by a crashed server) only after this long. */
const CLAIM_GRACE_MS = 60_000;

type ClaimKind = keyof typeof CLAIM_PREFIX;

/**
 * Cross-server exclusivity of allocations on a store several API servers share (etcd), as upstream's stored
 * allocation state provides: every value a server hands out is also claimed by creating its key under
 * /registry/ranges/ (create fails when the key exists, atomically across servers). A claim whose owner Service
 * does not hold the value any more, and older than a grace period, was left by a crashed server and is taken over.
 */
export class SharedClaims {
  constructor(private readonly alloc: ServiceAllocators) {}

  /**
   * Claims `ips` and `ports` for `owner`: the values whose claims this call created (those `owner` held already are
   * not among them), or, when one is held through another API server, `conflict`: what this call claimed is
   * released, and the caller releases its reservation, marks the value taken ({@link markTaken}) and allocates again.
   */
  async claim(
    storage: Storage,
    ips: readonly string[],
    ports: readonly number[],
    owner: string,
  ): Promise<{ ips: string[]; ports: number[] } | { conflict: { kind: ClaimKind; value: string; holder: string } }> {
    const made: [ClaimKind, string][] = [];
    const wanted: [ClaimKind, string][] = [
      ...ips.map((v): [ClaimKind, string] => ['ip', v]),
      ...ports.map((v): [ClaimKind, string] => ['port', String(v)]),
    ];
    for (const [kind, value] of wanted) {
      const holder = await this.claimOne(storage, kind, value, owner);
      if (holder === undefined) {
        made.push([kind, value]);
        continue;
      }
      if (holder === owner) continue;
      await Promise.all(made.map(([k, v]) => this.releaseOne(storage, k, v, owner)));
      return { conflict: { kind, value, holder } };
    }
    return {
      ips: made.filter(([k]) => k === 'ip').map(([, v]) => v),
      ports: made.filter(([k]) => k === 'port').map(([, v]) => Number(v)),
    };
  }

  /**
   * Frees in the local allocator the values `svc` asks for that this server still counts as held by another
   * Service which no longer holds them: freed through another API server, which this one did not see. Only the
   * values the request names are checked (one read each), so an explicit request is never refused for a stale mark.
   */
  async forgetReleased(storage: Storage, svc: KubeObject): Promise<void> {
    const owner = ownerKey(svc);
    const wanted = heldBy(svc);
    const check = async (kind: ClaimKind, value: string, holder: string | undefined) => {
      if (holder === undefined || holder === owner) return;
      if (await this.holds(storage, holder, kind, value)) return;
      if (kind === 'ip') this.alloc.releaseIP(value, holder);
      else this.alloc.releasePort(Number(value), holder);
    };
    await Promise.all([
      ...wanted.ips.map((ip) => check('ip', ip, this.alloc.ipOwner(ip))),
      ...wanted.ports.map((p) => check('port', String(p), this.alloc.portOwner(p))),
    ]);
  }

  /** Whether the Service `holder` (namespace/name) is stored and holds the value. */
  private async holds(storage: Storage, holder: string, kind: ClaimKind, value: string): Promise<boolean> {
    const [namespace, name] = holder.split('/');
    if (!namespace || !name) return true; // not a Service's mark (e.g. a conflict's fallback): keep it
    try {
      const held = heldBy(await storage.get(`/registry/services/specs/${namespace}/${name}`));
      return kind === 'ip' ? held.ips.includes(value) : held.ports.includes(Number(value));
    } catch (err) {
      if (isStorageError(err, 'KeyNotFound')) return false;
      throw err;
    }
  }

  /** Records in the local allocator a value held through another API server. */
  markTaken(conflict: { kind: ClaimKind; value: string; holder: string }): void {
    if (conflict.kind === 'ip') this.alloc.markTakenIP(conflict.value, conflict.holder);
    else this.alloc.markTakenPort(Number(conflict.value), conflict.holder);
  }

  /** Removes the claims `owner` holds on these values (best effort: a left-over claim is taken over later). */
  async release(storage: Storage, ips: readonly string[], ports: readonly number[], owner: string): Promise<void> {
    await Promise.all([
      ...ips.map((v) => this.releaseOne(storage, 'ip', v, owner)),
      ...ports.map((v) => this.releaseOne(storage, 'port', String(v), owner)),
    ]);
  }

  /** Claims one value; undefined when this call claimed it, else the owner holding it (`owner` itself included). */
  private async claimOne(storage: Storage, kind: ClaimKind, value: string, owner: string): Promise<string | undefined> {
    const key = CLAIM_PREFIX[kind] + value;
    const claim = {
      apiVersion: 'v1',
      kind: 'RangeClaim',
      metadata: { name: value, creationTimestamp: new Date().toISOString() },
      owner,
    } as KubeObject;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await storage.create(key, claim);
        return undefined;
      } catch (err) {
        if (!isStorageError(err, 'KeyExists')) throw err;
      }
      let existing: KubeObject;
      try {
        existing = await storage.get(key);
      } catch (err) {
        if (isStorageError(err, 'KeyNotFound')) continue;
        throw err;
      }
      const holder = String((existing as { owner?: unknown }).owner ?? '');
      if (holder === owner) return holder; // already this Service's (its write retried, or it exists already)
      if (!(await this.isStale(storage, existing, holder, kind, value))) return holder;
      await storage
        .delete(key, { preconditions: { resourceVersion: existing.metadata.resourceVersion } })
        .catch(() => undefined);
    }
    return `${kind} ${value}`;
  }

  /** A claim is stale when its Service does not hold the value and the claim is older than the grace period. */
  private async isStale(
    storage: Storage,
    claim: KubeObject,
    holder: string,
    kind: ClaimKind,
    value: string,
  ): Promise<boolean> {
    const created = Date.parse(String(claim.metadata.creationTimestamp ?? ''));
    if (Number.isFinite(created) && Date.now() - created < CLAIM_GRACE_MS) return false;
    const [namespace, name] = holder.split('/');
    if (!namespace || !name) return true;
    return !(await this.holds(storage, holder, kind, value));
  }

  private async releaseOne(storage: Storage, kind: ClaimKind, value: string, owner: string): Promise<void> {
    const key = CLAIM_PREFIX[kind] + value;
    try {
      const existing = await storage.get(key);
      if ((existing as { owner?: unknown }).owner !== owner) return;
      await storage.delete(key, { preconditions: { resourceVersion: existing.metadata.resourceVersion } });
    } catch {
      // gone already, or changed hands
    }
  }
}
