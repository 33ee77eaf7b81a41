/**
 * Service validation (pkg/apis/core/validation: ValidateService, ValidateServiceClusterIPsRelatedFields,
 * ValidateServiceUpdate, ValidateServiceStatusUpdate) with upstream's field paths and messages.
 */
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { arr, isObj, num, str } from '../../validation/helpers.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNS1035Label } from '../../validation/names.js';
import type { ServiceLike, ServiceSpecLike } from './strategy.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPortName,
  isValidPortNum,
  parseIPSloppy,
} from '../../../../apimachinery/validation.js';
import { validateLabels } from '../../../../apimachinery/labels.js';
import { goStringSlice, renderedError } from '../../../../apimachinery/field-errors.js';

const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
/** v1.MaxClientIPServiceAffinitySeconds: one day. */
const MAX_AFFINITY_SECONDS = 86400;
const TOPOLOGY_MODE = 'service.kubernetes.io/topology-mode';
const TOPOLOGY_HINTS = 'service.kubernetes.io/topology-aware-hints';
const LB_SOURCE_RANGES = 'service.beta.kubernetes.io/load-balancer-source-ranges';

export function isHeadless(spec: ServiceSpecLike | undefined): boolean {
  return spec?.clusterIPs?.length === 1 && spec.clusterIPs[0] === 'None';
}

function externallyAccessible(spec: ServiceSpecLike): boolean {
  return (
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0)
  );
}

/** ValidateNonSpecialIP: not unspecified, loopback, link-local or link-local multicast. */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  const fam = parseIPSloppy(ip);
  if (!fam) return [fieldErr.invalid(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const lower = ip.toLowerCase();
  const octets = fam === 4 ? ip.split('.').map(Number) : [];
  const v6 = (prefix: RegExp) => fam === 6 && prefix.test(lower);
  if ((fam === 4 && octets.every((o) => o === 0)) || (fam === 6 && /^[0:]+$/.test(lower)))
    errs.push(fieldErr.invalid(path, ip, `may not be unspecified (${ip})`));
  if (
    (fam === 4 && octets[0] === 127) ||
    (fam === 6 && /^(0{0,4}:){0,7}:?0{0,3}1$/.test(lower) && lower.replace(/[:0]/g, '') === '1')
  ) {
    errs.push(fieldErr.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  }
  if ((fam === 4 && octets[0] === 169 && octets[1] === 254) || v6(/^fe[89ab][0-9a-f]?:/)) {
    errs.push(fieldErr.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if ((fam === 4 && octets[0] === 224 && octets[1] === 0 && octets[2] === 0) || v6(/^ff02:/)) {
    errs.push(fieldErr.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

function dns1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => fieldErr.invalid(path, value, m));
}

/** ValidatePortNumOrName of a targetPort. */
function validateTargetPort(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => fieldErr.invalid(path, v, m));
  if (typeof v === 'string') return isValidPortName(v).map((m) => fieldErr.invalid(path, v, m));
  return [];
}

/** ValidateServiceClusterIPsRelatedFields: clusterIP/clusterIPs agreement, families, policy. */
export function validateClusterIPFields(spec: ServiceSpecLike): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = spec.clusterIPs ?? [];
  const ipsValue = () => goStringSlice(spec.clusterIPs);
  const invalidIPs = (field: string, detail: string) =>
    renderedError('FieldValueInvalid', field, ipsValue(), spec.clusterIPs, detail);
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(fieldErr.required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalidIPs('spec.clusterIPs', 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalidIPs('spec.clusterIPs', 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldErr.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    if (seen.has(f)) errs.push(fieldErr.duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  if (spec.ipFamilyPolicy !== undefined && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(fieldErr.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalidIPs('spec.clusterIPs', "'None' must be the first and only value"));
      }
      return;
    }
    for (const m of isValidIP(ip)) {
      badIPs = true;
      errs.push(fieldErr.invalid(`spec.clusterIPs[${i}]`, ip, m));
    }
  });
  if (ips.length > 2) errs.push(invalidIPs('spec.clusterIPs', 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1) {
    const fams = ips.map(parseIPSloppy);
    if (!(ips.length === 2 && fams[0] !== fams[1]))
      errs.push(invalidIPs('spec.clusterIPs', 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(spec) && ips.length > 0 && (spec.ipFamilies?.length ?? 0) > 0) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies![i];
      if (fam === undefined) return;
      const isV6 = parseIPSloppy(ip) === 6;
      if (fam === 'IPv4' && isV6)
        errs.push(
          fieldErr.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``),
        );
      if (fam === 'IPv6' && !isV6)
        errs.push(
          fieldErr.invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``),
        );
    });
  }
  return errs;
}

/** ValidateService. */
export function validateService(svc: ServiceLike): FieldError[] {
  const errs = validateObjectMeta(svc?.metadata, {
    namespaced: true,
    nameValidator: nameIsDNS1035Label,
    kubeFinalizers: true,
  });
  const annotations = (svc?.metadata?.annotations ?? {}) as Record<string, string>;
  if (
    annotations[TOPOLOGY_MODE] !== undefined &&
    annotations[TOPOLOGY_HINTS] !== undefined &&
    annotations[TOPOLOGY_MODE] !== annotations[TOPOLOGY_HINTS]
  ) {
    errs.push(
      fieldErr.invalid(
        `metadata.annotations[${TOPOLOGY_MODE}]`,
        annotations[TOPOLOGY_MODE],
        `must match annotations[${TOPOLOGY_HINTS}] when both are specified`,
      ),
    );
  }
  const spec = (isObj(svc?.spec) ? svc.spec : {}) as ServiceSpecLike;
  const headless = isHeadless(spec);
  const ports = arr<Record<string, unknown>>(spec.ports);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(fieldErr.required('spec.ports'));
  switch (spec.type) {
    case 'LoadBalancer':
      if (headless)
        errs.push(fieldErr.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless)
        errs.push(fieldErr.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs?.length ?? 0) > 0)
        errs.push(fieldErr.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if ((spec.ipFamilies?.length ?? 0) > 0)
        errs.push(fieldErr.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy !== undefined)
        errs.push(fieldErr.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => fieldErr.invalid('spec.externalName', cname, m)));
      else errs.push(fieldErr.required('spec.externalName'));
      break;
    }
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    const name = str(p.name);
    if (ports.length > 1 && !name) errs.push(fieldErr.required(`${path}.name`));
    else if (name) {
      errs.push(...dns1123Label(name, `${path}.name`));
      if (names.has(name)) errs.push(fieldErr.duplicate(`${path}.name`, name));
      else names.add(name);
    }
    const port = num(p.port) ?? 0;
    for (const m of isValidPortNum(port)) errs.push(fieldErr.invalid(`${path}.port`, port, m));
    const proto = str(p.protocol);
    if (!proto) errs.push(fieldErr.required(`${path}.protocol`));
    else if (!SUPPORTED_PROTOCOLS.includes(proto))
      errs.push(fieldErr.notSupported(`${path}.protocol`, proto, SUPPORTED_PROTOCOLS));
    errs.push(...validateTargetPort(p.targetPort, `${path}.targetPort`));
    if (typeof p.appProtocol === 'string')
      errs.push(
        ...isQualifiedName(p.appProtocol).map((m) => fieldErr.invalid(`${path}.appProtocol`, p.appProtocol, m)),
      );
  });
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) errs.push(fieldErr.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(spec.sessionAffinity))
    errs.push(fieldErr.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const timeout = cfg?.clientIP?.timeoutSeconds;
    if (!cfg) errs.push(fieldErr.required('spec.sessionAffinityConfig', 'when session affinity type is ClientIP'));
    else if (!cfg.clientIP)
      errs.push(fieldErr.required('spec.sessionAffinityConfig.clientIP', 'when session affinity type is ClientIP'));
    else if (timeout === undefined)
      errs.push(
        fieldErr.required(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          'when session affinity type is ClientIP',
        ),
      );
    else if (!(timeout > 0 && timeout <= MAX_AFFINITY_SECONDS)) {
      errs.push(
        fieldErr.invalid(
          'spec.sessionAffinityConfig.clientIP.timeoutSeconds',
          timeout,
          `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`,
        ),
      );
    }
  } else if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig) {
    errs.push(fieldErr.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(spec));
  (spec.externalIPs ?? []).forEach((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    const bad = isValidIP(ip);
    if (bad.length) errs.push(...bad.map((m) => fieldErr.invalid(path, ip, m)));
    else errs.push(...validateNonSpecialIP(ip, path));
  });
  if (!spec.type) errs.push(fieldErr.required('spec.type'));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(fieldErr.notSupported('spec.type', spec.type, SERVICE_TYPES));
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (num(p.nodePort))
        errs.push(fieldErr.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const np = num(p.nodePort) ?? 0;
    if (!np) return;
    const k = `${str(p.protocol)}/${np}`;
    if (nodePorts.has(k)) errs.push(fieldErr.duplicate(`spec.ports[${i}].nodePort`, np));
    nodePorts.add(k);
  });
  const seenPorts = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${str(p.protocol)}/${num(p.port) ?? 0}`;
    if (seenPorts.has(k)) {
      errs.push(
        renderedError(
          'FieldValueDuplicate',
          `spec.ports[${i}]`,
          `core.ServicePort{Name:"", Protocol:"${str(p.protocol)}", AppProtocol:(*string)(nil), Port:${num(p.port) ?? 0}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
          p,
        ),
      );
    }
    seenPorts.add(k);
  });
  const ranges = arr<string>(spec.loadBalancerSourceRanges);
  if (ranges.length > 0) {
    if (spec.type !== 'LoadBalancer')
      errs.push(fieldErr.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => {
      const v = str(r).trim();
      errs.push(...isValidCIDR(v).map((m) => fieldErr.invalid(`spec.LoadBalancerSourceRanges[${i}]`, v, m)));
    });
  } else if (annotations[LB_SOURCE_RANGES] !== undefined) {
    const path = `metadata.annotations[${LB_SOURCE_RANGES}]`;
    if (spec.type !== 'LoadBalancer')
      errs.push(fieldErr.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const val = annotations[LB_SOURCE_RANGES].trim();
    if (val)
      for (const c of val.split(','))
        errs.push(...isValidCIDR(c.trim()).map((m) => fieldErr.invalid(path, c.trim(), m)));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.type !== 'LoadBalancer') {
    errs.push(
      fieldErr.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"),
    );
  }
  if (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === undefined)
    errs.push(fieldErr.required('allocateLoadBalancerNodePorts'));
  if (spec.type === 'LoadBalancer') {
    if (typeof spec.loadBalancerClass === 'string')
      errs.push(
        ...isQualifiedName(spec.loadBalancerClass).map((m) =>
          fieldErr.invalid('spec.loadBalancerClass', spec.loadBalancerClass, m),
        ),
      );
  } else if (spec.loadBalancerClass !== undefined) {
    errs.push(fieldErr.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy)
      errs.push(
        fieldErr.invalid(
          'spec.externalTrafficPolicy',
          spec.externalTrafficPolicy,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (!spec.externalTrafficPolicy) {
    errs.push(fieldErr.required('spec.externalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    errs.push(fieldErr.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!(spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    if (hc)
      errs.push(
        fieldErr.invalid(
          'spec.healthCheckNodePort',
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
  } else if (!hc) {
    errs.push(fieldErr.required('spec.healthCheckNodePort'));
  } else {
    errs.push(...isValidPortNum(hc).map((m) => fieldErr.invalid('spec.healthCheckNodePort', hc, m)));
  }
  if (spec.internalTrafficPolicy === undefined) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP')
      errs.push(fieldErr.required('spec.internalTrafficPolicy'));
  } else if (!TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(fieldErr.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== 'PreferClose') {
    errs.push(fieldErr.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

/** ValidateServiceUpdate: the cluster IPs and families may not change (outside ExternalName), nor the load balancer class. */
export function validateServiceUpdate(svc: ServiceLike, old: ServiceLike): FieldError[] {
  const spec = (svc.spec ?? {}) as ServiceSpecLike;
  const oldSpec = (old.spec ?? {}) as ServiceSpecLike;
  const errs: FieldError[] = [];
  const ipsValue = () => goStringSlice(spec.clusterIPs);
  if (spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && !(isHeadless(spec) && isHeadless(oldSpec))) {
    const oldIPs = oldSpec.clusterIPs ?? [];
    const newIPs = spec.clusterIPs ?? [];
    const changed = (i: number) =>
      renderedError(
        'FieldValueInvalid',
        `spec.clusterIPs[${i}]`,
        ipsValue(),
        spec.clusterIPs,
        'may not change once set',
      );
    if (oldIPs.length === newIPs.length) {
      oldIPs.forEach((ip, i) => {
        if (ip !== newIPs[i]) errs.push(changed(i));
      });
    } else if (oldIPs.length > newIPs.length) {
      if (newIPs.length === 0)
        errs.push(
          renderedError(
            'FieldValueInvalid',
            'spec.clusterIPs[0]',
            ipsValue(),
            spec.clusterIPs,
            'primary clusterIP can not be unset',
          ),
        );
      if (oldIPs.length > 0 && newIPs.length > 0 && newIPs[0] !== oldIPs[0]) errs.push(changed(0));
      if (newIPs.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
        errs.push(
          fieldErr.invalid(
            'spec.ipFamilyPolicy',
            spec.ipFamilyPolicy ?? null,
            "must be set to 'SingleStack' when releasing the secondary clusterIP",
          ),
        );
      }
    } else if (oldIPs.length > 0 && newIPs[0] !== oldIPs[0]) {
      errs.push(changed(0));
    }
  }
  if (
    spec.type !== 'ExternalName' &&
    oldSpec.type !== 'ExternalName' &&
    isHeadless(spec) === isHeadless(oldSpec) &&
    !isHeadless(spec)
  ) {
    const oldF = oldSpec.ipFamilies ?? [];
    const newF = spec.ipFamilies ?? [];
    const famValue = goStringSlice(spec.ipFamilies).replace('[]string', '[]core.IPFamily');
    if (oldF.length === newF.length) {
      oldF.forEach((f, i) => {
        if (f !== newF[i])
          errs.push(
            renderedError(
              'FieldValueInvalid',
              'spec.ipFamilies[0]',
              famValue,
              spec.ipFamilies,
              'may not change once set',
            ),
          );
      });
    } else if (oldF.length > newF.length && newF.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(
        fieldErr.invalid(
          'spec.ipFamilyPolicy',
          spec.ipFamilyPolicy ?? null,
          "must be set to 'SingleStack' when releasing the secondary ipFamily",
        ),
      );
    }
  }
  if (
    oldSpec.type === 'LoadBalancer' &&
    spec.type === 'LoadBalancer' &&
    (oldSpec.loadBalancerClass ?? null) !== (spec.loadBalancerClass ?? null)
  ) {
    errs.push(fieldErr.invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  const hcNeeded = (s: ServiceSpecLike) => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
  if (hcNeeded(oldSpec) && hcNeeded(spec) && (spec.healthCheckNodePort ?? 0) !== (oldSpec.healthCheckNodePort ?? 0)) {
    errs.push(fieldErr.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  return [...errs, ...validateService(svc)];
}

/** ValidateServiceStatusUpdate: load balancer ingress addresses. */
export function validateServiceStatusUpdate(svc: ServiceLike, _old: ServiceLike): FieldError[] {
  const errs: FieldError[] = [];
  const ingress = arr<Record<string, unknown>>(
    (svc.status as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress,
  );
  ingress.forEach((ing, i) => {
    const path = `status.loadBalancer.ingress[${i}]`;
    const ip = str(ing.ip);
    if (ip) errs.push(...isValidIP(ip).map((m) => fieldErr.invalid(`${path}.ip`, ip, m)));
    const host = str(ing.hostname);
    if (host) {
      errs.push(...isDNS1123Subdomain(host).map((m) => fieldErr.invalid(`${path}.hostname`, host, m)));
      if (parseIPSloppy(host))
        errs.push(fieldErr.invalid(`${path}.hostname`, host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
