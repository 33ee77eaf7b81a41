// The Service allocators, defaulting and validation, and Endpoints/EndpointSlice validation, as pure functions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ServiceAllocators,
  parseServiceCIDR,
  parsePortRange,
  firstAddress,
  AllocationError,
  heldBy,
} from '../../../server/registry/resources/services/allocator.js';
import {
  defaultService,
  dropTypeDependentFields,
  normalizeClusterIPs,
  patchAllocatedValues,
} from '../../../server/registry/resources/services/strategy.js';
import {
  validateService,
  validateServiceUpdate,
  validateNonSpecialIP,
} from '../../../server/registry/resources/services/validation.js';
import { validateEndpoints } from '../../../server/registry/resources/endpoints/index.js';
import {
  validateEndpointSlice,
  defaultEndpointSlice,
} from '../../../server/registry/resources/endpointslices/index.js';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';

type Json = any;
const messages = (errs: Json[]) => errs.map(fieldErrorString);

describe('service allocators', () => {
  it('parse the flags: a masked IPv4 CIDR and a port range', () => {
    assert.deepEqual(parseServiceCIDR('10.96.0.5/12'), {
      cidr: '10.96.0.0/12',
      base: 10 * 2 ** 24 + (96 << 16),
      bits: 12,
    });
    assert.equal(firstAddress(parseServiceCIDR('10.100.0.0/24')), '10.100.0.1');
    assert.throws(() => parseServiceCIDR('fd00::/108'), /only IPv4/);
    assert.throws(() => parseServiceCIDR('10.0.0.0/31'), /usable/);
    assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768, text: '30000-32767' });
    assert.throws(() => parsePortRange('5-1'), /port range/);
  });

  it('hand out requested values once and dynamic ones from the upper part of the range', () => {
    const a = new ServiceAllocators({ random: () => 0 });
    a.allocateIP('10.96.0.1', 'default/kubernetes', false);
    assert.throws(
      () => a.allocateIP('10.96.0.1', 'x/y', false),
      (e: unknown) => e instanceof AllocationError && e.message === 'provided IP is already allocated',
    );
    assert.throws(
      () => a.allocateIP('10.95.255.255', 'x/y', false),
      /not in the valid range. The range of valid IPs is 10\.96\.0\.0\/12/,
    );
    // /12 leaves the first 256 addresses to requests: the first dynamic one is 10.96.1.1 with random 0
    assert.equal(a.allocateNextIP('x/y', false), '10.96.1.1');
    assert.equal(a.allocateNextPort('x/y', false), 30086);
    assert.equal(a.ipOwner('10.96.1.1'), 'x/y');
    a.releaseIP('10.96.1.1', 'someone/else');
    assert.equal(a.ipOwner('10.96.1.1'), 'x/y', 'only the owner releases');
    a.releaseIP('10.96.1.1', 'x/y');
    assert.equal(a.ipOwner('10.96.1.1'), undefined);
  });

  it('dry runs check without reserving; a full range is reported', () => {
    const a = new ServiceAllocators({ serviceCIDR: '10.0.0.0/30', nodePortRange: '30000-30000', random: () => 0.9 });
    assert.equal(a.allocateNextIP('a/b', true), '10.0.0.2');
    assert.equal(a.allocateNextIP('a/c', true), '10.0.0.2', 'nothing was reserved');
    a.allocateNextIP('a/b', false);
    a.allocateNextIP('a/c', false);
    assert.throws(() => a.allocateNextIP('a/d', false), /range is full/);
    a.allocatePort(30000, 'a/b', false);
    assert.throws(() => a.allocateNextPort('a/c', false), /range is full/);
  });

  it('record what stored Services hold, and free it all on delete', () => {
    const a = new ServiceAllocators();
    const svc = {
      metadata: { namespace: 'ns', name: 's' },
      spec: {
        clusterIPs: ['10.96.0.9'],
        ports: [{ nodePort: 30001 }, { nodePort: 30001 }],
        healthCheckNodePort: 30002,
      },
    };
    assert.deepEqual(heldBy(svc), { ips: ['10.96.0.9'], ports: [30001, 30002] });
    a.record(svc);
    assert.equal(a.ipOwner('10.96.0.9'), 'ns/s');
    assert.equal(a.portOwner(30002), 'ns/s');
    a.releaseAll(svc);
    assert.equal(a.ipOwner('10.96.0.9'), undefined);
    assert.equal(a.portOwner(30001), undefined);
  });
});

describe('service defaulting and normalization', () => {
  it('defaults as SetDefaults_Service', () => {
    const s: Json = {
      metadata: {},
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 81, targetPort: 'http', protocol: 'UDP' }] },
    };
    defaultService(s);
    assert.deepEqual(s.spec, {
      type: 'LoadBalancer',
      sessionAffinity: 'None',
      ports: [
        { port: 80, protocol: 'TCP', targetPort: 80 },
        { port: 81, targetPort: 'http', protocol: 'UDP' },
      ],
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
    });
    const e: Json = {
      metadata: {},
      spec: { type: 'ExternalName', sessionAffinity: 'None', sessionAffinityConfig: {} },
    };
    defaultService(e);
    assert.equal(e.spec.internalTrafficPolicy, undefined);
    assert.equal(e.spec.sessionAffinityConfig, undefined);
  });

  it('keeps clusterIP and clusterIPs in step, and keeps allocated values an update leaves out', () => {
    const spec: Json = { clusterIP: '10.96.0.5' };
    normalizeClusterIPs(spec, undefined);
    assert.deepEqual(spec.clusterIPs, ['10.96.0.5']);
    const old = {
      type: 'NodePort',
      clusterIP: '10.96.0.5',
      clusterIPs: ['10.96.0.5'],
      ports: [{ name: 'a', port: 80, nodePort: 30005 }],
    };
    const upd: Json = { type: 'NodePort', ports: [{ name: 'a', port: 80 }] };
    patchAllocatedValues(upd, old);
    assert.deepEqual([upd.clusterIP, upd.clusterIPs, upd.ports[0].nodePort], ['10.96.0.5', ['10.96.0.5'], 30005]);
    const changed: Json = { clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.5'] };
    normalizeClusterIPs(changed, old);
    assert.deepEqual(changed.clusterIPs, ['10.96.0.6']);
  });

  it('drops what stops applying when the type changes', () => {
    const old: Json = {
      metadata: {},
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.5',
        clusterIPs: ['10.96.0.5'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        externalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: true,
        ports: [{ port: 80, nodePort: 30005 }],
      },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    };
    const svc: Json = structuredClone(old);
    svc.spec.type = 'ExternalName';
    dropTypeDependentFields(svc, old);
    assert.deepEqual(svc.spec, { type: 'ExternalName', ports: [{ port: 80 }] });
    assert.deepEqual(svc.status.loadBalancer, {});
  });
});

describe('service validation', () => {
  const base = (spec: Json): Json => ({
    metadata: { name: 's', namespace: 'ns' },
    spec: {
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      selector: { a: 'b' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      ...spec,
    },
  });

  it('accepts a defaulted Service', () => {
    assert.deepEqual(validateService(base({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] })), []);
  });

  it('reports cluster IP field mismatches with Go-rendered values', () => {
    assert.deepEqual(messages(validateService(base({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] }))), [
      'spec.clusterIPs: Invalid value: []string{"10.96.0.6"}: first value must match `clusterIP`',
    ]);
    assert.deepEqual(messages(validateService(base({ clusterIPs: ['None', '10.96.0.6'], clusterIP: 'None' }))), [
      'spec.clusterIPs: Invalid value: []string{"None", "10.96.0.6"}: \'None\' must be the first and only value',
    ]);
    assert.deepEqual(
      messages(
        validateService(
          base({
            ports: [
              { port: 80, protocol: 'TCP' },
              { port: 80, protocol: 'TCP', name: 'b' },
            ],
          }),
        ),
      ).slice(-1),
      [
        'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
      ],
    );
  });

  it('requires what upstream defaults, and refuses misplaced fields', () => {
    assert.deepEqual(
      messages(
        validateService(base({ internalTrafficPolicy: undefined, type: 'NodePort', externalTrafficPolicy: 'Cluster' })),
      ),
      ['spec.internalTrafficPolicy: Required value'],
    );
    assert.deepEqual(messages(validateService(base({ externalTrafficPolicy: 'Local' }))), [
      'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
    ]);
    assert.deepEqual(
      messages(
        validateService(
          base({
            externalName: 'x',
            type: 'ExternalName',
            internalTrafficPolicy: undefined,
            clusterIPs: ['10.96.0.1'],
            clusterIP: '10.96.0.1',
          }),
        ),
      ),
      ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
    );
  });

  it('refuses a changed cluster IP on update', () => {
    const old = base({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'] });
    const upd = base({ clusterIP: '10.96.0.6', clusterIPs: ['10.96.0.6'] });
    assert.deepEqual(messages(validateServiceUpdate(upd, old)), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set',
    ]);
  });

  it('refuses special IPs as upstream', () => {
    assert.deepEqual(messages(validateNonSpecialIP('0.0.0.0', 'ip')), [
      'ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ]);
    assert.deepEqual(messages(validateNonSpecialIP('169.254.1.1', 'ip')), [
      'ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ]);
    assert.deepEqual(messages(validateNonSpecialIP('224.0.0.5', 'ip')), [
      'ip: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
    assert.deepEqual(messages(validateNonSpecialIP('::1', 'ip')), [
      'ip: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    ]);
    assert.deepEqual(validateNonSpecialIP('10.0.0.1', 'ip'), []);
  });
});

describe('endpoints and endpoint slice validation', () => {
  it('Endpoints: node names, hostnames, port names', () => {
    const ep = {
      metadata: { name: 'e', namespace: 'ns' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', hostname: 'Bad_Host', nodeName: 'n1' }],
          ports: [{ name: 'x', port: 0, protocol: 'TCP' }],
        },
      ],
    };
    assert.deepEqual(messages(validateEndpoints(ep as Json)), [
      `subsets[0].addresses[0].hostname: Invalid value: "Bad_Host": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
  });

  it('EndpointSlices: defaults and rules', () => {
    const slice: Json = {
      metadata: { name: 's', namespace: 'ns' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], hostname: 'h' }],
      ports: [{ port: 80 }, { port: 81 }],
    };
    defaultEndpointSlice(slice);
    assert.deepEqual(slice.ports, [
      { port: 80, name: '', protocol: 'TCP' },
      { port: 81, name: '', protocol: 'TCP' },
    ]);
    assert.deepEqual(messages(validateEndpointSlice(slice)), ['ports[1].name: Duplicate value: ""']);
    slice.addressType = 'FQDN';
    slice.endpoints[0].addresses = ['example.com'];
    slice.ports.pop();
    assert.deepEqual(validateEndpointSlice(slice), []);
  });
});
