/**
 * Image references as a containerd-backed kubelet reports them: normalized names (`nginx` →
 * `docker.io/library/nginx:latest`), digests for `imageID`, the default pull policy, and which images the
 * simulated registry cannot serve.
 */
import { hexDigest } from './ids.js';
import { boundedMemo } from '../../apimachinery/bounded-memo.js';

/** The registry of references without a domain (docker's default). */
const DEFAULT_DOMAIN = 'docker.io';
/** The tag an image without one gets. */
const DEFAULT_TAG = 'latest';
/** The tag that marks an image the simulated registry does not have (`foo:non-existent`). */
export const NON_EXISTENT_TAG = 'non-existent';

/** A parsed image reference. */
export interface ImageRef {
  /** `docker.io`, `registry.k8s.io`, `localhost:5000`... */
  domain: string;
  /** The repository path within the domain: `library/nginx`, `fluent/fluentd`. */
  path: string;
  tag?: string;
  digest?: string;
}

/**
 * Parses `[domain/]path[:tag][@digest]` as docker's reference.ParseNormalizedNamed does: the first component
 * is a domain when it contains `.` or `:` or is `localhost`; docker.io names of one component live in `library/`.
 */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  return { domain, path, tag, digest };
}

/** The fully qualified reference containerd reports as `status.containerStatuses[].image`. */
export function normalizeImage(image: string): string {
  const ref = parseImage(image);
  const base = `${ref.domain}/${ref.path}`;
  if (ref.digest) return ref.tag ? `${base}:${ref.tag}@${ref.digest}` : `${base}@${ref.digest}`;
  return `${base}:${ref.tag ?? DEFAULT_TAG}`;
}

/** Images whose derived values (imageID, size) are remembered at most (a cluster runs few distinct images). */
const IMAGE_MEMO_ENTRIES = 1000;

/** `fn` remembered per image (it hashes; every pod status asks again). */
function memoByImage<T>(fn: (image: string) => T): (image: string) => T {
  return boundedMemo(fn, IMAGE_MEMO_ENTRIES);
}

/** `repository@sha256:<hex>`: the imageID of a pulled image (the digest given, or a stable made-up one). */
export const imageID = memoByImage((image: string): string => {
  const ref = parseImage(image);
  const digest = ref.digest ?? `sha256:${hexDigest(`image:${normalizeImage(image)}`)}`;
  return `${ref.domain}/${ref.path}@${digest}`;
});

/** The default imagePullPolicy: Always for `:latest` or untagged images without a digest, else IfNotPresent. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const ref = parseImage(image);
  if (ref.digest) return 'IfNotPresent';
  return !ref.tag || ref.tag === DEFAULT_TAG ? 'Always' : 'IfNotPresent';
}

/** Whether the simulated registry lacks the image: its tag is `non-existent`. */
export function isMissingImage(image: string): boolean {
  return parseImage(image).tag === NON_EXISTENT_TAG;
}

/** The error containerd reports for an image its registry does not have (the ErrImagePull message). */
export function pullErrorMessage(image: string): string {
  const full = normalizeImage(image);
  return (
    `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": ` +
    `failed to resolve reference "${full}": ${full}: not found`
  );
}

/** A stable, plausible image size in bytes (for the Pulled event), between 5 and 120 MB. */
export const imageSize = memoByImage((image: string): number => {
  const n = parseInt(hexDigest(`size:${normalizeImage(image)}`).slice(0, 8), 16);
  return 5_000_000 + (n % 115_000_000);
});
