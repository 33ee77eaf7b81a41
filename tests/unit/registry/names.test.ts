import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment } from '../../../server/registry/validation/names.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('validation/names: name validators', () => {
  const cases: Array<[string, () => unknown, unknown]> = [
    ['generateName prefix with trailing dash', () => nameIsDNSSubdomain('web-', true), []],
    ['generateName prefix still validated', () => nameIsDNSSubdomain('Web-', true), [SUBDOMAIN]],
    ['name with trailing dash rejected', () => nameIsDNSSubdomain('web-', false), [SUBDOMAIN]],
    ['namespace prefix with trailing dash', () => nameIsDNSLabel('ns-', true), []],
    ['path segment dot', () => nameIsPathSegment('.', false), ["may not be '.'"]],
    [
      'path segment slash and percent',
      () => nameIsPathSegment('a/%', false),
      ["may not contain '/'", "may not contain '%'"],
    ],
    ['path segment prefix may be ..', () => nameIsPathSegment('..', true), []],
  ];
  for (const [name, fn, expected] of cases) it(name, () => assert.deepEqual(fn(), expected));
});
