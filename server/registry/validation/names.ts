/**
 * Name validators of ObjectMeta validation (pkg/api/validation/generic.go and path.ValidatePathSegmentName),
 * built on apimachinery's format checks.
 */
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain } from '../../../apimachinery/validation.js';

/**
 * A name validator as used by ObjectMeta validation: `prefix` is true when `name` is a generateName
 * that will get a random suffix appended (a trailing '-' is then tolerated).
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  // Upstream drops the last *two* characters before appending 'a' (kept for identical results).
  if (name.endsWith('-')) return name.length > 1 ? `${name.slice(0, -2)}a` : 'a';
  return name;
}

/** Names that must be DNS-1123 subdomains (pods, nodes, configmaps, secrets, most kinds). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1123 labels (namespaces). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/** Names that must be DNS-1035 labels (services). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) =>
  isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/**
 * The generic rule every stored name obeys (apiserver `path.ValidatePathSegmentName`, run by BeforeCreate
 * for all kinds, and the only name rule for core/v1 Events): not '.' or '..', no '/' or '%'.
 */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  if (!prefix) {
    for (const bad of ['.', '..']) if (name === bad) return [`may not be '${bad}'`];
  }
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
};
