// Table cells of services, endpoints and endpoint slices, as pkg/printers/internalversion renders them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { servicePrinter, serviceExternalIP } from '../../../server/registry/resources/services/printer.js';
import { endpointsPrinter, formatEndpoints } from '../../../server/registry/resources/endpoints/printer.js';
import {
  endpointSlicePrinter,
  formatSliceEndpoints,
  formatSlicePorts,
} from '../../../server/registry/resources/endpointslices/printer.js';

const now = new Date('2024-05-01T12:10:00Z');
const meta = (name: string) => ({ name, creationTimestamp: '2024-05-01T12:00:00Z' });

describe('service printer', () => {
  it('renders the columns of kubectl get svc -o wide', () => {
    assert.deepEqual(
      servicePrinter.columns.map((c) => [c.name, c.type, c.priority, c.format]),
      [
        ['Name', 'string', 0, 'name'],
        ['Type', 'string', 0, ''],
        ['Cluster-IP', 'string', 0, ''],
        ['External-IP', 'string', 0, ''],
        ['Port(s)', 'string', 0, ''],
        ['Age', 'string', 0, ''],
        ['Selector', 'string', 1, ''],
      ],
    );
    assert.deepEqual(
      servicePrinter.cells(
        {
          metadata: meta('np'),
          spec: {
            type: 'NodePort',
            clusterIPs: ['10.96.5.5'],
            selector: { b: '2', a: '1' },
            ports: [
              { port: 80, nodePort: 30080, protocol: 'TCP' },
              { port: 53, protocol: 'UDP' },
            ],
          },
        },
        now,
      ),
      ['np', 'NodePort', '10.96.5.5', '<none>', '80:30080/TCP,53/UDP', '10m', 'a=1,b=2'],
    );
    assert.deepEqual(
      servicePrinter.cells({ metadata: meta('e'), spec: { type: 'ExternalName', externalName: 'example.com' } }, now),
      ['e', 'ExternalName', '<none>', 'example.com', '<none>', '10m', '<none>'],
    );
  });

  it('shows load balancer addresses, <pending> before there are any, external IPs after them', () => {
    const lb = (ingress: Array<{ ip?: string; hostname?: string }>, externalIPs?: string[]) => ({
      metadata: meta('lb'),
      spec: { type: 'LoadBalancer', externalIPs },
      status: { loadBalancer: { ingress } },
    });
    assert.equal(serviceExternalIP(lb([]), true), '<pending>');
    assert.equal(
      serviceExternalIP(lb([{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }, { ip: '1.2.3.4' }]), true),
      '1.2.3.4,5.6.7.8,lb.example.com',
    );
    assert.equal(serviceExternalIP(lb([{ ip: '5.6.7.8' }, { hostname: 'lb.example.com' }]), false), '5.6.7.8,lb.ex...');
    assert.equal(serviceExternalIP(lb([{ ip: '1.2.3.4' }], ['9.9.9.9']), true), '1.2.3.4,9.9.9.9');
    assert.equal(
      serviceExternalIP({ metadata: meta('c'), spec: { type: 'ClusterIP', externalIPs: ['9.9.9.9'] } }, true),
      '9.9.9.9',
    );
  });
});

describe('endpoints printer', () => {
  it('lists ip:port, bare IPs without ports, the first three then + N more...', () => {
    assert.equal(formatEndpoints({ subsets: [] }), '<none>');
    assert.equal(
      formatEndpoints({ subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] }] }),
      '10.0.0.1,10.0.0.2',
    );
    assert.equal(
      formatEndpoints({
        subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }],
      }),
      '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...',
    );
    assert.equal(
      formatEndpoints({ subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }] }),
      '[fd00::1]:80',
    );
    assert.deepEqual(
      endpointsPrinter.cells(
        { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] },
        now,
      ),
      ['e', '10.0.0.1:80', '10m'],
    );
  });
});

describe('endpoint slice printer', () => {
  it('lists ports and addresses, <unset> when there are none', () => {
    assert.equal(formatSlicePorts({ ports: [] }), '<unset>');
    assert.equal(formatSlicePorts({ ports: [{ port: 80 }, { name: 'dns' }, {}, { port: 9 }] }), '80,dns,* + 1 more...');
    assert.equal(
      formatSliceEndpoints({
        endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
      }),
      '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...',
    );
    assert.deepEqual(
      endpointSlicePrinter.cells({ metadata: meta('s'), addressType: 'IPv4', endpoints: [], ports: null }, now),
      ['s', 'IPv4', '<unset>', '<unset>', '10m'],
    );
  });
});
