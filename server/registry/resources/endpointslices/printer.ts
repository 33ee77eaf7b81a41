// Table columns of endpoint slices (pkg/printers/internalversion printEndpointSlice).
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The EndpointSlice fields the printer reads. */
export interface EndpointSliceLike extends KubeObjectLike {
  addressType?: string;
  endpoints?: Array<{ addresses?: string[] | null }> | null;
  ports?: Array<{ port?: number | null; name?: string | null }> | null;
}

const SHOWN = 3;

/** The first three values joined with `,`, then `+ N more...`; `<unset>` when there are none. */
function listWithMore(values: string[]): string {
  const shown = values.slice(0, SHOWN).join(',');
  if (values.length > SHOWN) return `${shown} + ${values.length - SHOWN} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** The PORTS cell: port numbers (the name, or `*`, for a port without number). */
export function formatSlicePorts(slice: EndpointSliceLike): string {
  return listWithMore(
    (slice.ports ?? []).map((p) =>
      typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*',
    ),
  );
}

/** The ENDPOINTS cell: every address of every endpoint. */
export function formatSliceEndpoints(slice: EndpointSliceLike): string {
  return listWithMore((slice.endpoints ?? []).flatMap((e) => e.addresses ?? []));
}

/** EndpointSlices: Name, AddressType, Ports, Endpoints, Age. */
export const endpointSlicePrinter: Printer<EndpointSliceLike> = {
  columns: [
    nameColumn(),
    column(
      'AddressType',
      'string',
      'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
    ),
    column(
      'Ports',
      'string',
      'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
    ),
    column(
      'Endpoints',
      'string',
      'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.',
    ),
    ageColumn(),
  ],
  cells(slice, now) {
    return [
      slice.metadata?.name ?? '',
      slice.addressType ?? '',
      formatSlicePorts(slice),
      formatSliceEndpoints(slice),
      translateTimestampSince(slice.metadata?.creationTimestamp, now),
    ];
  },
};
