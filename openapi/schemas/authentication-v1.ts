// authentication.k8s.io SelfSubjectReview (v1, and v1beta1 for kubectl 1.27): who the server takes the caller to be
// (`kubectl auth whoami`), answered in the response and never stored; and TokenRequest (v1), the body and answer of
// `serviceaccounts/<name>/token` (`kubectl create token`).
// Structure follows the Kubernetes API (protobuf field numbers from its generated.proto); the descriptions are this
// project's own.
import Type, { type TSchema } from 'typebox';

function selfSubjectReview(version: 'v1' | 'v1beta1') {
  return Type.Object(
    {
      apiVersion: Type.Optional(
        Type.String({ description: `API version of this object's schema: \`authentication.k8s.io/${version}\`.` }),
      ),
      kind: Type.Optional(Type.String({ description: 'Object kind: `SelfSubjectReview`.' })),
      metadata: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
          protobuf: 1,
          description: 'Standard object metadata; the answer carries only its creation time.',
        }),
      ),
      status: Type.Optional(
        Type.Ref(`io.k8s.api.authentication.${version}.SelfSubjectReviewStatus`, {
          protobuf: 2,
          description: 'The caller as authenticated, written by the server.',
        }),
      ),
    },
    {
      description:
        'Asks the server who the caller is: POST an empty one, the answer names the user and groups the request was authenticated as (the impersonated user when impersonating). Create-only.',
      'x-kubernetes-group-version-kind': [{ group: 'authentication.k8s.io', kind: 'SelfSubjectReview', version }],
    },
  );
}

function selfSubjectReviewStatus() {
  return Type.Object(
    {
      userInfo: Type.Optional(
        Type.Ref('io.k8s.api.authentication.v1.UserInfo', { protobuf: 1, description: 'The authenticated user.' }),
      ),
    },
    { description: 'The answer to a self subject review.' },
  );
}

export const UserInfo = Type.Object(
  {
    extra: Type.Optional(
      Type.Record(Type.String(), Type.Array(Type.String()), {
        protobuf: 4,
        description: 'Further attributes the authenticator attached to the user, each a list of strings.',
      }),
    ),
    groups: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 3,
        description: 'Groups the user belongs to, e.g. `system:authenticated`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    uid: Type.Optional(
      Type.String({
        protobuf: 2,
        description: 'An identifier of the user that differs between two users of the same name over time.',
      }),
    ),
    username: Type.Optional(
      Type.String({ protobuf: 1, description: 'The user name, unique among the current users.' }),
    ),
  },
  { description: 'A user as an authenticator identified it.' },
);

export const SelfSubjectReview = selfSubjectReview('v1');
export const SelfSubjectReviewStatus = selfSubjectReviewStatus();
export const SelfSubjectReviewV1beta1 = selfSubjectReview('v1beta1');
export const SelfSubjectReviewStatusV1beta1 = selfSubjectReviewStatus();

export const TokenRequest = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `authentication.k8s.io/v1`." }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `TokenRequest`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata; name and namespace, when given, must be those of the service account.',
      }),
    ),
    spec: Type.Ref('io.k8s.api.authentication.v1.TokenRequestSpec', {
      protobuf: 2,
      description: 'What the token is for and how long it lives.',
    }),
    status: Type.Optional(
      Type.Ref('io.k8s.api.authentication.v1.TokenRequestStatus', {
        protobuf: 3,
        description: 'The token, written by the server.',
      }),
    ),
  },
  {
    description:
      'Asks for a signed token of a service account: POST it to `serviceaccounts/<name>/token`; the answer carries the token and when it expires. Create-only.',
    'x-kubernetes-group-version-kind': [{ group: 'authentication.k8s.io', kind: 'TokenRequest', version: 'v1' }],
  },
);

export const TokenRequestSpec = Type.Object(
  {
    audiences: Type.Array(Type.String(), {
      protobuf: 1,
      description:
        "Who the token is meant for: a recipient accepts it only when it finds itself in this list. Empty: the API server's own audiences.",
      'x-kubernetes-list-type': 'atomic',
    }),
    boundObjectRef: Type.Optional(
      Type.Ref('io.k8s.api.authentication.v1.BoundObjectReference', {
        protobuf: 3,
        description:
          'An object (Pod, Secret or Node) the token is tied to: the API server stops accepting the token once that object is gone.',
      }),
    ),
    expirationSeconds: Type.Optional(
      Type.Integer({
        protobuf: 4,
        goPointer: true,
        format: 'int64',
        description:
          'How long the token should stay valid, at least 600 seconds (default 3600); the answer says when it actually expires.',
      }),
    ),
  },
  { description: 'The parameters of a token request.' },
);

export const TokenRequestStatus = Type.Object(
  {
    expirationTimestamp: Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
      protobuf: 2,
      description: 'When the token stops being valid.',
    }),
    token: Type.String({ protobuf: 1, description: 'The bearer token: a JWT signed by the API server.' }),
  },
  { description: 'The answer to a token request.' },
);

export const BoundObjectReference = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ protobuf: 2, description: 'API version of the object (`v1`).' })),
    kind: Type.Optional(Type.String({ protobuf: 1, description: 'Kind of the object: `Pod`, `Secret` or `Node`.' })),
    name: Type.Optional(Type.String({ protobuf: 3, description: 'Name of the object.' })),
    uid: Type.Optional(
      Type.String({ protobuf: 4, description: 'UID of the object; when given, the object must still have it.' }),
    ),
  },
  { description: 'The object a token is bound to.' },
);

export const authenticationV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.authentication.v1.BoundObjectReference': BoundObjectReference,
  'io.k8s.api.authentication.v1.TokenRequest': TokenRequest,
  'io.k8s.api.authentication.v1.TokenRequestSpec': TokenRequestSpec,
  'io.k8s.api.authentication.v1.TokenRequestStatus': TokenRequestStatus,
  'io.k8s.api.authentication.v1.SelfSubjectReview': SelfSubjectReview,
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': SelfSubjectReviewStatus,
  'io.k8s.api.authentication.v1.UserInfo': UserInfo,
  'io.k8s.api.authentication.v1beta1.SelfSubjectReview': SelfSubjectReviewV1beta1,
  'io.k8s.api.authentication.v1beta1.SelfSubjectReviewStatus': SelfSubjectReviewStatusV1beta1,
};
