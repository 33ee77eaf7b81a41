import type { KubeObject } from '../../apimachinery/objects.js';
import {
  buildTable,
  defaultPrinter,
  type IncludeObject,
  type KubeObjectLike,
  type Table,
  type TableApiVersion,
} from '../printers/index.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors } from '../registry/status.js';
import { first, type Query } from './request.js';
import { versioned } from './serialize.js';

/** `includeObject` of a Table request: None, Metadata (the default) or Object. */
export function includeObjectParam(q: Query): IncludeObject {
  const v = first(q, 'includeObject');
  if (v === undefined || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw errors.badRequest(
    `includeObject: Unsupported value: ${JSON.stringify(v)}: supported values: "Metadata", "None", "Object"`,
  );
}

function tableVersion(v: 'v1' | 'v1beta1'): TableApiVersion {
  return v === 'v1' ? 'meta.k8s.io/v1' : 'meta.k8s.io/v1beta1';
}

/** The Table of a list response, every column included (kubectl hides priority-1 columns unless -o wide). */
export function tableForList(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  version: 'v1' | 'v1beta1',
  include: IncludeObject,
): Table {
  return buildTable(
    items.map((o) => versioned(handle, o) as unknown as KubeObjectLike),
    {
      printer: handle.def.printer ?? defaultPrinter,
      includeObject: include,
      listMeta: meta,
      apiVersion: tableVersion(version),
      now: new Date(),
    },
  );
}

/** The one-row Table of a GET. */
export function tableForObject(
  handle: ResourceHandle,
  obj: KubeObject,
  version: 'v1' | 'v1beta1',
  include: IncludeObject,
): Table {
  return buildTable([versioned(handle, obj) as unknown as KubeObjectLike], {
    printer: handle.def.printer ?? defaultPrinter,
    includeObject: include,
    listMeta: { resourceVersion: obj.metadata.resourceVersion },
    apiVersion: tableVersion(version),
    now: new Date(),
  });
}

/** Watch events as one-row Tables; column definitions only on the first event, as kube-apiserver sends them. */
export function tableWatchRenderer(handle: ResourceHandle, version: 'v1' | 'v1beta1', include: IncludeObject) {
  const printer = handle.def.printer ?? defaultPrinter;
  return (type: string, obj: KubeObject, firstEvent: boolean): string => {
    const table = buildTable([versioned(handle, obj) as unknown as KubeObjectLike], {
      printer,
      includeObject: include,
      listMeta: { resourceVersion: obj.metadata.resourceVersion },
      apiVersion: tableVersion(version),
      now: new Date(),
      withColumns: firstEvent,
    });
    return `{"type":${JSON.stringify(type)},"object":${JSON.stringify(table)}}\n`;
  };
}
