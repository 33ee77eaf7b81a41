/**
 * EndpointSlices (discovery.k8s.io/v1; pkg/registry/discovery/endpointslice): the endpoints of a Service in slices,
 * kept by the EndpointSlice controller (controllers/endpointslice, `endpointslice-controller.k8s.io`) and by the API
 * server for the `kubernetes` Service. Namespaced, no status; metadata.generation counts changes of what the slice
 * holds; ports default to name "" and protocol TCP; `deprecatedTopology` is not writable through v1.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../../definition.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { identityVersion } from '../../identity-version.js';
import { arr, isObj, num, semanticEqual, str } from '../../validation/helpers.js';
import { FIELD_IMMUTABLE, validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { validateNonSpecialIP } from '../services/validation.js';
import { endpointSlicePrinter } from './printer.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  parseIPSloppy,
} from '../../../../apimachinery/validation.js';
import { validateLabels } from '../../../../apimachinery/labels.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 100;
const MAX_ENDPOINTS = 1000;

/** SetDefaults_EndpointPort: a port without name gets "" and without protocol TCP. */
export function defaultEndpointSlice(slice: KubeObject): void {
  for (const p of arr<Record<string, unknown>>(slice.ports)) {
    if (!isObj(p)) continue;
    if (p.name === undefined || p.name === null) p.name = '';
    if (p.protocol === undefined || p.protocol === null) p.protocol = 'TCP';
  }
}

function validateAddress(addressType: string, address: string, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4':
      if (parseIPSloppy(address) !== 4) return [fieldErr.invalid(path, address, 'must be a valid IPv4 address')];
      return validateNonSpecialIP(address, path);
    case 'IPv6':
      if (parseIPSloppy(address) !== 6) return [fieldErr.invalid(path, address, 'must be a valid IPv6 address')];
      return validateNonSpecialIP(address, path);
    case 'FQDN':
      if (!address.includes('.'))
        return [fieldErr.invalid(path, address, 'should be a domain with at least two segments separated by dots')];
      return isDNS1123Subdomain(address.toLowerCase()).map((m) => fieldErr.invalid(path, address, m));
  }
  return [];
}

/** ValidateEndpointSlice: metadata, address type, endpoints (addresses, node name, hostname, topology), ports. */
export function validateEndpointSlice(slice: KubeObject, allowedTypes = ADDRESS_TYPES): FieldError[] {
  const errs = validateObjectMeta(slice?.metadata, {
    namespaced: true,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  const addressType = str(slice?.addressType);
  if (!addressType) errs.push(fieldErr.required('addressType'));
  else if (!allowedTypes.includes(addressType))
    errs.push(fieldErr.notSupported('addressType', addressType, allowedTypes));
  const endpoints = arr<Record<string, unknown>>(slice?.endpoints);
  if (endpoints.length > MAX_ENDPOINTS) {
    errs.push({ type: 'FieldValueTooMany', field: 'endpoints', detail: `must have at most ${MAX_ENDPOINTS} items` });
  } else {
    endpoints.forEach((ep, i) => {
      const path = `endpoints[${i}]`;
      const addresses = arr<string>(ep?.addresses);
      if (addresses.length === 0) errs.push(fieldErr.required(`${path}.addresses`, 'must contain at least 1 address'));
      else if (addresses.length > MAX_ADDRESSES)
        errs.push({
          type: 'FieldValueTooMany',
          field: `${path}.addresses`,
          detail: `must have at most ${MAX_ADDRESSES} items`,
        });
      addresses.forEach((a, j) => errs.push(...validateAddress(addressType, str(a), `${path}.addresses[${j}]`)));
      if (typeof ep?.nodeName === 'string') {
        for (const m of nameIsDNSSubdomain(ep.nodeName, false))
          errs.push(fieldErr.invalid(`${path}.nodeName`, ep.nodeName, m));
      }
      const topology = isObj(ep?.deprecatedTopology) ? ep.deprecatedTopology : {};
      if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) {
        errs.push({
          type: 'FieldValueTooMany',
          field: `${path}.deprecatedTopology`,
          detail: `must have at most ${MAX_TOPOLOGY_LABELS} items`,
        });
      }
      errs.push(...validateLabels(topology, `${path}.deprecatedTopology`));
      if (typeof ep?.hostname === 'string')
        errs.push(...isDNS1123Label(ep.hostname).map((m) => fieldErr.invalid(`${path}.hostname`, ep.hostname, m)));
    });
  }
  const ports = arr<Record<string, unknown>>(slice?.ports);
  if (ports.length > MAX_PORTS) {
    errs.push({ type: 'FieldValueTooMany', field: 'ports', detail: `must have at most ${MAX_PORTS} items` });
    return errs;
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = str(p?.name);
    if (name) errs.push(...isDNS1123Label(name).map((m) => fieldErr.invalid(`${path}.name`, name, m)));
    if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
    else names.add(name);
    if (p?.protocol === undefined || p?.protocol === null) errs.push(fieldErr.required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(str(p.protocol)))
      errs.push(fieldErr.notSupported(`${path}.protocol`, str(p.protocol), PROTOCOLS));
    if (typeof p?.port === 'number') {
      const port = num(p.port) ?? 0;
      // a port of 0 stands for "every port" only when unset; a set port must be a real one
      errs.push(...isValidPortNum(port).map((m) => fieldErr.invalid(`${path}.port`, port, m)));
    }
    if (typeof p?.appProtocol === 'string')
      errs.push(
        ...isQualifiedName(p.appProtocol).map((m) => fieldErr.invalid(`${path}.appProtocol`, p.appProtocol, m)),
      );
  });
  return errs;
}

/** `deprecatedTopology` cannot be written through v1: a new slice has none, an update keeps the stored values. */
function dropTopology(slice: KubeObject, old: KubeObject | undefined): void {
  const oldEndpoints = arr<Record<string, unknown>>(old?.endpoints);
  arr<Record<string, unknown>>(slice.endpoints).forEach((ep, i) => {
    if (!isObj(ep)) return;
    const kept = oldEndpoints[i]?.deprecatedTopology;
    if (kept !== undefined && semanticEqual(oldEndpoints[i]?.addresses, ep.addresses)) ep.deprecatedTopology = kept;
    else delete ep.deprecatedTopology;
  });
}

const changedContent = (a: KubeObject, b: KubeObject) =>
  !semanticEqual(a.addressType, b.addressType) ||
  !semanticEqual(a.endpoints, b.endpoints) ||
  !semanticEqual(a.ports, b.ports);

export const endpointSlices: ResourceDefinition = {
  group: 'discovery.k8s.io',
  plural: 'endpointslices',
  singular: 'endpointslice',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  namespaced: true,
  etcdPrefix: 'endpointslices',
  versions: [
    identityVersion({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', default: defaultEndpointSlice }),
  ],
  strategy: {
    prepareForCreate(slice) {
      slice.metadata.generation = 1;
      dropTopology(slice, undefined);
    },
    validate: (slice) => validateEndpointSlice(slice),
    prepareForUpdate(slice, old) {
      dropTopology(slice, old);
      if (changedContent(slice, old)) slice.metadata.generation = (old.metadata.generation ?? 0) + 1;
    },
    validateUpdate(slice, old) {
      const errs = validateEndpointSlice(slice, [...ADDRESS_TYPES, 'IP']);
      if (str(slice.addressType) !== str(old.addressType))
        errs.push(fieldErr.invalid('addressType', str(slice.addressType), FIELD_IMMUTABLE));
      return errs;
    },
    allowUnconditionalUpdate: true,
    allowCreateOnUpdate: false,
  },
  printer: endpointSlicePrinter,
  nameValidator: nameIsDNSSubdomain,
};
