import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../registry/registry.js';
import { errors } from '../registry/status.js';
import type { VirtualResource } from '../registry/virtual/definition.js';
import { decodeCreateOnlyBody } from './create-only.js';
import { sendObject } from './respond.js';

/**
 * Routes of the virtual resources (server/registry/virtual/): `POST /apis/<group>/<version>/<plural>` in each served
 * version answers with 201 and the definition's object; GET, PUT, PATCH and DELETE on that path are 405, as
 * kube-apiserver answers for a create-only resource.
 */
export function registerVirtualRoutes(app: FastifyInstance, registry: Registry): void {
  for (const resource of registry.virtuals) {
    for (const version of resource.versions) {
      const url = `/apis/${resource.group}/${version}/${resource.plural}`;
      app.post(url, async (req, reply) => create(resource, version, req, reply));
      app.route({
        method: ['GET', 'PUT', 'PATCH', 'DELETE'],
        url,
        handler: async () => {
          throw errors.methodNotAllowed();
        },
      });
    }
  }
}

function create(resource: VirtualResource, version: string, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const groupVersion = `${resource.group}/${version}`;
  const { object, dryRun } = decodeCreateOnlyBody(req, reply, {
    group: resource.group,
    version,
    kind: resource.kind,
    accepted: [groupVersion],
  });
  // Cluster-scoped: a namespace in the body's metadata is cleared, as the create handler does.
  if (object.metadata && typeof object.metadata === 'object' && !Array.isArray(object.metadata)) {
    const { namespace: _ignored, ...metadata } = object.metadata as Record<string, unknown>;
    object.metadata = metadata;
  }
  const answer = resource.create({ body: object, version, user: req.user, dryRun, now: new Date() });
  return sendObject(reply, req, 201, { kind: resource.kind, apiVersion: groupVersion, ...answer });
}
