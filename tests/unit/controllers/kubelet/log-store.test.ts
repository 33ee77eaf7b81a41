/**
 * The container logs made when read (log-store.ts keeps an instance's facts and instants, not its lines): for random
 * pods and lives (init containers, restarts with a changed image, deletion, a rebuilt previous instance, any exit
 * code), a log built when it is read equals the log a reader held from the instance's start on, which got its lines
 * as they were written (what the store kept before), line for line: text, stream, stamp and sequence number.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ContainerLog, LogLine } from '../../../../controllers/kubelet/log-buffer.js';
import { PodLogStore } from '../../../../controllers/kubelet/log-store.js';
import {
  containerIDFor,
  type ContainerRecord,
  type ContainerSpec,
  type Pod,
  type PodRecord,
} from '../../../../controllers/kubelet/pod-runtime.js';

const T0 = Date.UTC(2026, 11, 6, 1, 2, 3);
const IMAGES = [
  'nginx:1.27',
  'busybox',
  'redis:7.4',
  'fluentd:v1.16',
  'httpd',
  'postgres:17',
  'memcached',
  'app:1',
  '',
];

/** One container's life: its image, then an image change at `restartAfter`, ending as the pod's end says. */
interface Life {
  image: string;
  nextImage?: string;
  command?: string[];
  startAfter: number;
  restartAfter?: number;
  exitCode: number;
}

interface Scenario {
  init: { image: string; command?: string[] }[];
  lives: Life[];
  /** 'deleted': the pod is deleted at the end; 'completed': its containers end with their exit codes. */
  end: 'running' | 'deleted' | 'completed';
  /** The previous instance is only in the status (a restarted controller manager). */
  forgetPrevious: boolean;
}

const command: fc.Arbitrary<string[] | undefined> = fc.option(
  fc.oneof<fc.Arbitrary<string[]>[]>(
    fc.constant<string[]>(['sh', '-c', 'echo hello; sleep 3600']),
    fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }).map((a) => ['echo', ...a]),
    fc.constant<string[]>(['sleep', 'infinity']),
  ),
  { nil: undefined },
);

const scenario: fc.Arbitrary<Scenario> = fc.record({
  init: fc.array(fc.record({ image: fc.constantFrom(...IMAGES), command }), { maxLength: 2 }),
  lives: fc.array(
    fc.record({
      image: fc.constantFrom(...IMAGES),
      nextImage: fc.option(fc.constantFrom(...IMAGES), { nil: undefined }),
      command,
      startAfter: fc.integer({ min: 0, max: 5000 }),
      restartAfter: fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
      exitCode: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  end: fc.constantFrom('running', 'deleted', 'completed'),
  forgetPrevious: fc.boolean(),
});

const UID = 'uid-1';

/** The pod and the records a scenario goes through, in order, with the instant of each. */
function steps(s: Scenario): { pod: Pod; rec: PodRecord; now: number }[] {
  const names = s.lives.map((_, i) => `c${i}`);
  const specOf = (l: Life, i: number, image: string): ContainerSpec => {
    const spec: ContainerSpec = { name: names[i]!, image };
    if (l.command) spec.command = l.command;
    return spec;
  };
  const podWith = (images: string[], deleting: boolean): Pod => ({
    metadata: {
      name: 'p',
      namespace: 'default',
      uid: UID,
      ...(deleting ? { deletionTimestamp: '2026-12-06T02:00:00Z' } : {}),
    },
    spec: {
      initContainers: s.init.map((c, i) => ({ name: `init${i}`, image: c.image, command: c.command })),
      containers: s.lives.map((l, i) => specOf(l, i, images[i]!)),
    },
  });
  const sandboxAt = T0 + 100;
  const out: { pod: Pod; rec: PodRecord; now: number }[] = [];
  const containers: ContainerRecord[] = s.lives.map((l, i) => ({
    name: names[i]!,
    image: l.image,
    restartCount: 0,
    state: { kind: 'creating', since: sandboxAt, doneAt: sandboxAt, pulling: false },
  }));
  const rec = (): PodRecord => ({ uid: UID, seenAt: T0, sandboxAt, containers: structuredClone(containers) });
  let images = s.lives.map((l) => l.image);
  out.push({ pod: podWith(images, false), rec: rec(), now: sandboxAt });
  // Each container starts.
  let now = sandboxAt;
  for (const [i, l] of s.lives.entries()) {
    now += l.startAfter;
    const c = containers[i]!;
    c.containerID = containerIDFor(UID, c.name, 0);
    c.state = { kind: 'running', startedAt: now };
    out.push({ pod: podWith(images, false), rec: rec(), now });
  }
  // Image changes: the running instance ends and a new one starts.
  for (const [i, l] of s.lives.entries()) {
    if (l.restartAfter === undefined || l.nextImage === undefined) continue;
    now += l.restartAfter;
    const c = containers[i]!;
    const st = c.state as { kind: 'running'; startedAt: number };
    c.lastTerminated = {
      exitCode: 0,
      reason: 'Completed',
      startedAt: st.startedAt,
      finishedAt: now,
      containerID: c.containerID!,
    };
    c.restartCount++;
    c.image = l.nextImage;
    c.containerID = containerIDFor(UID, c.name, c.restartCount);
    c.state = { kind: 'running', startedAt: now + 7 };
    images = images.map((im, k) => (k === i ? l.nextImage! : im));
    out.push({ pod: podWith(images, false), rec: rec(), now: now + 7 });
  }
  if (s.end !== 'running') {
    now += 1000;
    for (const [i, c] of containers.entries()) {
      if (c.state.kind !== 'running') continue;
      c.state = {
        kind: 'terminated',
        terminated: {
          exitCode: s.end === 'completed' ? s.lives[i]!.exitCode : 0,
          reason: 'Completed',
          startedAt: c.state.startedAt,
          finishedAt: now - 3,
          containerID: c.containerID!,
        },
      };
    }
    const last = rec();
    if (s.end === 'deleted') last.killingAt = now - 3;
    out.push({ pod: podWith(images, s.end === 'deleted'), rec: last, now });
  }
  return out;
}

const KEY = 'default/p';

/** The IDs of every instance the last record names (current, previous, init). */
function instanceIDs(s: Scenario, rec: PodRecord): { container: string; id: string }[] {
  const ids = s.init.map((_, i) => ({ container: `init${i}`, id: containerIDFor(UID, `init:init${i}`, 0) }));
  for (const c of rec.containers) {
    if (c.containerID) ids.push({ container: c.name, id: c.containerID });
    if (c.lastTerminated) ids.push({ container: c.name, id: c.lastTerminated.containerID });
  }
  return ids;
}

const linesOf = (log: ContainerLog | undefined): LogLine[] | undefined => log?.read();

describe('kubelet logs made when read', () => {
  it('a log built when read equals the one a reader held from the start (random pods and lives)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const all = steps(s);
        const eager = new PodLogStore();
        const lazy = new PodLogStore();
        const held = new Map<string, ContainerLog>();
        for (const [k, { pod, rec, now }] of all.entries()) {
          eager.reconcile(KEY, pod, rec, now);
          // Every instance is read as soon as it exists, and the log is held: it gets its lines as they come.
          for (const { container, id } of instanceIDs(s, rec)) {
            if (held.has(id)) continue;
            const log = eager.find(KEY, UID, container, id);
            if (log) held.set(id, log);
          }
          // The other store sees the same records (a restarted manager: the last one only, with the previous).
          if (!s.forgetPrevious || k === all.length - 1) lazy.reconcile(KEY, pod, rec, now);
        }
        const last = all.at(-1)!.rec;
        for (const { container, id } of instanceIDs(s, last)) {
          const built = linesOf(lazy.find(KEY, UID, container, id));
          const kept = linesOf(held.get(id));
          if (s.forgetPrevious) {
            // Rebuilt from the status alone, as before: the previous instance's lines name no image.
            assert.equal(built !== undefined, kept !== undefined || last.containers.some((c) => c.containerID === id));
            continue;
          }
          assert.deepEqual(built, kept, `instance ${container} ${id}`);
          // Read again, it is the same log (held by this reader), and again equal.
          assert.deepEqual(linesOf(eager.find(KEY, UID, container, id)), kept);
          assert.equal(held.get(id)?.isRunning, lazy.find(KEY, UID, container, id)?.isRunning);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a follower holds its log: the stop lines reach it, and a closed pod ends it', () => {
    const s: Scenario = {
      init: [],
      lives: [{ image: 'nginx:1.27', startAfter: 10, exitCode: 0 }],
      end: 'deleted',
      forgetPrevious: false,
    };
    const all = steps(s);
    const store = new PodLogStore();
    store.reconcile(KEY, all[0]!.pod, all[0]!.rec, all[0]!.now);
    store.reconcile(KEY, all[1]!.pod, all[1]!.rec, all[1]!.now);
    const id = all[1]!.rec.containers[0]!.containerID!;
    const log = store.find(KEY, UID, 'c0', id)!;
    assert.equal(log.isRunning, true);
    assert.equal(store.find(KEY, UID, 'c0', id), log);
    assert.equal(store.find(KEY, 'other-uid', 'c0', id), undefined);
    store.reconcile(KEY, all[2]!.pod, all[2]!.rec, all[2]!.now);
    assert.equal(log.isRunning, false);
    assert.match(log.read().at(-1)!.text, /stopped: the pod is being deleted \(exit code 0\)$/);
    store.drop(KEY);
    assert.equal(log.isClosed, true);
    assert.equal(store.find(KEY, UID, 'c0', id), undefined);
  });
});
