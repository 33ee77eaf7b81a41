import { rfc3339 } from '../../../apimachinery/time.js';
import type { VirtualResource } from './definition.js';

/**
 * authentication.k8s.io SelfSubjectReview (`kubectl auth whoami`; v1, and v1beta1 for kubectl 1.27): who does the
 * server take the caller to be? The body asks nothing; the answer is the request's user (server/plugins/auth.ts),
 * stamped with its creation time.
 */
export const selfSubjectReviews: VirtualResource = {
  group: 'authentication.k8s.io',
  versions: ['v1', 'v1beta1'],
  plural: 'selfsubjectreviews',
  singular: 'selfsubjectreview',
  kind: 'SelfSubjectReview',
  create({ user, now }) {
    const userInfo: Record<string, unknown> = {};
    if (user.username) userInfo.username = user.username;
    if (user.uid) userInfo.uid = user.uid;
    if (user.groups.length) userInfo.groups = [...user.groups];
    if (Object.keys(user.extra).length)
      userInfo.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
    return { metadata: { creationTimestamp: rfc3339(now) }, status: { userInfo } };
  },
};
