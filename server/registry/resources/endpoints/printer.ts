// Table columns of endpoints (pkg/printers/internalversion printEndpoints).
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

interface AddressLike {
  ip?: string;
}

/** The Endpoints fields the printer reads. */
export interface EndpointsLike extends KubeObjectLike {
  subsets?: Array<{ addresses?: AddressLike[] | null; ports?: Array<{ port?: number }> | null }> | null;
}

/** How many addresses the ENDPOINTS cell shows before `+ N more...`. */
const SHOWN = 3;

/** `ip:port` for every ready address and port (bare IPs for a subset without ports), the first three, then `+ N more...`. */
export function formatEndpoints(ep: EndpointsLike): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (s: string) => {
    if (list.length === SHOWN) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === SHOWN) {
          more = true;
          break;
        }
        add(a.ip ?? '');
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === SHOWN) {
          more = true;
          break;
        }
        const ip = a.ip ?? '';
        add(`${ip.includes(':') ? `[${ip}]` : ip}:${p.port ?? 0}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - SHOWN} more...` : ret;
}

/** Endpoints: Name, Endpoints, Age. */
export const endpointsPrinter: Printer<EndpointsLike> = {
  columns: [
    nameColumn(),
    column(
      'Endpoints',
      'string',
      'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
    ),
    ageColumn(),
  ],
  cells(ep, now) {
    return [ep.metadata?.name ?? '', formatEndpoints(ep), translateTimestampSince(ep.metadata?.creationTimestamp, now)];
  },
};
