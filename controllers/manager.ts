/**
 * The controller manager: builds the context every component shares (client, clock, shared informers, event
 * recorders, logger, speed, workers), creates the components, starts the informers, waits for their caches,
 * makes sure the simulated nodes exist, then runs every component until aborted.
 */
import { setMaxListeners } from 'node:events';
import { isAbortError, realClock } from './machinery/clock.js';
import {
  ApiEventRecorder,
  EVENT_BACKLOG,
  EVENT_WRITES_IN_FLIGHT,
  EVENT_WRITES_WHEN_BUSY,
  EventCorrelation,
  ForegroundRequests,
  WriteSlots,
} from './machinery/events.js';
import { SharedInformerFactory } from './machinery/factory.js';
import { errorInfo } from './machinery/informer.js';
import { ensureNodes } from './machinery/nodes.js';
import type {
  ApiClient,
  Clock,
  Component,
  ComponentFactory,
  ControllerContext,
  EventRecorder,
  KubeletServerAddress,
  Logger,
} from './machinery/types.js';

export interface ControllerManagerOptions {
  client: ApiClient;
  /** Default: the real clock. */
  clock?: Clock;
  log: Logger;
  /** Multiplies simulated durations (> 0; 1 = real time). */
  speed: number;
  /** Concurrent syncs per controller (a positive integer). */
  workers: number;
  components: ComponentFactory[];
  /** Make sure at least this many Nodes exist before the components run (default 0). */
  nodes?: number;
  /** Seeds the node pool's name when no pool node exists yet (default: 'kube-emulator'); the server URL fits. */
  clusterSeed?: string;
  /** Where the simulated kubelets serve container logs (see ControllerContext.kubeletServer). */
  kubeletServer?: KubeletServerAddress;
  /** The root CA bundle to publish (see ControllerContext.rootCA). */
  rootCA?: string;
  /** Randomness of node names (tests make it deterministic). */
  random?: () => number;
  signal: AbortSignal;
}

/** A controller manager that has synced its caches and started its components. */
export interface RunningControllerManager {
  context: ControllerContext;
  informers: SharedInformerFactory;
  components: Component[];
  /** Names of the Nodes created at startup. */
  createdNodes: string[];
  /**
   * Resolves when every component and informer has stopped after the signal aborted; rejects with the error
   * of a component whose `run` failed (the manager then stops everything else: the process should exit so
   * that its supervisor restarts it, as kube-controller-manager does).
   */
  done: Promise<void>;
}

/**
 * Starts the controller manager. Resolves once the caches are synced, the nodes ensured and the components
 * running; rejects when a component factory throws, or with an AbortError when the signal aborts first.
 */
export async function startControllerManager(opts: ControllerManagerOptions): Promise<RunningControllerManager> {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed))
    throw new Error(`speed must be a positive number, got ${opts.speed}`);
  if (!Number.isInteger(opts.workers) || opts.workers < 1)
    throw new Error(`workers must be a positive integer, got ${opts.workers}`);
  const nodes = opts.nodes ?? 0;
  if (!Number.isInteger(nodes) || nodes < 0) throw new Error(`nodes must be a non-negative integer, got ${nodes}`);

  const clock = opts.clock ?? realClock;
  const log = opts.log;
  // Stops everything when the caller aborts or a component fails.
  const stop = new AbortController();
  const onAbort = () => stop.abort(opts.signal.reason);
  if (opts.signal.aborted) stop.abort(opts.signal.reason);
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const signal = stop.signal;
  setMaxListeners(0, signal); // every informer, watch and worker listens for it

  // The components' requests are counted: event writes (the recorders' own client) give way to them.
  const foreground = new ForegroundRequests(clock);
  const client = foreground.track(opts.client);
  const informers = new SharedInformerFactory({ client, clock, log });
  const recorders = new Map<string, EventRecorder>();
  const eventSlots = new WriteSlots(EVENT_WRITES_IN_FLIGHT, EVENT_BACKLOG, {
    foreground,
    busySize: EVENT_WRITES_WHEN_BUSY,
  });
  const correlations = new Map<string, EventCorrelation>();
  const context: ControllerContext = {
    client,
    clock,
    informers,
    recorder(component: string, host?: string): EventRecorder {
      const key = `${component}\u0000${host ?? ''}`;
      let r = recorders.get(key);
      if (!r) {
        let correlation = correlations.get(component);
        if (!correlation) correlations.set(component, (correlation = new EventCorrelation(clock.now())));
        r = new ApiEventRecorder({ client: opts.client, clock, log, component, host, slots: eventSlots, correlation });
        recorders.set(key, r);
      }
      return r;
    },
    log,
    speed: opts.speed,
    workers: opts.workers,
    background: { client: opts.client, busy: () => foreground.busy() },
  };
  if (opts.kubeletServer) context.kubeletServer = opts.kubeletServer;
  if (opts.rootCA) context.rootCA = opts.rootCA;

  const components: Component[] = [];
  for (const factory of opts.components) {
    const c = factory(context);
    log.debug({ component: c.name }, 'component created');
    components.push(c);
  }

  try {
    log.info({ informers: informers.list().map((i) => i.ref.resource) }, 'waiting for caches to sync');
    // The simulated nodes are registered while the caches sync, as kubelets register on their own. Their list and
    // creates go first: the informers' lists and watches start once the creates are sent, so that the server answers
    // them after the creates instead of before (a cold server took ~50 ms over 13 lists and watches at a start).
    let registering: Promise<string[]> = Promise.resolve([]);
    const startInformers = () => informers.start(signal);
    if (nodes > 0) {
      // The component playing the kubelets (if any) registers the nodes as kubelets do: status in the create.
      const registrar = components.find((c) => c.nodeRegistration);
      const registration = await registrar?.nodeRegistration?.(signal);
      // Events wait while the nodes are created (their NodeReady events follow at once after).
      const release = eventSlots.hold();
      registering = ensureNodes({
        client,
        clock,
        log,
        count: nodes,
        seed: opts.clusterSeed ?? 'kube-emulator',
        random: opts.random,
        signal,
        registration,
        onCreatesSent: startInformers,
      }).finally(release);
    } else startInformers();
    const [createdNodes] = await Promise.all([
      registering,
      informers.waitForSync(signal).then(() => log.info({}, 'caches synced')),
    ]);

    let failure: unknown;
    const runs = components.map(async (c) => {
      try {
        await c.run(signal);
        if (!signal.aborted) log.warn({ component: c.name }, 'component stopped before shutdown');
      } catch (err) {
        if (signal.aborted && isAbortError(err)) return;
        log.error({ component: c.name, err: errorInfo(err) }, 'component failed: stopping the controller manager');
        failure ??= err;
        stop.abort(err);
      }
    });
    log.info({ components: components.map((c) => c.name) }, 'controller manager running');
    const aborted = new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const done = Promise.all([...runs, aborted, informers.stopped()]).then(() => {
      opts.signal.removeEventListener('abort', onAbort);
      if (failure !== undefined) throw failure;
    });
    return { context, informers, components, createdNodes, done };
  } catch (err) {
    stop.abort(err);
    await informers.stopped();
    opts.signal.removeEventListener('abort', onAbort);
    throw err;
  }
}
