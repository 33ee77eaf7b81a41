import { errors } from '../status.js';
import { emptyObjectMeta, isObj, type VirtualResource } from './definition.js';

/**
 * authorization.k8s.io/v1 SelfSubjectRulesReview (`kubectl auth can-i --list`): what may the caller do in a namespace?
 * With no authorization enforced (kube-apiserver's AlwaysAllow mode) the answer is one rule granting every verb on
 * every resource and one granting every verb on every non-resource URL, complete. As upstream, the answer carries
 * only the status, not the question.
 */
export const selfSubjectRulesReviews: VirtualResource = {
  group: 'authorization.k8s.io',
  versions: ['v1'],
  plural: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  kind: 'SelfSubjectRulesReview',
  create({ body }) {
    const spec = isObj(body.spec) ? body.spec : {};
    if (typeof spec.namespace !== 'string' || spec.namespace === '') throw errors.badRequest('no namespace on request');
    return {
      metadata: emptyObjectMeta(),
      spec: {},
      status: {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      },
    };
  },
};
