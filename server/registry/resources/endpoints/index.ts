/**
 * Endpoints (core/v1; pkg/registry/core/endpoint): the addresses and ports behind a Service of the same name, kept by
 * the endpoints controller (controllers/endpoints) for Services with a selector, and by the API server itself for the
 * `kubernetes` Service. Namespaced, no status, `ep`; validation is ValidateEndpoints; ports default to TCP.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../../definition.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { identityVersion } from '../../identity-version.js';
import { arr, isObj, num, str } from '../../validation/helpers.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateNonSpecialIP } from '../services/validation.js';
import { endpointsPrinter } from './printer.js';
import { isDNS1123Label, isQualifiedName, isValidIP, isValidPortNum } from '../../../../apimachinery/validation.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** SetDefaults_Endpoints: every port's protocol defaults to TCP. */
export function defaultEndpoints(ep: KubeObject): void {
  for (const ss of arr<Record<string, unknown>>(ep.subsets)) {
    for (const p of arr<Record<string, unknown>>(ss?.ports)) if (isObj(p) && !p.protocol) p.protocol = 'TCP';
  }
}

function validateAddress(a: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ip = str(a.ip);
  errs.push(...isValidIP(ip).map((m) => fieldErr.invalid(`${path}.ip`, ip, m)));
  const hostname = str(a.hostname);
  if (hostname) errs.push(...isDNS1123Label(hostname).map((m) => fieldErr.invalid(`${path}.hostname`, hostname, m)));
  if (typeof a.nodeName === 'string') {
    for (const m of nameIsDNSSubdomain(a.nodeName, false))
      errs.push(fieldErr.invalid(`${path}.nodeName`, a.nodeName, m));
  }
  errs.push(...validateNonSpecialIP(ip, `${path}.ip`));
  return errs;
}

function validatePort(p: Record<string, unknown>, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(fieldErr.required(`${path}.name`));
  else if (name) errs.push(...isDNS1123Label(name).map((m) => fieldErr.invalid(`${path}.name`, name, m)));
  const port = num(p.port) ?? 0;
  errs.push(...isValidPortNum(port).map((m) => fieldErr.invalid(`${path}.port`, port, m)));
  const proto = str(p.protocol);
  if (!proto) errs.push(fieldErr.required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(proto)) errs.push(fieldErr.notSupported(`${path}.protocol`, proto, PROTOCOLS));
  if (typeof p.appProtocol === 'string')
    errs.push(...isQualifiedName(p.appProtocol).map((m) => fieldErr.invalid(`${path}.appProtocol`, p.appProtocol, m)));
  return errs;
}

/** ValidateEndpoints (create and update alike). */
export function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs = validateObjectMeta(ep?.metadata, {
    namespaced: true,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  arr<Record<string, unknown>>(ep?.subsets).forEach((ss, i) => {
    const path = `subsets[${i}]`;
    const addresses = arr<Record<string, unknown>>(ss?.addresses);
    const notReady = arr<Record<string, unknown>>(ss?.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0)
      errs.push(fieldErr.required(path, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => errs.push(...validateAddress(a ?? {}, `${path}.addresses[${j}]`)));
    notReady.forEach((a, j) => errs.push(...validateAddress(a ?? {}, `${path}.notReadyAddresses[${j}]`)));
    const ports = arr<Record<string, unknown>>(ss?.ports);
    ports.forEach((p, j) => errs.push(...validatePort(p ?? {}, ports.length > 1, `${path}.ports[${j}]`)));
  });
  return errs;
}

export const endpoints: ResourceDefinition = {
  group: '',
  plural: 'endpoints',
  singular: 'endpoints',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  namespaced: true,
  etcdPrefix: 'services/endpoints',
  versions: [
    identityVersion({ group: '', version: 'v1', kind: 'Endpoints', shortNames: ['ep'], default: defaultEndpoints }),
  ],
  strategy: {
    prepareForCreate() {},
    validate: (ep) => validateEndpoints(ep),
    prepareForUpdate() {},
    validateUpdate: (ep) => validateEndpoints(ep),
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: true,
  },
  printer: endpointsPrinter,
  nameValidator: nameIsDNSSubdomain,
};
