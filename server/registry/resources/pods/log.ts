/**
 * `GET /api/v1/namespaces/<ns>/pods/<name>/log`: a container's log, streamed from the kubelet of the pod's node as
 * kube-apiserver's LogREST does. In order: the query is decoded (400 for a value that does not convert) and
 * validated (422 PodLogOptions), the pod read (404), the container chosen (the only one, or the one named: 400
 * otherwise, with upstream's texts); a pod without a node has no log yet (204 No Content, as upstream's empty
 * location); otherwise the node's kubelet is asked `/containerLogs/<ns>/<pod>/<container>` with the options, its
 * errors become Statuses (a container still waiting is its 400 `container "c" in pod "p" is waiting to start: ...`),
 * and its answer is streamed as `text/plain` — flushed as it comes when following — until the kubelet ends it or
 * the client goes away (which closes the kubelet's stream).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { GetSubresource, GetSubresourceRequest } from '../../definition.js';
import { errors } from '../../status.js';
import {
  decodePodLogOptions,
  invalidPodLogOptions,
  POD_LOG_QUERY,
  validatePodLogOptions,
  type PodLogOptions,
} from './log-options.js';

interface ContainerLike {
  name?: string;
}
interface PodSpecLike {
  nodeName?: string;
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

const POD_LOG = { group: '', resource: 'pods/log' };

/** Every container name of the pod, init containers first, then containers, then ephemeral ones (VisitContainers). */
function allContainerNames(spec: PodSpecLike): string[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map(
    (c) => c.name ?? '',
  );
}

/** The container a request reads (upstream's validateContainer): the one named, or the pod's only container. */
export function chooseContainer(pod: KubeObject, requested: string): string {
  const spec = (pod.spec ?? {}) as PodSpecLike;
  const name = pod.metadata.name ?? '';
  if (requested === '') {
    const containers = spec.containers ?? [];
    if (containers.length === 1) return containers[0]!.name ?? '';
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
    throw errors.badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${allContainerNames(spec).join(' ')}]`,
    );
  }
  if (!allContainerNames(spec).includes(requested))
    throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** Go's time.RFC3339 of a Unix ms (seconds precision), as LogLocation passes sinceTime on. */
function rfc3339Seconds(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The kubelet's query for the options (url.Values.Encode: keys sorted). */
export function kubeletLogQuery(o: PodLogOptions): string {
  const params: [string, string][] = [];
  if (o.follow) params.push(['follow', 'true']);
  if (o.limitBytes !== undefined) params.push(['limitBytes', o.limitBytes.toString()]);
  if (o.previous) params.push(['previous', 'true']);
  if (o.sinceSeconds !== undefined) params.push(['sinceSeconds', o.sinceSeconds.toString()]);
  if (o.sinceTime !== undefined) params.push(['sinceTime', rfc3339Seconds(o.sinceTime)]);
  if (o.tailLines !== undefined) params.push(['tailLines', o.tailLines.toString()]);
  if (o.timestamps) params.push(['timestamps', 'true']);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export const podLog: GetSubresource = {
  name: 'log',
  openapi: {
    description: "Reads the log of one of the Pod's containers, as plain text.",
    query: POD_LOG_QUERY,
    produces: ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'],
    response: { type: 'string' },
  },
  async get(req: GetSubresourceRequest): Promise<void> {
    const opts = decodePodLogOptions(req.query);
    const invalid = validatePodLogOptions(opts);
    if (invalid.length) throw invalidPodLogOptions(req.name, invalid);
    const pod = await req.store.get(req.view, req.namespace, req.name);
    const container = chooseContainer(pod, opts.container);
    const nodeName = ((pod.spec ?? {}) as PodSpecLike).nodeName;
    const { reply } = req;
    if (!nodeName) {
      // Not scheduled: no kubelet has a log to give (kube-apiserver answers an empty location with 204).
      reply.hijack();
      reply.raw.writeHead(204);
      reply.raw.end();
      return;
    }
    const nodes = req.registry.find('v1', 'nodes');
    if (!nodes) throw errors.internal('nodes are not served');
    const node = await nodes.store.get(nodes.view, undefined, nodeName);
    const info = req.kubelets.connectionInfo(node);
    const enc = encodeURIComponent;
    const query = kubeletLogQuery(opts);
    const path = `/containerLogs/${enc(pod.metadata.namespace ?? '')}/${enc(pod.metadata.name ?? '')}/${enc(container)}${query ? `?${query}` : ''}`;

    // The client going away (or the server shutting down) closes the kubelet's stream, also while connecting.
    const res = reply.raw;
    const gone = new AbortController();
    const onGone = () => gone.abort();
    res.once('close', onGone);
    req.shutdownSignal.addEventListener('abort', onGone, { once: true });
    try {
      const stream = await req.kubelets.get(info, path, POD_LOG, req.name, gone.signal);
      reply.hijack();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.flushHeaders();
      await new Promise<void>((resolve) => {
        const src = stream.response;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          src.off('data', onData);
          res.off('drain', onDrain);
          stream.close();
          if (!res.writableEnded && !res.destroyed) res.end();
          resolve();
        };
        const onData = (chunk: Buffer) => {
          if (!res.write(chunk)) src.pause();
        };
        const onDrain = () => src.resume();
        src.on('data', onData);
        res.on('drain', onDrain);
        src.once('end', finish);
        src.once('error', finish);
        src.once('close', finish);
        res.once('close', finish);
        if (gone.signal.aborted) finish();
        else gone.signal.addEventListener('abort', finish, { once: true });
      });
    } finally {
      res.off('close', onGone);
      req.shutdownSignal.removeEventListener('abort', onGone);
    }
  },
};
